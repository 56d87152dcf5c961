#!/usr/bin/env bash
# Runs a coinai sweep as N shards in parallel on this machine, then merges
# them: the same commands as the Kubernetes and Slurm jobs, to try the
# sharding without a cluster.
#
#   deploy/local-shards.sh SWEEP.toml OUT [N [JOBS]]
#
# Shard I runs `coinai sweep SWEEP.toml --out OUT/shard-I --shard I/N
# --jobs JOBS` (default N=2, JOBS=1) with its log in OUT/shard-I.log; when
# all succeed, `coinai merge OUT/shard-0 ... --out OUT/merged --force`.
# Run it again after a failure or Ctrl-C: finished points are kept.
# COINAI names the binary; without it the script builds one in a
# temporary directory.
set -euo pipefail

if (( $# < 2 || $# > 4 )); then
  echo "usage: $0 SWEEP.toml OUT [N [JOBS]]" >&2
  exit 2
fi
sweep=$1 out=$2 n=${3:-2} jobs=${4:-1}
for v in "$n" "$jobs"; do
  if ! [[ $v =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: N and JOBS must be positive integers, not '$v'" >&2
    exit 2
  fi
done

if [[ -z ${COINAI:-} ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "building coinai" >&2
  CGO_ENABLED=0 go build -C "$(dirname "$0")/.." -trimpath -o "$tmp/coinai" ./cmd/coinai
  COINAI=$tmp/coinai
fi

mkdir -p "$out"
# Each shard in its own process group (job control): a Ctrl-C on the
# terminal reaches this script only, which passes it on once; coinai takes
# a second signal as "exit at once".
set -m
pids=()
stop() {
  # Forward the signal to the shards this script started; each stops
  # cleanly, keeping its finished points.
  trap - INT TERM
  for pid in "${pids[@]}"; do kill -"$1" "$pid" 2>/dev/null || true; done
  wait || true
  exit "$2"
}
trap 'stop INT 130' INT
trap 'stop TERM 143' TERM

for ((i = 0; i < n; i++)); do
  "$COINAI" sweep "$sweep" --out "$out/shard-$i" --shard "$i/$n" --jobs "$jobs" \
    >"$out/shard-$i.log" 2>&1 &
  pids+=($!)
done

failed=0
for ((i = 0; i < n; i++)); do
  rc=0
  wait "${pids[i]}" || rc=$?
  if (( rc != 0 )); then
    echo "shard $i/$n failed (exit $rc); its log, $out/shard-$i.log, ends:" >&2
    tail -n 5 "$out/shard-$i.log" >&2
    failed=1
  fi
done
if (( failed )); then
  echo "not merging; once the cause is fixed, run the same command again: finished points are kept" >&2
  exit 1
fi

shards=()
for ((i = 0; i < n; i++)); do
  shards+=("$out/shard-$i")
done
"$COINAI" merge "${shards[@]}" --out "$out/merged" --force
