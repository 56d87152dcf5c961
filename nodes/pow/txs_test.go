package pow

import (
	"crypto/ed25519"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/ledger"
)

type txUser struct {
	priv ed25519.PrivateKey
	addr ledger.Address
}

func txUsers(n int) []txUser {
	out := make([]txUser, n)
	for i := range out {
		out[i].priv = ledger.KeyFromSeed([32]byte{byte(i + 1), 0xaa})
		out[i].addr = ledger.AddressOfKey(out[i].priv)
	}
	return out
}

func minerAddrs(n int) []ledger.Address {
	out := make([]ledger.Address, n)
	for i := range out {
		out[i] = ledger.AddressOfKey(ledger.KeyFromSeed([32]byte{byte(i + 1), 0xbb}))
	}
	return out
}

func signedTransfer(t testing.TB, from, to txUser, amount, fee ledger.Amount, nonce uint64) *ledger.Transfer {
	t.Helper()
	tx := &ledger.Transfer{From: from.addr, To: to.addr, Amount: amount, Fee: fee, Nonce: nonce}
	if err := tx.Sign(from.priv); err != nil {
		t.Fatal(err)
	}
	return tx
}

func genesisOf(users []txUser, fund ledger.Amount) []ledger.Mint {
	var out []ledger.Mint
	for _, u := range users {
		out = append(out, ledger.Mint{To: u.addr, Amount: fund})
	}
	return out
}

// TestTxsNetwork runs eight miners with compact relay and users who submit
// transfers at different nodes: every transfer is confirmed exactly once on
// the common main chain, blocks keep their configured size, the ledgers
// agree and conserve coins, and the run repeats exactly.
func TestTxsNetwork(t *testing.T) {
	const N = 8
	users := txUsers(6)
	miners := minerAddrs(N)
	var submitted [][32]byte
	subs := make([][]Submission, N)
	nonce := make([]uint64, len(users))
	for k := range 60 {
		from, to := k%len(users), (k*5+1)%len(users)
		if from == to {
			to = (to + 1) % len(users)
		}
		tx := signedTransfer(t, users[from], users[to], ledger.Amount(1000+k), ledger.Amount(10+k%7), nonce[from])
		nonce[from]++
		home := (k * 3) % N
		subs[home] = append(subs[home], Submission{At: int64(k) * 60e9, Tx: tx})
		submitted = append(submitted, tx.ID())
	}
	var cfgs []Config
	for i := range N {
		c := testConfig(nodes.PeerID(i))
		c.Miner, c.HashRate = true, 1e6
		c.GenesisDifficulty = DifficultyFor(N*1e6, c.TargetInterval)
		c.Relay = RelayCompact
		c.Txs = &TxConfig{Genesis: genesisOf(users, 1e9), Miners: miners, Submit: subs[i]}
		cfgs = append(cfgs, c)
	}
	var links [][2]int
	for i := range N {
		links = append(links, [2]int{i, (i + 1) % N})
	}
	links = append(links, [2]int{0, 4}, [2]int{2, 6})
	run := func() *testNet {
		net := newTestNet(t, cfgs, links, 2e9, 3)
		net.Run(20 * 600e9)
		net.stopMining()
		net.Run(math.MaxInt64)
		return net
	}
	net := run()
	if rj := net.Events(nodes.EvRejected); len(rj) != 0 {
		t.Fatalf("rejections: %+v", rj)
	}
	main := net.nodes[0].MainBlocks()
	seen := map[[32]byte]int{}
	withTxs := 0
	for _, b := range main {
		if len(b.Txs) > 0 {
			withTxs++
		}
		for _, tx := range b.Txs {
			seen[tx.ID()]++
		}
	}
	for i, id := range submitted {
		if seen[id] != 1 {
			t.Errorf("transfer %d confirmed %d times", i, seen[id])
		}
	}
	if withTxs < 3 {
		t.Errorf("%d of %d main blocks carry transactions", withTxs, len(main))
	}
	for _, m := range net.Events(nodes.EvMined) {
		if m.Ev.Size != 1_000_000 {
			t.Errorf("mined block of %d bytes, want the configured 1000000", m.Ev.Size)
		}
	}
	st := net.nodes[0].State()
	if err := st.CheckConservation(); err != nil {
		t.Fatal(err)
	}
	for i, nd := range net.nodes {
		if nd.State().Digest() != st.Digest() {
			t.Errorf("node %d ledger differs", i)
		}
	}
	var fees, minted ledger.Amount
	for _, b := range main {
		for _, tx := range b.Txs {
			fees += tx.Header().Fee
		}
		minted += ledger.Amount(testConfig(0).BlockReward)
	}
	var held ledger.Amount
	for _, a := range miners {
		held += st.Balance(a)
	}
	if held != fees+minted {
		t.Errorf("miners hold %d, want rewards %d + fees %d", held, minted, fees)
	}
	// Transactions flood ahead of blocks: compact blocks rebuild from the
	// mempool and no real transaction is fetched.
	if net.count[MsgBlock] != 0 {
		t.Errorf("%d full block messages under compact relay", net.count[MsgBlock])
	}
	again := run()
	if !slices.Equal(again.nodes[0].MainChain(), net.nodes[0].MainChain()) || again.nodes[0].State().Digest() != st.Digest() {
		t.Error("two runs with the same seed differ")
	}
}

