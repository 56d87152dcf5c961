package scenarios

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const workloadHead = `[run]
protocol = "coinai"
stop_time = "2h"

[[group]]
name = "miners"
count = 12
hardware = "laptop-cpu"
`

// A poisson and a trace workload load into their specs, and the resolved
// scenario (with problem_pick) loads back equal.
func TestWorkloadTablesLoad(t *testing.T) {
	text := workloadHead + `
[coinai]
problem_pick = "age"

[[workload]]
name = "users"
kind = "poisson"
accounts = 50
fund = 100
rate = "30/m"
until = "1h"
problem_share = 0.2
amount = 1.5
fee = 0.001
reward = 2
deadline = "20m"
datasets = ["digits", "iris"]

[[workload]]
name = "replay"
kind = "trace"
accounts = 2
fund = 10
until = "1h"
file = "trace.csv"
`
	name := filepath.Join("testdata", "workload", "s.toml")
	s, err := Parse(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if s.CoinAI.ProblemPick != "age" || len(s.Workload) != 2 {
		t.Fatalf("problem_pick %q, %d workloads", s.CoinAI.ProblemPick, len(s.Workload))
	}
	w := s.Workload[0]
	if w.Accounts != 50 || w.Rate != 1800 || w.Until != Duration(3600e9) || w.Deadline != Duration(1200e9) ||
		w.ProblemShare != 0.2 || strings.Join(w.Datasets, ",") != "digits,iris" {
		t.Errorf("poisson workload decoded as %+v", w)
	}
	rows, err := ReadTrace(s.TracePath(s.Workload[1]), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1].Kind != "problem" || rows[1].Dataset != "iris" || rows[1].Deadline != Duration(600e9) ||
		rows[1].At != Duration(2.5e9) || rows[0].Amount != 2.5 || rows[2].From != 1 {
		t.Errorf("trace rows %+v", rows)
	}
	out, err := s.TOML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(name, out)
	if err != nil {
		t.Fatalf("resolved scenario does not load back: %v\n%s", err, out)
	}
	if !back.Equal(s) {
		t.Error("resolved scenario loads back different")
	}
	// Without a workload the resolved scenario has neither key.
	plain, err := Parse("p.toml", []byte(workloadHead))
	if err != nil {
		t.Fatal(err)
	}
	out, _ = plain.TOML()
	if strings.Contains(string(out), "workload") || strings.Contains(string(out), "problem_pick") {
		t.Error("a scenario without a workload writes workload keys")
	}
}

// Bad workloads are refused with the file, line and key of each problem.
func TestWorkloadErrors(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"pow problems", strings.Replace(workloadHead, `"coinai"`, `"pow"`, 1) + "[[workload]]\nname = \"u\"\nkind = \"poisson\"\n" +
			"accounts = 4\nfund = 10\nrate = \"1/m\"\nuntil = \"1h\"\nproblem_share = 0.5\namount = 1\nfee = 0.1\nreward = 1\ndeadline = \"10m\"\ndatasets = [\"iris\"]\n",
			[]string{`s.toml:16: workload.0.problem_share: 0.5: the PoW baseline carries transfers only`,
				`s.toml:21: workload.0.datasets: the PoW baseline carries transfers only`}},
		{"pow trace problems", strings.Replace(workloadHead, `"coinai"`, `"pow"`, 1) +
			"[[workload]]\nname = \"t\"\nkind = \"trace\"\naccounts = 2\nfund = 1\nuntil = \"1h\"\nfile = \"trace.csv\"\n",
			[]string{`s.toml:15: workload.0.file: testdata/workload/trace.csv:`, `kind "problem": the PoW baseline carries transfers only`}},
		{"kind and pick", workloadHead + "[coinai]\nproblem_pick = \"cheapest\"\n[[workload]]\nname = \"u\"\nkind = \"burst\"\n",
			[]string{`s.toml:10: coinai.problem_pick: "cheapest" is not one of "fee", "age", "hash-draw"`,
				`s.toml:13: workload.0.kind: "burst" is not one of "poisson", "trace"`}},
		{"poisson values", workloadHead + `[[workload]]
name = "u"
kind = "poisson"
accounts = 1
fund = 10
rate = "0/s"
until = "3h"
problem_share = 0.5
amount = 1
reward = 0
datasets = ["digits", "mnist"]
`, []string{
			`s.toml:12: workload.0.accounts: transfers need at least 2 accounts`,
			`s.toml:14: workload.0.rate: 0/h: a poisson workload needs a positive rate`,
			`s.toml:15: workload.0.until: 10800s is not before run.stop_time = 7200s`,
			`s.toml:18: workload.0.reward: 0 must be > 0`,
			`s.toml:9: workload.0.deadline: 0s: problems need a positive deadline`,
			`s.toml:19: workload.0.datasets.1: "mnist" is not one of "digits", "iris", "wine"`}},
		{"bad trace", workloadHead + "[[workload]]\nname = \"t\"\nkind = \"trace\"\naccounts = 2\nfund = 1\nuntil = \"1h\"\nfile = \"bad-trace.csv\"\n",
			[]string{`s.toml:15: workload.0.file: testdata/workload/bad-trace.csv:3: dataset "cifar" is not one of`}},
		{"missing trace", workloadHead + "[[workload]]\nname = \"t\"\nkind = \"trace\"\naccounts = 2\nfund = 1\nuntil = \"1h\"\nfile = \"none.csv\"\n",
			[]string{`s.toml:15: workload.0.file: reading trace: open testdata/workload/none.csv`}},
	} {
		_, err := Parse(filepath.Join("testdata", "workload", "s.toml"), []byte(tt.body))
		var errs *Errors
		if !errors.As(err, &errs) {
			t.Fatalf("%s: Parse = %v, want *Errors", tt.name, err)
		}
		msg := err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error\n%s\nlacks\n%s", tt.name, msg, w)
			}
		}
	}
}
