package coinai

import (
	"crypto/sha256"
	"slices"
	"testing"
)

// The lottery's difficulty rule, by hand: D changes only for a child whose
// height is a multiple of Window, to D · (Window · target) / (time the
// last Window blocks took), clamped to ×4 either way.
func TestRequiredDifficultyByHand(t *testing.T) {
	const s = int64(1e9)
	cfg := &Config{TargetInterval: 60 * s}
	cfg.Lottery.Window = 5
	hdr := func(h uint64, tm int64) *Header { return &Header{Height: h, Time: tm} }
	for _, c := range []struct {
		name   string
		window int
		parent *Header
		start  *Header
		want   uint64
	}{
		{"no window keeps D", 0, hdr(4, 150*s), hdr(0, 0), 1000},
		{"child 4 is no multiple of 5", 5, hdr(3, 90*s), hdr(0, 0), 1000},
		{"child 6 is no multiple of 5", 5, hdr(5, 90*s), hdr(0, 0), 1000},
		// Child 5: the 4 blocks from height 0 to 4 took 120 s for 240 s planned.
		{"twice as fast doubles D", 5, hdr(4, 120*s), hdr(0, 0), 2000},
		{"twice as slow halves D", 5, hdr(4, 480*s), hdr(0, 0), 500},
		{"on time keeps D", 5, hdr(4, 240*s), hdr(0, 0), 1000},
		{"far too fast is clamped to x4", 5, hdr(4, 1*s), hdr(0, 0), 4000},
		{"far too slow is clamped to /4", 5, hdr(4, 9000*s), hdr(0, 0), 250},
		// Child 10: the window starts at height 4, 5 blocks, 300 s planned.
		{"second window", 5, hdr(9, 400*s), hdr(4, 100*s), 1000},
		{"second window, fast", 5, hdr(9, 250*s), hdr(4, 100*s), 2000},
	} {
		cfg.Lottery.Window = c.window
		if got := RequiredDifficulty(cfg, 1000, c.parent, c.start); got != c.want {
			t.Errorf("%s: RequiredDifficulty = %d, want %d", c.name, got, c.want)
		}
	}
}

// The label permutation is defined for 2 to 256 classes, is a permutation,
// depends on the parent, and for 10 classes draws from more than one
// SHA-256 digest (9 draws of 8 bytes), so every digest's counter matters:
// the values are pinned to an independent computation.
func TestLabelPermutationEdgesAndPinned(t *testing.T) {
	for _, c := range []struct {
		classes int
		nilWant bool
	}{{0, true}, {1, true}, {2, false}, {10, false}, {256, false}, {257, true}} {
		p := LabelPermutation([32]byte{7}, c.classes)
		if (p == nil) != c.nilWant {
			t.Errorf("classes %d: %v", c.classes, p)
			continue
		}
		if p != nil {
			q := slices.Clone(p)
			slices.Sort(q)
			for i, v := range q {
				if int(v) != i {
					t.Fatalf("classes %d: %v is no permutation", c.classes, p)
				}
			}
		}
	}
	prev := sha256.Sum256([]byte("coinai"))
	got := LabelPermutation(prev, 10)
	// Computed independently in Python from the definition (hashlib.sha256
	// of the domain, the parent and a little-endian counter; Fisher–Yates).
	want := []uint8{3, 7, 0, 8, 5, 1, 6, 4, 2, 9}
	if !slices.Equal(got, want) {
		t.Errorf("LabelPermutation(sha256(coinai), 10) = %v, want %v", got, want)
	}
	if other := LabelPermutation([32]byte{}, 10); slices.Equal(other, got) {
		t.Errorf("two parents give the same permutation %v", got)
	}
}
