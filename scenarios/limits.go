package scenarios

import (
	"fmt"
	"math"

	"github.com/coinai/coinai/nodes/ledger"
)

// Checks of what a run will need rather than of each value alone: coins the
// ledger must hold and storage nodes the replication needs. They are part
// of Validate. The memory a run needs depends on the machine as well as on
// the scenario: see MemoryEstimate and CheckMemory.

// maxCoins is the largest amount of coins the ledger can hold: amounts are
// uint64 counts of 1e-8 coin (nodes/ledger.Amount), about 1.8e11 coins.
var maxCoins = float64(ledger.MaxAmount) / float64(ledger.Coin)

// blockMargin is how many blocks past run.stop_height a run may mine before
// every node has reached it (the runner sizes its tables with the same
// margin).
const blockMargin = 16

// ExpectedBlocks bounds the number of main-chain blocks the run mines, and
// says where the bound comes from: run.stop_height plus a margin, or twice
// run.stop_time divided by the target interval. It returns 0 when only
// max_events bounds the run.
func (s *Scenario) ExpectedBlocks() (float64, string) {
	interval := s.PoW.Interval
	if s.Run.Protocol == "coinai" {
		interval = s.CoinAI.Interval
	}
	switch {
	case s.Run.StopHeight > 0:
		return float64(s.Run.StopHeight) + blockMargin, fmt.Sprintf("run.stop_height %d + %d", s.Run.StopHeight, blockMargin)
	case s.Run.StopTime > 0 && interval > 0:
		b := math.Ceil(2 * float64(s.Run.StopTime) / float64(interval))
		return b, fmt.Sprintf("twice run.stop_time %v / interval %v", s.Run.StopTime, interval)
	}
	return 0, ""
}

// storageCandidates is the number of nodes that can keep models: nodes of
// groups with role "storage" whose hardware offers storage capacity.
func (s *Scenario) storageCandidates() int {
	n := 0
	for _, g := range s.Groups {
		if h, ok := s.HardwareByName(g.Hardware); ok && g.Role == "storage" && h.Storage > 0 && g.Count > 0 {
			n += g.Count
		}
	}
	return n
}

// storageNodes checks that the replication can be met: a model placed on k
// holders needs k candidates, or availability is reported for copies that
// do not exist.
func (v *validator) storageNodes() {
	s := v.s
	if !s.Storage.Enabled || s.Run.Protocol != "coinai" {
		return
	}
	n := s.storageCandidates()
	switch {
	case n == 0:
		v.add("storage.enabled", `no node can keep models: no [[group]] with role = "storage" has hardware with storage capacity`)
	case s.Storage.Replication > n:
		v.add("storage.replication", `%d copies of each model need %d storage nodes; the scenario has %d (nodes of groups with role = "storage" whose hardware has storage capacity)`,
			s.Storage.Replication, s.Storage.Replication, n)
	}
}

// supply checks that every reward, and all the coins the run mints, fit
// the ledger's integer amounts: past the limit, every block that mints is
// invalid and the chain stops growing (a run without stop_time never ends).
func (v *validator) supply() {
	s := v.s
	if s.Run.Protocol != "coinai" {
		return // proof-of-work pays a fixed 50 coins a block
	}
	c, st := s.CoinAI, s.Storage
	storage := st.Enabled && st.Reward > 0
	tooBig := func(key string, x float64, what string) bool {
		if x > maxCoins {
			v.add(key, "%g coins %s is more than the ledger can hold (%v coins: amounts are uint64 counts of 1e-8 coin)", x, what, ledger.MaxAmount)
			return true
		}
		return false
	}
	bad := tooBig("coinai.block_reward", c.BlockReward, "a block")
	if storage {
		bad = tooBig("storage.reward", st.Reward, "a proof") || bad
	}
	if bad || math.IsNaN(c.BlockReward) || math.IsNaN(st.Reward) {
		return
	}
	blocks, why := s.ExpectedBlocks()
	if blocks == 0 {
		return
	}
	minted := blocks * c.BlockReward
	if minted > maxCoins {
		v.add("coinai.block_reward", "%g coins a block over up to %.0f blocks (%s) mint %.4g coins, more than the ledger can hold (%v coins); lower the reward or the number of blocks",
			c.BlockReward, blocks, why, minted, ledger.MaxAmount)
		return
	}
	if !storage {
		return
	}
	proofs := storageProofs(blocks, st.ChallengeInterval, st.ChallengeLag, min(st.Replication, s.storageCandidates()))
	if total := minted + proofs*st.Reward; total > maxCoins {
		v.add("storage.reward", "%g coins a proof over up to %.0f proofs (every model challenged on its %d holders at each round, a round every %d blocks, up to %.0f blocks: %s) plus %.4g coins of block rewards mint %.4g coins, more than the ledger can hold (%v coins); lower the rewards or the number of blocks",
			st.Reward, proofs, min(st.Replication, s.storageCandidates()), st.ChallengeInterval, blocks, why, minted, total, ledger.MaxAmount)
	}
}

// storageProofs bounds the storage proofs of a chain of the given number of
// blocks: a round at every multiple h of interval challenges, on each of
// its holders, every model recorded at least max(1, lag) blocks earlier
// (see nodes/coinai/storage.go), that is sum over rounds j*P <= blocks of
// holders * max(0, j*P - max(1, lag)).
func storageProofs(blocks float64, interval, lag, holders int) float64 {
	p := float64(max(1, interval))
	l := float64(max(1, lag))
	n := math.Floor(blocks / p)
	j0 := math.Floor(l/p) + 1 // first round with a model old enough
	if n < j0 || holders <= 0 {
		return 0
	}
	sum := p*(n*(n+1)/2-(j0-1)*j0/2) - l*(n-j0+1)
	return float64(holders) * sum
}