// txBlock builds a block on parent carrying txs, committed by the Merkle
// root, its filler shrunk so that the block keeps cfg.BlockSize.
func txBlock(cfg Config, parent Block, at int64, miner uint32, txs []ledger.Tx) (Block, []byte) {
	b, _ := child(cfg, parent, at, miner, 0)
	list := ledger.AppendTxList(nil, txs)
	ids := make([][32]byte, len(txs))
	for i, tx := range txs {
		ids[i] = tx.ID()
	}
	b.Filler.Bytes -= uint64(len(list))
	b.Filler.Count = uint32(b.Filler.Bytes / uint64(cfg.TxSize))
	b.Header.Merkle = txMerkle(&b, ids)
	return b, append(encodeBlockMsg(&b, MsgBlock), list...)
}

// TestTxsMaliciousBlocks: a block with one invalid transaction is
// rejected, whatever makes it invalid; the valid block is accepted and its
// transfer applied.
func TestTxsMaliciousBlocks(t *testing.T) {
	users := txUsers(3)
	miners := minerAddrs(2)
	cfg := testConfig(0)
	cfg.Txs = &TxConfig{Genesis: genesisOf(users, 1000), Miners: miners}
	g := mustGenesis(t, cfg)
	ok := signedTransfer(t, users[0], users[1], 100, 5, 0)
	badSig := signedTransfer(t, users[0], users[1], 100, 5, 0)
	badSig.Amount = 101 // signed for 100
	prob := &ledger.Problem{Submitter: users[0].addr, Dataset: "digits", Classes: 10, TrainFrac: 650, ValFrac: 150,
		TestFrac: 200, SplitSeed: 1, Fee: 5}
	if err := prob.Sign(users[0].priv); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		txs  []ledger.Tx
		mod  func(b []byte) []byte
		want string // "" accepted
	}{
		{"valid", []ledger.Tx{ok}, nil, ""},
		{"bad signature", []ledger.Tx{badSig}, nil, "bad-tx"},
		{"overspend", []ledger.Tx{signedTransfer(t, users[0], users[1], 996, 5, 0)}, nil, "bad-ledger"},
		{"nonce gap", []ledger.Tx{signedTransfer(t, users[0], users[1], 10, 5, 1)}, nil, "bad-ledger"},
		{"replayed nonce", []ledger.Tx{ok, signedTransfer(t, users[0], users[2], 10, 5, 0)}, nil, "bad-ledger"},
		{"valid then invalid", []ledger.Tx{ok, signedTransfer(t, users[2], users[1], 5000, 5, 0)}, nil, "bad-ledger"},
		{"problem under pow", []ledger.Tx{prob}, nil, "transfers only"},
		{"tx not committed", []ledger.Tx{ok}, func(b []byte) []byte {
			return append(b[:blockMsgSize], ledger.AppendTxList(nil, []ledger.Tx{signedTransfer(t, users[0], users[2], 100, 5, 0)})...)
		}, "merkle"},
		{"truncated body", []ledger.Tx{ok}, func(b []byte) []byte { return b[:len(b)-3] }, "bad-tx"},
	}
	for _, tc := range tests {
		env := newRecEnv(1)
		n := mustNode(t, cfg, env)
		env.now = 700e9
		b, msg := txBlock(cfg, g, 600e9, 1, tc.txs)
		if tc.mod != nil {
			msg = tc.mod(slices.Clone(msg))
		}
		n.Receive(1, msg)
		rj := env.kinds(nodes.EvRejected)
		if tc.want == "" {
			if len(rj) != 0 || !n.Has(b.Header.ID()) {
				t.Errorf("%s: rejected %+v", tc.name, rj)
				continue
			}
			if got := n.State().Balance(users[1].addr); got != 1100 {
				t.Errorf("%s: receiver holds %d, want 1100", tc.name, got)
			}
			if got := n.State().Balance(miners[1]); got != ledger.Amount(cfg.BlockReward)+5 {
				t.Errorf("%s: miner holds %d, want reward + fee", tc.name, got)
			}
			continue
		}
		if len(rj) != 1 || !strings.Contains(rj[0].Note, tc.want) || n.Has(b.Header.ID()) {
			t.Errorf("%s: rejections %+v, want one containing %q", tc.name, rj, tc.want)
		}
	}
}

