package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
)

var (
	testBlock = sha256.Sum256([]byte("block"))
	testModel = sha256.Sum256([]byte("model"))
)

// Expected rankings computed independently in Python:
//
//	score(i) = sha256(b'coinai/storage/place\x00' + sha256(b'block') +
//	                  sha256(b'model') + struct.pack('<I', i))
//
// sorted by score as a big-endian integer, descending. The full ranking of
// ids 0..9 is [2 9 1 0 4 7 8 6 5 3].
func TestPlaceKnown(t *testing.T) {
	var cands []Candidate
	for i := int32(0); i < 10; i++ {
		free := int64(1000)
		if i == 3 || i == 7 {
			free = 100
		}
		cands = append(cands, Candidate{ID: i, Free: free})
	}
	tests := []struct {
		name    string
		exclude []int32
		k       int
		size    int64
		want    []int32
	}{
		{"k=4 with room", nil, 4, 500, []int32{2, 9, 1, 0}},
		{"all with room", nil, 20, 500, []int32{2, 9, 1, 0, 4, 8, 6, 5}},
		{"small model fits everywhere", nil, 10, 100, []int32{2, 9, 1, 0, 4, 7, 8, 6, 5, 3}},
		{"too big for all", nil, 3, 1001, []int32{}},
		{"k=0", nil, 0, 1, nil},
		{"replace first", []int32{2}, 1, 500, []int32{9}},
		{"replace after failures", []int32{2, 9, 1, 0}, 2, 500, []int32{4, 8}},
		{"exclude unknown", []int32{42}, 2, 500, []int32{2, 9}},
	}
	for _, tc := range tests {
		got := Replace(testBlock, testModel, cands, tc.exclude, tc.k, tc.size)
		if !slices.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	s := Score(testBlock, testModel, 0)
	if got := hex.EncodeToString(s[:]); got != "aa5d9cbbb34fdd9f35dd815614c2519fd8fcf2dec4af65b5648962e72aae9d11" {
		t.Errorf("Score(0) = %s", got)
	}
	s = Score(testBlock, testModel, -2)
	if got := hex.EncodeToString(s[:]); got != "c85c2500e5489ad57f068cd7b48a2805d5537fea760f1f5cb48ba45064dd12e2" {
		t.Errorf("Score(-2) = %s", got)
	}
}

func TestPlaceOrderIndependentAndDeduplicated(t *testing.T) {
	var cands []Candidate
	for i := int32(0); i < 50; i++ {
		cands = append(cands, Candidate{ID: i * 7, Free: 1 << 20})
	}
	want := Place(testBlock, testModel, cands, 5, 1000)
	rev := slices.Clone(cands)
	slices.Reverse(rev)
	if got := Place(testBlock, testModel, rev, 5, 1000); !slices.Equal(got, want) {
		t.Errorf("reversed candidates: %v, want %v", got, want)
	}
	// A duplicate with no room listed first hides the later entry.
	dup := append([]Candidate{{ID: want[0], Free: 0}}, cands...)
	got := Place(testBlock, testModel, dup, 5, 1000)
	if slices.Contains(got, want[0]) || !slices.Equal(got[:4], want[1:]) {
		t.Errorf("duplicate: %v, want %v without %d first", got, want, want[0])
	}
	// Replace with the original block = the next in Place's ranking.
	six := Place(testBlock, testModel, cands, 6, 1000)
	if r := Replace(testBlock, testModel, cands, want, 1, 1000); len(r) != 1 || r[0] != six[5] {
		t.Errorf("Replace = %v, want [%d]", r, six[5])
	}
	// Another block spreads the same model elsewhere.
	other := sha256.Sum256([]byte("other block"))
	if got := Place(other, testModel, cands, 5, 1000); slices.Equal(got, want) {
		t.Errorf("placement ignores the block hash: %v", got)
	}
}

func TestPlaceBalanced(t *testing.T) {
	// 10 nodes, 2000 models, 3 replicas each: 600 per node expected, binomial
	// standard deviation sqrt(2000*0.3*0.7) ~ 20.5. Allow 5 sigma.
	var cands []Candidate
	for i := int32(0); i < 10; i++ {
		cands = append(cands, Candidate{ID: i, Free: 1 << 30})
	}
	load := make([]int, 10)
	for m := 0; m < 2000; m++ {
		root := sha256.Sum256([]byte{byte(m), byte(m >> 8)})
		got := Place(testBlock, root, cands, 3, 1)
		if len(got) != 3 || got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
			t.Fatalf("model %d: placement %v not 3 distinct", m, got)
		}
		for _, id := range got {
			load[id]++
		}
	}
	for id, l := range load {
		if l < 600-103 || l > 600+103 {
			t.Errorf("node %d holds %d models, want 600 +- 103", id, l)
		}
	}
}
