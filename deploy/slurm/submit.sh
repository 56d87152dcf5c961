#!/usr/bin/env bash
# Submits a sharded coinai sweep to Slurm: the job array of sweep.sbatch
# with one task per shard, and merge.sbatch, which waits for every task
# to succeed (afterok on the array job waits for all its tasks).
#
#   SHARDS=8 SWEEP=scenarios/sweeps/pow-stale.toml OUT=sweep-out deploy/slurm/submit.sh
#
# Run it from the directory the jobs should work in (the repository root
# on a shared filesystem): relative SWEEP, OUT and COINAI are read there.
# Prints the two job ids.
set -euo pipefail

here=$(dirname "$0")
export SHARDS=${SHARDS:-4}
if ! [[ $SHARDS =~ ^[1-9][0-9]*$ ]]; then
  echo "submit.sh: SHARDS must be a positive integer, not '$SHARDS'" >&2
  exit 2
fi

sweep=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$here/sweep.sbatch")
sweep=${sweep%%;*} # --parsable prints "jobid;cluster" on a multi-cluster setup
merge=$(sbatch --parsable --dependency=afterok:"$sweep" "$here/merge.sbatch")
merge=${merge%%;*}
echo "sweep array job $sweep ($SHARDS tasks), merge job $merge"
