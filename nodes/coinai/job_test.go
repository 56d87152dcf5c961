package coinai

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nn"
)

func TestJobKeys(t *testing.T) {
	d := digitsData(t)
	a, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	base := TrainJob{Arch: a, Data: d, Seed: 1, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9}}
	k := base.Key()
	if base.Class() != nodes.JobTrain || nodes.IsShareable(&base) {
		t.Errorf("training job: class %v, shareable %v; want train, not shareable", base.Class(), nodes.IsShareable(&base))
	}
	edits := map[string]func(j *TrainJob){
		"seed":     func(j *TrainJob) { j.Seed = 2 },
		"epochs":   func(j *TrainJob) { j.Train.Epochs = 2 },
		"lr":       func(j *TrainJob) { j.Train.LR = 0.1 },
		"problem":  func(j *TrainJob) { j.Problem[0] = 1 },
		"continue": func(j *TrainJob) { j.From = []byte{1} },
		"arch":     func(j *TrainJob) { j.Arch, _ = nn.ParseArch("fc32-relu", 1, 8, 8, 10) },
		"labels":   func(j *TrainJob) { j.Labels = LabelPermutation([32]byte{1}, 10) },
	}
	for _, name := range []string{"seed", "epochs", "lr", "problem", "continue", "arch", "labels"} {
		j := base
		edits[name](&j)
		if j.Key() == k {
			t.Errorf("changing %s keeps the key", name)
		}
	}
	// Two parents' label permutations are two jobs: a cached result of one
	// must not answer the other.
	p1, p2 := base, base
	p1.Labels, p2.Labels = LabelPermutation([32]byte{1}, 10), LabelPermutation([32]byte{2}, 10)
	if p1.Key() == p2.Key() {
		t.Error("training jobs under two label permutations share a key")
	}

	m, _ := nn.NewModel(a, 1)
	e := &EvalJob{Model: m, Test: d.Test}
	e.Commitment[0], e.Problem[31] = 0xaa, 0xbb
	want := sha256.Sum256(append(append([]byte("eval"), e.Commitment[:]...), e.Problem[:]...))
	if e.Key() != want || !e.Shareable() || e.Class() != nodes.JobEval {
		t.Errorf("eval key %x, want %x", e.Key(), want)
	}
	relabelled := *e
	relabelled.Labels = LabelPermutation([32]byte{1}, 10)
	if relabelled.Key() == want {
		t.Error("an evaluation under a label permutation shares the plain evaluation's key")
	}
	// fc16-relu: 2394 forward FLOPs per sample.
	if got, want := e.FLOPs(), float64(d.Test.Len())*2394; got != want {
		t.Errorf("eval FLOPs %v, want %v", got, want)
	}
	r := e.Run().(*EvalResult)
	acc, _ := nn.Evaluate(m, d.Test.X, d.Test.Y, d.Test.Len())
	if r.N != d.Test.Len() || r.Accuracy() != acc {
		t.Errorf("eval result %d/%d, nn says %v", r.Correct, r.N, acc)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Default.Test = nil }, "empty test split"},
		{func(c *Config) { c.Key = nil }, "miner key"},
		{func(c *Config) { c.Epochs = 0 }, "epochs 0"},
		{func(c *Config) { c.LR = 0 }, "lr 0"},
		{func(c *Config) { c.TargetInterval = 0 }, "target interval"},
		{func(c *Config) { c.ThresholdInitial = 1 }, "initial threshold"},
		{func(c *Config) { c.ThresholdMin = 0.6 }, "minimum threshold"},
		{func(c *Config) { c.ThresholdMaxStep = 1 }, "max step"},
		{func(c *Config) { c.AttemptMode = "resume" }, "attempt mode"},
		{func(c *Config) { c.Ranges.UnitChoices = nil }, "no unit choices"},
		{func(c *Config) { c.Bind = "labels" }, `bind "labels"`},
		{func(c *Config) { c.Attack = AttackConfig{Kind: "steal", PerturbBytes: 1} }, `attack "steal"`},
		{func(c *Config) { c.Attack = AttackConfig{Kind: AttackReuse} }, "perturb bytes 0"},
		{func(c *Config) { c.Attack = AttackConfig{Kind: AttackReuse, PerturbBytes: 1, Source: "mine"} }, `source "mine"`},
		{func(c *Config) { c.Attack = AttackConfig{Kind: AttackReuse, PerturbBytes: 1, Fallback: "sleep"} }, `fallback "sleep"`},
		{func(c *Config) { c.Attack = AttackConfig{PerturbBytes: 1} }, "honest node"},
		{func(c *Config) { c.Miner = false; c.Attack = AttackConfig{Kind: AttackReuse, PerturbBytes: 1} }, "must be a miner"},
	}
	for _, tt := range tests {
		c := testConfig(t, 0, true)
		tt.edit(&c)
		_, err := New(c)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want it to mention %q", err, tt.want)
		}
	}
	if _, err := New(testConfig(t, 0, true)); err != nil {
		t.Fatal(err)
	}
}

// TestRequestTimeout: a node asks the first announcer of a block, and the
// second when the first does not answer in time.
func TestRequestTimeout(t *testing.T) {
	cfgs := []Config{testConfig(t, 0, false), testConfig(t, 1, false), testConfig(t, 2, false)}
	n := newTestNet(t, cfgs, [][2]int{{0, 1}, {0, 2}}, 1e6)
	var asked []nodes.PeerID
	n.Drop = func(from, to nodes.PeerID, msg []byte) bool {
		if from == 0 && MsgType(msg[0]) == MsgGetData {
			asked = append(asked, to)
			return to == 1 // node 1 never answers
		}
		return false
	}
	n.start()
	cfg := cfgs[0]
	b, msg := validChild(t, cfg, Genesis(cfg), testKey(1), 1e9, nil)
	for _, i := range []int{1, 2} {
		n.nodes[i].Receive(9, msg)
	}
	n.Run(n.Now() + 1e12) // both verify, announce to node 0
	n.Run(n.Now() + 2*DefaultRequestTimeout)
	if len(asked) != 2 || asked[0] != 1 || asked[1] != 2 {
		t.Fatalf("GetData went to %v, want [1 2]", asked)
	}
	if !n.nodes[0].Has(b.Header.ID()) {
		t.Error("block not fetched from the second announcer")
	}
}
