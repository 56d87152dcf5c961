package grammar

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/nn"
)

// FuzzDecode builds ranges and an input shape from fuzzed bytes: whenever
// Validate accepts them, Decode must return a network that nn accepts (or an
// error over nn's parameter budget), and never panic.
func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, 32), []byte{0, 1, 4, 3, 2, 1, 2, 16, 2}, uint8(8), uint8(8))
	f.Add([]byte("0892eef0e04088d9c110ac5ec61e96d9"), []byte{0, 2, 12, 5, 2, 1, 2, 32, 3}, uint8(28), uint8(28))
	f.Add([]byte{0xff}, []byte{3, 3, 1, 9, 4, 0, 0, 1, 1}, uint8(1), uint8(64))
	f.Fuzz(func(t *testing.T, hash, p []byte, h, w uint8) {
		var prev [32]byte
		copy(prev[:], hash)
		at := func(i int) int {
			if i < len(p) {
				return int(p[i])
			}
			return 0
		}
		acts := []nn.Activation{nn.ActReLU, nn.ActTanh, nn.ActSigmoid, nn.ActNone}
		r := Ranges{
			MinConvs: at(0) % 4, MaxConvs: at(1) % 5,
			FilterChoices: []int{at(2), at(2) + 1},
			KernelChoices: []int{at(3) % 9, 1 + at(3)%3},
			PoolChoices:   []int{0, at(4) % 5},
			MinFCs:        at(5) % 3, MaxFCs: at(6) % 5,
			UnitChoices: []int{at(7), 3},
			Activations: acts[:1+at(8)%4],
		}
		a, err := Decode(prev, r, 1, int(h), int(w), 10)
		if verr := r.Validate(1, int(h), int(w)); verr != nil {
			if err == nil {
				t.Fatalf("Validate rejects %+v (%v) but Decode accepts it", r, verr)
			}
			return
		}
		if err != nil && strings.Contains(err.Error(), "parameters") {
			return // over nn's parameter budget, which Validate does not bound
		}
		if err != nil {
			t.Fatalf("Validate accepts %+v for %dx%d but Decode fails: %v", r, h, w, err)
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("decoded %s invalid: %v", a, err)
		}
	})
}
