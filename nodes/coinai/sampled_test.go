package coinai

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nn"
)

// The pair key is the training job's key without the seed: a seed does not
// make another pair, everything else the outcome depends on does.
func TestSampledPairKey(t *testing.T) {
	d := digitsData(t)
	a, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	base := TrainJob{Arch: a, Data: d, Seed: 1, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9}}
	k := pairKey(&base)
	tests := []struct {
		name string
		edit func(j *TrainJob)
		same bool
	}{
		{"seed", func(j *TrainJob) { j.Seed = 2 }, true},
		{"epochs", func(j *TrainJob) { j.Train.Epochs = 2 }, false},
		{"batch", func(j *TrainJob) { j.Train.Batch = 16 }, false},
		{"lr", func(j *TrainJob) { j.Train.LR = 0.1 }, false},
		{"momentum", func(j *TrainJob) { j.Train.Momentum = 0.5 }, false},
		{"problem", func(j *TrainJob) { j.Problem[0] = 1 }, false},
		{"arch", func(j *TrainJob) { j.Arch, _ = nn.ParseArch("fc32-relu", 1, 8, 8, 10) }, false},
		{"labels", func(j *TrainJob) { j.Labels = LabelPermutation([32]byte{1}, 10) }, false},
	}
	for _, tt := range tests {
		j := base
		tt.edit(&j)
		if got := pairKey(&j) == k; got != tt.same {
			t.Errorf("changing %s: same pair %v, want %v", tt.name, got, tt.same)
		}
	}
	// A SampledJob costs and classes as the training it stands for, but is
	// another job than the training (a simulator must not hand one the
	// other's result).
	sj := &SampledJob{Train: &base}
	if sj.FLOPs() != base.FLOPs() || nodes.ClassOf(sj) != nodes.JobTrain || sj.Key() == base.Key() || nodes.IsShareable(sj) {
		t.Errorf("sampled job: %g FLOPs (training %g), class %v, key equal %v, shareable %v",
			sj.FLOPs(), base.FLOPs(), nodes.ClassOf(sj), sj.Key() == base.Key(), nodes.IsShareable(sj))
	}
}

// The cache trains the first K attempts of a pair for real, goes on while
// none passes the threshold, up to Cap, and draws from what it holds after
// that; a drawn outcome is one of the cached ones, marked drawn.
func TestSamplerOutcomes(t *testing.T) {
	d := digitsData(t)
	a, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	job := func(seed uint64) *TrainJob {
		return &TrainJob{Arch: a, Data: d, Seed: seed, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9, Serial: true}}
	}
	tests := []struct {
		name      string
		k         int
		thr       uint32 // ppm
		attempts  int
		wantReal  int64
		wantDrawn int64
	}{
		{"k real then draws", 2, 100_000, 6, 2, 4},         // every outcome passes 10%
		{"no pass: on to the cap", 1, 1_000_000, 12, 8, 4}, // nothing reaches 100%
		{"k = 3, all real", 3, 100_000, 3, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSampler(tt.k)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			cached := map[[32]byte]bool{}
			for i := range tt.attempts {
				r := s.outcome(job(uint64(i+1)), tt.thr, rng)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if !r.drawn {
					cached[r.Commitment] = true
				} else if !cached[r.Commitment] {
					t.Errorf("attempt %d: drawn model %x is none of the cached ones", i, r.Commitment[:4])
				}
			}
			if s.Real != tt.wantReal || s.Drawn != tt.wantDrawn || s.Pairs() != 1 {
				t.Errorf("%d real, %d drawn, %d pairs; want %d, %d, 1", s.Real, s.Drawn, s.Pairs(), tt.wantReal, tt.wantDrawn)
			}
		})
	}
	for _, k := range []int{0, -1, MaxSampledRealAttempts + 1} {
		if _, err := NewSampler(k); err == nil {
			t.Errorf("NewSampler(%d): no error", k)
		}
	}
}

// Sampling needs fresh-seed attempts and no lottery.
func TestSampledConfig(t *testing.T) {
	sm, _ := NewSampler(4)
	tests := []struct {
		name string
		edit func(c *Config)
		err  string
	}{
		{"fresh seed", func(c *Config) {}, ""},
		{"continue", func(c *Config) { c.AttemptMode = ModeContinue }, "continued attempt"},
		{"lottery", func(c *Config) { c.Lottery = LotteryConfig{Enabled: true, Difficulty: 4} }, "lottery re-trains"},
	}
	for _, tt := range tests {
		cfg := testConfig(t, 0, true)
		cfg.Sampler = sm
		tt.edit(&cfg)
		_, err := New(cfg)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: New error %v, want %q", tt.name, err, tt.err)
		}
	}
}

// A block from a drawn outcome carries a model that is not the cached one
// (a new commitment) and has its architecture and almost all its bytes.
func TestDrawnModel(t *testing.T) {
	d := digitsData(t)
	a, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	r := (&TrainJob{Arch: a, Data: d, Seed: 3, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9, Serial: true}}).Run().(*TrainResult)
	n, err := New(testConfig(t, 0, true))
	if err != nil {
		t.Fatal(err)
	}
	n.env = &rngEnv{rng: rand.New(rand.NewPCG(5, 6))}
	got := n.drawnModel(r.Model)
	if got == nil || len(got) != len(r.Model) {
		t.Fatalf("drawn model: %d bytes, want %d", len(got), len(r.Model))
	}
	diff := 0
	for i := range got {
		if got[i] != r.Model[i] {
			diff++
		}
	}
	if diff < 1 || diff > perturbDrawnBytes {
		t.Errorf("%d bytes differ, want 1..%d", diff, perturbDrawnBytes)
	}
	m, err := nn.UnmarshalModel(got)
	if err != nil || !archEqual(m.Arch, a) {
		t.Errorf("drawn model: %v, arch %v", err, m)
	}
}

// rngEnv is a nodes.Env that only has a random stream.
type rngEnv struct {
	nodes.Env
	rng *rand.Rand
}

func (e *rngEnv) Rand() *rand.Rand { return e.rng }