// TestTxsCompactFetch: a node that has seen one of a compact block's two
// transactions asks for exactly the other (6 bytes per short id on the
// wire), rebuilds the block from its mempool and the answer, and
// accepts it; a node that has seen both accepts the compact block at once.
func TestTxsCompactFetch(t *testing.T) {
	users := txUsers(3)
	cfg := testConfig(0)
	cfg.Relay = RelayCompact
	cfg.Txs = &TxConfig{Genesis: genesisOf(users, 1000), Miners: minerAddrs(2)}
	g := mustGenesis(t, cfg)
	a := signedTransfer(t, users[0], users[1], 100, 5, 0)
	c := signedTransfer(t, users[1], users[2], 50, 7, 0)
	b, full := txBlock(cfg, g, 600e9, 1, []ledger.Tx{a, c})
	id := b.Header.ID()

	// The server: a node that accepted the full block.
	senv := newRecEnv(0, 2)
	server := mustNode(t, testConfig1(cfg), senv)
	senv.now = 700e9
	server.Receive(2, full)
	if !server.Has(id) {
		t.Fatalf("server rejected the block: %+v", senv.kinds(nodes.EvRejected))
	}
	senv.take()
	server.Receive(0, server.small(MsgGetData, id, RelayCompact))
	out := senv.take()
	if len(out) != 1 || out[0].typ != MsgCmpctBlock {
		t.Fatalf("server sent %+v", out)
	}
	cmpct := out[0].msg
	if got, want := len(cmpct), blockMsgSize+4+2*ShortIDSize; got != want {
		t.Errorf("compact block of %d bytes, want %d (6 per transaction)", got, want)
	}

	for _, tc := range []struct {
		name  string
		knows []ledger.Tx
		fetch bool
	}{{"knows both", []ledger.Tx{a, c}, false}, {"knows one", []ledger.Tx{a}, true}} {
		env := newRecEnv(1)
		n := mustNode(t, cfg, env)
		env.now = 700e9
		for _, tx := range tc.knows {
			n.Receive(1, append([]byte{byte(MsgTx)}, ledger.Encode(tx)...))
		}
		env.take()
		n.Receive(1, cmpct)
		if !tc.fetch {
			if !n.Has(id) {
				t.Errorf("%s: not accepted: %+v", tc.name, env.kinds(nodes.EvRejected))
			}
			continue
		}
		if n.Has(id) {
			t.Fatalf("%s: accepted without the missing transaction", tc.name)
		}
		ask := env.take()
		if len(ask) != 1 || ask[0].typ != MsgGetBlockTxn || len(ask[0].msg) != getBlockTxnTxSize+4 || le32(ask[0].msg[getBlockTxnTxSize:]) != 1 {
			t.Fatalf("%s: asked %+v, want index 1", tc.name, ask)
		}
		server.Receive(1, ask[0].msg)
		ans := senv.take()
		if len(ans) != 1 || ans[0].typ != MsgBlockTxn || ans[0].pad != 0 {
			t.Fatalf("%s: answered %+v", tc.name, ans)
		}
		n.Receive(0, ans[0].msg)
		if !n.Has(id) || n.State().Balance(users[2].addr) != 1050 {
			t.Errorf("%s: not accepted after the fetch: %+v", tc.name, env.kinds(nodes.EvRejected))
		}
	}
}

func testConfig1(c Config) Config { c.ID = 0; return c }

// TestTxsValidationDelay: a block with real transactions is charged per
// transaction for them and for its filler, in either form.
func TestTxsValidationDelay(t *testing.T) {
	users := txUsers(2)
	cfg := testConfig(0)
	txs := []ledger.Tx{signedTransfer(t, users[0], users[1], 1, 1, 0), signedTransfer(t, users[0], users[1], 1, 1, 1)}
	b, full := txBlock(cfg, mustGenesis(t, cfg), 100e9, 1, txs)
	ids := [][32]byte{txs[0].ID(), txs[1].ID()}
	bd := newBody(full[:blockMsgSize], txs, ids)
	d := ValidationDelay(2e6, 10e3)
	want := 2e6 + 10e3*int64(int(b.Filler.Count)+2)
	for name, msg := range map[string][]byte{"block": full, "cmpctblock": bd.cmpct} {
		if got := d(msg, 0); got != want {
			t.Errorf("%s: delay %d, want %d", name, got, want)
		}
	}
}
