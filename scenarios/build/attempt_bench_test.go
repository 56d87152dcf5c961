//go:build linux || darwin

package build

import (
	"crypto/sha256"
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/scenarios"
)

// BenchmarkMiningAttemptDigits is the real cost of one mining attempt of
// the default scenario (digits, its grammar and SGD settings, on the
// simulator's serial trainer): per op, one coinai.TrainJob (training for
// epochs_per_attempt epochs, then the validation accuracy) for each of the
// costArchs architectures that costRatio averages over, so ms/attempt is
// the mean over the grammar. cpu-ms/attempt is the process's user and
// system CPU time per attempt (the trainer runs on one goroutine, as in
// the simulator; the rest is the garbage collector), the figure to
// compare on a shared machine, where wall time also counts waiting for a
// core. nodes/nn/bench/kernels.sh runs it on each trainer kernel path
// (COINAI_NN_KERNEL).
func BenchmarkMiningAttemptDigits(b *testing.B) {
	s := scenarios.Default()
	c := s.CoinAI
	data, err := problemData(c.Problem)
	if err != nil {
		b.Fatal(err)
	}
	rg, err := ranges(c.Grammar)
	if err != nil {
		b.Fatal(err)
	}
	t := data.Train
	var jobs []*coinai.TrainJob
	for i := range costArchs {
		h := sha256.Sum256(binary.LittleEndian.AppendUint64([]byte("coinai/cost-ratio"), uint64(i)))
		a, err := grammar.Decode(h, rg, t.C, t.H, t.W, t.Classes)
		if err != nil {
			continue
		}
		jobs = append(jobs, &coinai.TrainJob{Arch: a, Data: &data, Seed: uint64(i),
			Train: nn.TrainConfig{Epochs: c.EpochsPerAttempt, Batch: c.Batch, LR: c.LR, Momentum: c.Momentum, Serial: true}})
	}
	if len(jobs) < costArchs/2 {
		b.Fatalf("only %d of %d architectures decode", len(jobs), costArchs)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		for _, j := range jobs {
			if r := j.Run().(*coinai.TrainResult); r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	n := float64(b.N * len(jobs))
	b.ReportMetric(float64(time.Since(start).Microseconds())/1e3/n, "ms/attempt")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/n, "cpu-ms/attempt")
}

// cpuTime is the user plus system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
