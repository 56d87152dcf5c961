package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// trainedModel trains a small network on the digits for one epoch and
// returns its serialisation.
func trainedModel(t testing.TB) []byte {
	t.Helper()
	d := digitsData(t)
	a, err := nn.ParseArch("fc64-relu", 1, 8, 8, 10)
	if err != nil {
		t.Fatal(err)
	}
	j := &TrainJob{Arch: a, Data: d, Seed: 7, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9}}
	r := j.Run().(*TrainResult)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.ValAccuracy() < 0.5 {
		t.Fatalf("model not trained: validation accuracy %.3f", r.ValAccuracy())
	}
	return r.Model
}

// Every chunk of a real trained model proves against the block's
// commitment, through a Chunks message, and a flipped byte of the chunk or
// of any path hash fails.
func TestStorageProofsOfTrainedModel(t *testing.T) {
	model := trainedModel(t)
	const chunk = 256
	root := ModelCommitment(model, chunk)
	if root != ModelCommitment(slices.Clone(model), chunk) || root == sha256.Sum256(model) {
		t.Fatal("commitment is not the Merkle commitment")
	}
	if ModelCommitment(model, 0) != sha256.Sum256(model) {
		t.Fatal("without storage the commitment is not the flat SHA-256")
	}
	tree, err := merkle.New(model, chunk)
	if err != nil {
		t.Fatal(err)
	}
	n := tree.NumChunks()
	if want := (len(model) + chunk - 1) / chunk; n != want || n < 10 {
		t.Fatalf("%d chunks, want %d (>= 10)", n, want)
	}
	size := int64(len(model))
	for i := range n {
		p, err := storage.ProveIndices(tree, 3, [32]byte{}, []int{i})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := AppendChunks(nil, uint64(i), p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := DecodeChunks(msg)
		if err != nil || r.Req != uint64(i) {
			t.Fatalf("chunk %d: decode %v", i, err)
		}
		c, path := r.Proof.Chunks[0], r.Proof.Paths[0]
		if !merkle.VerifyCommitted(root, size, chunk, i, c, path) {
			t.Fatalf("chunk %d does not verify", i)
		}
		bad := slices.Clone(c)
		bad[len(bad)/2] ^= 1
		if merkle.VerifyCommitted(root, size, chunk, i, bad, path) {
			t.Errorf("chunk %d: tampered chunk verifies", i)
		}
		for k := range path {
			bp := slices.Clone(path)
			bp[k][0] ^= 0x80
			if merkle.VerifyCommitted(root, size, chunk, i, c, bp) {
				t.Errorf("chunk %d: tampered path hash %d verifies", i, k)
			}
		}
		if merkle.VerifyCommitted(root, size, chunk, (i+1)%n, c, path) && n > 1 {
			t.Errorf("chunk %d verifies at index %d", i, (i+1)%n)
		}
	}
}

// A lazy holder that keeps the first floor(f*n) chunks of a real model
// fails a challenge with the hypergeometric probability 1-C(kept,c)/C(n,c),
// so the mean number of challenges until it is first caught is
// storage.ExpectedChallenges. Measured over independent seeds (block
// hashes), the mean must be within four standard errors of it: a geometric
// law with failure probability q has standard deviation sqrt(1-q)/q.
func TestLazyHolderCaughtAtExpectedRate(t *testing.T) {
	model := trainedModel(t)
	const chunk, c = 256, 4
	root := ModelCommitment(model, chunk)
	n := merkle.NumChunks(int64(len(model)), chunk)
	for _, f := range []float64{0, 0.5, 0.8, 0.9} {
		kept := lazyKept(n, f)
		want := storage.ExpectedChallenges(n, kept, c)
		q := 1 / want
		const trials = 2000
		var sum float64
		seq := uint64(0)
		for range trials {
			k := 0
			for {
				k++
				seq++
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], seq)
				seed := sha256.Sum256(b[:])
				if !canAnswer(storage.Challenge(seed, root, 17, n, c), kept) {
					break
				}
			}
			sum += float64(k)
		}
		mean := sum / trials
		se := math.Sqrt(1-q) / q / math.Sqrt(trials)
		if math.Abs(mean-want) > 4*se+1e-12 {
			t.Errorf("keep %.2f (%d of %d chunks): caught after %.3f challenges on average, want %.3f ± %.3f", f, kept, n, mean, want, 4*se)
		}
		t.Logf("keep %.2f (%d of %d chunks): %.3f challenges to catch (expected %.3f, se %.3f)", f, kept, n, mean, want, se)
	}
}

