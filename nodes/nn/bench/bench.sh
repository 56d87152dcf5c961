#!/bin/sh
# Side-by-side speed and accuracy of the Go trainer and the PyTorch peer on
# Fashion-MNIST, same machine, same run, 2 threads each, run one after the
# other (never concurrently).
#
#   nodes/nn/bench/bench.sh [models] [epochs]     default: "mlp mlp2 cnn" 3
#
# Needs: dataset-fashion-mnist, python3-torch, libopenblas0-pthread (Debian).
# Prints per model the mean epoch time of both (excluding epoch 1, which
# includes warm-up for both), the ratio go/torch (goal <= 0.67), the Go
# trainer's GFLOP/s by nn's FLOP accounting and both final test accuracies.
set -eu
models=${1:-"mlp mlp2 cnn"}
epochs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
bin=${COINAI:-}	# a prebuilt coinai binary, or build one
if [ -z "$bin" ]; then
	go build -o "$tmp/coinai" ./cmd/coinai
	bin=$tmp/coinai
fi
printf '%-6s %10s %10s %7s %9s %9s %9s\n' model go_s torch_s ratio GFLOP/s go_acc torch_acc
for m in $models; do
	"$bin" train --data fashion-mnist --model "$m" --epochs "$epochs" --json >"$tmp/go.$m"
	OMP_NUM_THREADS=2 /usr/bin/python3 "$here/torch_peer.py" --model "$m" --epochs "$epochs" --threads 2 >"$tmp/torch.$m"
	# go: {"epoch":1,"train_seconds":..,"loss":..,"test_accuracy":..,...}
	gs=$(sed -n 's/.*"epoch":\([0-9]*\),"train_seconds":\([0-9.e+-]*\),.*/\1 \2/p' "$tmp/go.$m" |
		awk '{ a += $2; m++ } $1 > 1 { s += $2; n++ } END { printf "%.3f", n ? s / n : a / m }')
	gf=$(sed -n 's/.*"gflops_per_s":\([0-9.e+-]*\).*/\1/p' "$tmp/go.$m" | tail -1)
	ga=$(sed -n 's/.*"test_accuracy":\([0-9.e+-]*\).*/\1/p' "$tmp/go.$m" | tail -1)
	# torch: "<model> epoch N train_s S test_acc A"
	ts=$(awk '{ a += $5; m++ } $3 > 1 { s += $5; n++ } END { printf "%.3f", n ? s / n : a / m }' "$tmp/torch.$m")
	ta=$(awk '{ a = $7 } END { print a }' "$tmp/torch.$m")
	printf '%-6s %10s %10s %7.3f %9.2f %9.4f %9s\n' "$m" "$gs" "$ts" "$(echo "$gs $ts" | awk '{ print $1 / $2 }')" "$gf" "$ga" "$ta"
done
