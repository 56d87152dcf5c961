#!/bin/sh
# GFLOP/s of the trainer's matrix products per kernel path (generic,
# AVX2/FMA, AVX-512) beside PyTorch's and NumPy's matmul, measured in the
# same run, and the mean real cost of a mining attempt of the digits
# grammar per path.
#
#   nodes/nn/bench/kernels.sh [reps]          default: 3
#
# Two tables: products on 2 threads timed by wall clock (PyTorch and
# NumPy on 2 threads), and on 1 thread timed by that thread's CPU time,
# which a machine shared with other work inflates far less. Each figure is
# the median of reps rounds; a round times every path and the peers one
# after the other (never concurrently), so that other work loads them
# alike. Only the timed runs are left at
# normal priority; builds run under nice. Set ATTEMPTS=0 to skip the
# mining attempts (about 10 s of CPU per path and round).
# Needs for the peers (optional): python3-torch, python3-numpy,
# libopenblas0-pthread (Debian), both on 2 threads as the Go side.
set -eu
reps=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
nice go test -c -o "$tmp/nn.test" ./nodes/nn
nice go test -c -o "$tmp/build.test" ./scenarios/build
paths="generic avx2 auto"
r=1
while [ "$r" -le "$reps" ]; do
	for p in $paths; do
		k=$p
		[ "$p" = auto ] && k=
		COINAI_NN_KERNEL=$k "$tmp/nn.test" -test.run '^$' -test.bench '^BenchmarkGemmShapes$' -test.benchtime 0.2s |
			sed -n 's|^BenchmarkGemmShapes/\([^/]*\)/\([^/]*\)/\([^ ]*\)-[0-9]* .* \([0-9.]*\) GFLOP/s$|\1 \2 \3 \4|p' >>"$tmp/rates"
	done
	if [ -x /usr/bin/python3 ]; then
		OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$here/matmul_peer.py" --threads 2 --seconds 0.2 >>"$tmp/rates" || true
		OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/matmul_peer.py" --threads 1 --cpu --seconds 0.2 >>"$tmp/rates" || true
	fi
	if [ "${ATTEMPTS:-1}" != 0 ]; then
		for p in $paths; do
			k=$p
			[ "$p" = auto ] && k=
			COINAI_NN_KERNEL=$k "$tmp/nn.test" -test.run '^$' -test.bench '^BenchmarkGemmShapes$/.*/2t/digits-out' -test.benchtime 1x |
				sed -n 's|^BenchmarkGemmShapes/\([^/]*\)/.*|\1|p' | head -1 >"$tmp/impl"
			COINAI_NN_KERNEL=$k "$tmp/build.test" -test.run '^$' -test.bench '^BenchmarkMiningAttemptDigits$' -test.benchtime 1x |
				awk -v impl="$(cat "$tmp/impl")" '/^BenchmarkMiningAttemptDigits/ { for (i = 1; i < NF; i++) { if ($(i+1) == "cpu-ms/attempt") c = $i; if ($(i+1) == "ms/attempt") w = $i } print impl, c, w }' >>"$tmp/attempts"
		done
	fi
	r=$((r + 1))
done
# Median of each (library, shape).
median='function med(s,   n, a, i, j, t) { n = split(s, a, " "); for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j+1] = a[j]; a[j+1] = t } return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }'
for mode in 2t 1t-cpu; do
	case $mode in
	2t) title="2 threads, wall" ;;
	*) title="1 thread, CPU time" ;;
	esac
	awk -v mode="$mode" -v title="$title" "$median"'
	$2 == mode { v[$1 SUBSEP $3] = v[$1 SUBSEP $3] " " $4; if (!($3 in seen)) { seen[$3] = 1; order[++ns] = $3 } }
	END {
		split("generic amd64-avx2-fma amd64-avx512f torch numpy", cols, " ")
		printf "GFLOP/s, %s (median of rounds)\n", title
		printf "%-22s %8s %8s %8s %8s %8s %11s\n", "shape (m x k x n)", "generic", "avx2", "avx512", "torch", "numpy", "avx512/torch"
		for (s = 1; s <= ns; s++) {
			sh = order[s]; line = sprintf("%-22s", sh)
			for (c = 1; c <= 5; c++) {
				k = cols[c] SUBSEP sh
				if (k in v) { m[c] = med(substr(v[k], 2)); line = line sprintf(" %8.1f", m[c]) } else { m[c] = 0; line = line sprintf(" %8s", "-") }
			}
			line = line (m[4] > 0 && m[3] > 0 ? sprintf(" %11.2f", m[3] / m[4]) : sprintf(" %11s", "-"))
			print line
		}
		print ""
	}' "$tmp/rates"
done
if [ -s "$tmp/attempts" ]; then
	awk "$median"'
	{ c[$1] = c[$1] " " $2; w[$1] = w[$1] " " $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	END {
		printf "%-22s %14s %14s\n", "mining attempt (median)", "cpu ms", "wall ms"
		for (i = 1; i <= n; i++) printf "%-22s %14.2f %14.2f\n", order[i], med(substr(c[order[i]], 2)), med(substr(w[order[i]], 2))
	}' "$tmp/attempts"
fi