// storageNet is a network of two miners and four storage nodes (2..5)
// with replication 2, a challenge round every block, and node 5 a lazy
// holder that keeps nothing.
func storageNet(t *testing.T) *testNet {
	var cands []StorageNode
	for i := 2; i < 6; i++ {
		cands = append(cands, StorageNode{ID: int32(i), Addr: ledger.AddressOfKey(testKey(i)), Capacity: 1 << 30})
	}
	var cfgs []Config
	for i := range 6 {
		c := testConfig(t, i, i < 2)
		c.Storage = StorageConfig{Enabled: true, ChunkSize: 256, Replication: 2, ChallengeLag: 1, ChallengeInterval: 1,
			ChallengeChunks: 4, Deadline: 40e9, Reward: ledger.Coin, MaxMisses: 2, Nodes: cands}
		if i == 5 {
			c.Storage.Behaviour = BehaveLazy
		}
		cfgs = append(cfgs, c)
	}
	links := [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 5}, {1, 2}}
	return newTestNet(t, cfgs, links, 50e6).start()
}

// On a real network: honest holders' proofs mint the reward into their
// balances (balance = reward x valid proofs on the main chain), the lazy
// holder is never paid, misses every challenge and is evicted after
// MaxMisses of them, and its models get a successor that keeps them.
func TestStorageRewardsAndEviction(t *testing.T) {
	net := storageNet(t)
	net.Run(200e9)
	tipID, h := net.nodes[0].Tip()
	if h < 8 {
		t.Fatalf("only %d blocks", h)
	}
	valid := map[int32]int{}
	missed := map[int32]int{}
	evicted := 0
	main := map[[32]byte]bool{}
	for _, id := range net.nodes[0].MainChain() {
		main[id] = true
	}
	for _, o := range net.Observed {
		if o.Ev.Kind != nodes.EvProof || !main[o.Ev.Block] {
			continue
		}
		switch o.Ev.Note {
		case "valid":
			valid[int32(o.Ev.Miner)]++
		case "missed":
			missed[int32(o.Ev.Miner)]++
		case "evicted":
			evicted++
		}
	}
	st := net.nodes[0].State()
	for i := int32(2); i < 6; i++ {
		bal := st.Balance(ledger.AddressOfKey(testKey(int(i))))
		if bal != ledger.Amount(valid[i])*ledger.Coin {
			t.Errorf("node %d: balance %d, want %d valid proofs x 1 coin", i, bal, valid[i])
		}
	}
	if valid[5] != 0 || missed[5] == 0 || evicted == 0 {
		t.Errorf("lazy node: %d valid, %d missed, %d evictions; want 0, > 0, > 0", valid[5], missed[5], evicted)
	}
	honest, honestMissed := 0, 0
	for i := int32(2); i < 5; i++ {
		honest += valid[i]
		honestMissed += missed[i]
	}
	// Honest holders never miss, forks included (see the package doc).
	if honest == 0 || honestMissed != 0 {
		t.Errorf("honest holders: %d valid, %d missed", honest, honestMissed)
	}
	for _, m := range net.nodes[0].StorageAt(tipID) {
		if len(m.Holders) > 2 {
			t.Errorf("model at height %d has %d holders", m.Height, len(m.Holders))
		}
		if h-m.Height > 8 && slices.Contains(m.Holders, 5) {
			t.Errorf("model at height %d still on the lazy node at height %d", m.Height, h)
		}
	}
	t.Logf("height %d: valid %v, missed %v, evictions %d", h, valid, missed, evicted)
}
