package scenarios

import (
	"strings"
	"testing"
)

// Bad [[coinai.standin]] tables are refused with the key that is wrong; a
// good one loads with its values.
func TestStandInValidation(t *testing.T) {
	const head = "[run]\nprotocol = \"coinai\"\nstop_height = 3\n[[group]]\ncount = 10\nhardware = \"laptop-cpu\"\n"
	const good = "[[coinai.standin]]\nproblem = \"digits\"\nname = \"n\"\ntrain_flops = 1e15\neval_flops = 1e12\nmodel_bytes = \"46.8MB\"\nsource = \"s\"\n"
	s, err := Parse("good.toml", []byte(head+"[coinai]\n"+good))
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := s.CoinAI.StandInFor("digits"); !ok || st.TrainFLOPs != 1e15 || st.EvalFLOPs != 1e12 || st.ModelBytes != 46_800_000 {
		t.Errorf("stand-in %+v, %v", st, ok)
	}
	for _, tc := range []struct {
		name, body, key string
	}{
		{"work_scale", "[coinai]\nwork_scale = 100\n" + good, "coinai.work_scale"},
		{"verify_scale", "[coinai]\nverify_scale = 100\n" + good, "coinai.verify_scale"},
		{"problem", "[coinai]\n" + strings.Replace(good, `"digits"`, `"mnist"`, 1), "coinai.standin.0.problem"},
		{"duplicate", "[coinai]\n" + good + good, "coinai.standin.1.problem"},
		{"source", "[coinai]\n" + strings.Replace(good, "source = \"s\"\n", "", 1), "coinai.standin.0.source"},
		{"name", "[coinai]\n" + strings.Replace(good, "name = \"n\"\n", "", 1), "coinai.standin.0.name"},
		{"flops", "[coinai]\n" + strings.Replace(good, "1e15", "0", 1), "coinai.standin.0.train_flops"},
		{"bytes", "[coinai]\n" + strings.Replace(good, `"46.8MB"`, `"0B"`, 1), "coinai.standin.0.model_bytes"},
		{"fidelity", "[coinai]\nfidelity = \"sampled\"\n" + good, "coinai.fidelity"},
		{"pow", strings.Replace(head, `"coinai"`, `"pow"`, 1) + "[coinai]\n" + good, "coinai.standin"},
	} {
		_, err := Parse(tc.name+".toml", []byte(head+tc.body))
		if tc.name == "pow" {
			_, err = Parse(tc.name+".toml", []byte(tc.body))
		}
		if err == nil || !strings.Contains(err.Error(), tc.key+":") && !strings.Contains(err.Error(), tc.key+" ") {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.key)
		}
	}
}
