package storage

import (
	"crypto/sha256"
	"math"
	"slices"
	"testing"
)

// Expected indices computed by an independent Python implementation of the
// documented derivation (hash stream, rejection sampling, partial
// Fisher–Yates, sorted).
func TestChallengeKnown(t *testing.T) {
	tests := []struct {
		holder         int32
		nChunks, count int
		want           []int
	}{
		{7, 100, 5, []int{17, 82, 86, 91, 92}},
		{8, 100, 5, []int{18, 37, 84, 87, 98}},
		{7, 1000003, 8, []int{70855, 232619, 499797, 524053, 616334, 745087, 758690, 926702}},
		{-1, 3, 2, []int{0, 2}},
		{7, 4, 9, []int{0, 1, 2, 3}}, // count capped at nChunks
		{7, 1, 1, []int{0}},
		{7, 0, 3, nil},
		{7, 10, 0, nil},
	}
	for _, tc := range tests {
		got := Challenge(testBlock, testModel, tc.holder, tc.nChunks, tc.count)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Challenge(holder %d, n %d, count %d) = %v, want %v", tc.holder, tc.nChunks, tc.count, got, tc.want)
		}
	}
}

func TestChallengeDistinctSortedInRange(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 16, 100} {
		for _, c := range []int{1, 2, 5, n} {
			for s := 0; s < 20; s++ {
				seed := sha256.Sum256([]byte{byte(n), byte(c), byte(s)})
				got := Challenge(seed, testModel, int32(s), n, c)
				if len(got) != min(c, n) {
					t.Fatalf("n %d c %d: %d indices", n, c, len(got))
				}
				for i, x := range got {
					if x < 0 || x >= n || (i > 0 && got[i-1] >= x) {
						t.Fatalf("n %d c %d: %v not distinct, sorted, in range", n, c, got)
					}
				}
			}
		}
	}
}

func TestChallengeUniform(t *testing.T) {
	// 20 chunks, 3 per challenge, 4000 seeds: each index is drawn with
	// probability 3/20, 600 times on average, sd sqrt(4000*.15*.85) ~ 22.6.
	const n, c, trials = 20, 3, 4000
	counts := make([]int, n)
	for s := 0; s < trials; s++ {
		seed := sha256.Sum256([]byte{byte(s), byte(s >> 8), 'u'})
		for _, x := range Challenge(seed, testModel, 1, n, c) {
			counts[x]++
		}
	}
	for i, k := range counts {
		if math.Abs(float64(k)-600) > 5*22.6 {
			t.Errorf("index %d drawn %d times, want 600 +- 113", i, k)
		}
	}
}

func TestSeedHeight(t *testing.T) {
	tests := []struct{ tip, lag, want int64 }{
		{100, 6, 94}, {3, 6, 0}, {6, 6, 0}, {10, 0, 10}, {10, -2, 10},
	}
	for _, tc := range tests {
		if got := SeedHeight(tc.tip, tc.lag); got != tc.want {
			t.Errorf("SeedHeight(%d,%d) = %d, want %d", tc.tip, tc.lag, got, tc.want)
		}
	}
}

// A lazy holder that kept 40 of 50 chunks survives a 5-chunk challenge with
// probability 40*39*38*37*36/(50*49*48*47*46) ~ 0.3106; the challenges
// Challenge actually derives must match that rate and the geometric mean
// time to detection.
func TestLazyHolderCaught(t *testing.T) {
	const n, kept, c = 50, 40, 5
	p := SurvivalProbability(n, kept, c)
	if math.Abs(p-0.31056) > 1e-4 {
		t.Fatalf("SurvivalProbability = %v, want ~0.31056", p)
	}
	// The lazy holder drops chunks 3, 8, 13, ..., 48.
	hasChunk := func(i int) bool { return i%5 != 3 }
	const trials = 4000
	survived := 0
	for s := 0; s < trials; s++ {
		seed := sha256.Sum256([]byte{byte(s), byte(s >> 8), 'l'})
		ok := true
		for _, x := range Challenge(seed, testModel, 9, n, c) {
			ok = ok && hasChunk(x)
		}
		if ok {
			survived++
		}
	}
	sd := math.Sqrt(p * (1 - p) / trials)
	if got := float64(survived) / trials; math.Abs(got-p) > 5*sd {
		t.Errorf("survival rate %v, want %v +- %v", got, p, 5*sd)
	}

	// Challenges until caught, over 1000 lazy holders with successive seeds:
	// mean 1/(1-p) ~ 1.4504, sd of the mean sqrt(p)/(1-p)/sqrt(1000) ~ 0.0255.
	const holders = 1000
	total := 0
	for h := int32(0); h < holders; h++ {
		for round := 1; ; round++ {
			seed := sha256.Sum256([]byte{byte(h), byte(h >> 8), byte(round), 'g'})
			caught := false
			for _, x := range Challenge(seed, testModel, h, n, c) {
				caught = caught || !hasChunk(x)
			}
			if caught {
				total += round
				break
			}
		}
	}
	want := ExpectedChallenges(n, kept, c)
	sdMean := math.Sqrt(p) / (1 - p) / math.Sqrt(holders)
	if got := float64(total) / holders; math.Abs(got-want) > 5*sdMean {
		t.Errorf("mean challenges to catch %v, want %v +- %v", got, want, 5*sdMean)
	}
}
