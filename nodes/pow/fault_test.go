package pow

import (
	"testing"

	"github.com/coinai/coinai/nodes"
)

// An orphan whose parent request was lost (every announcer timed out) is
// not a dead end: when a block above it arrives, the node asks for the
// missing ancestor below the orphans, not for the orphan it already holds.
func TestOrphanChainAsksForItsRoot(t *testing.T) {
	cfg := testConfig(1)
	env := newRecEnv(7, 8)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	b1, _ := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	b2, m2 := child(cfg, b1, 200e9, 7, 0)
	_, m3 := child(cfg, b2, 300e9, 7, 0)
	n.Receive(7, m2) // an orphan: asks 7 for b1
	if s := env.take(); len(s) != 1 || [32]byte(s[0].msg[1:33]) != b1.Header.ID() {
		t.Fatalf("sent %+v, want a getdata of b1", s)
	}
	n.OnTimer(env.timers[len(env.timers)-1].tag) // 7 never answers: dropped
	if n.reqs.Len() != 0 {
		t.Fatal("request kept")
	}
	n.Receive(8, m3) // on b2, an orphan held: ask 8 for b1
	s := env.take()
	if len(s) != 1 || s[0].to != 8 || s[0].typ != MsgGetData || [32]byte(s[0].msg[1:33]) != b1.Header.ID() {
		t.Fatalf("sent %+v, want a getdata of b1 to 8", s)
	}
}

// Reconnected announces the tip and forgets what was served to the peer,
// which may ask again (it restarted from nothing); at genesis there is
// nothing to announce.
func TestReconnected(t *testing.T) {
	cfg := testConfig(1)
	env := newRecEnv(7, 8)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	n.Reconnected(8)
	if s := env.take(); len(s) != 0 {
		t.Fatalf("at genesis sent %+v", s)
	}
	b1, m1 := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	n.Receive(7, m1)
	env.take()
	get := (&Message{Type: MsgGetData, ID: b1.Header.ID(), Want: RelayFull}).Append(nil)
	n.Receive(8, get)
	n.Receive(8, get)
	if s := env.take(); len(s) != 1 {
		t.Fatalf("served %d times, want once", len(s))
	}
	n.Reconnected(8)
	s := env.take()
	if len(s) != 1 || s[0].to != 8 || s[0].typ != MsgInv || [32]byte(s[0].msg[1:33]) != b1.Header.ID() {
		t.Fatalf("reconnect sent %+v, want an inv of the tip to 8", s)
	}
	n.Receive(8, get)
	if s := env.take(); len(s) != 1 || s[0].typ != MsgBlock {
		t.Errorf("after reconnecting served %+v, want the block again", s)
	}
}

// Restart keeps the chain, forgets the requests in flight (their timers
// died with the crash) and mines again on the tip.
func TestRestartKeepsChain(t *testing.T) {
	cfg := testConfig(1)
	cfg.Miner, cfg.HashRate = true, 1
	env := newRecEnv(7)
	n := mustNode(t, cfg, env)
	b1, m1 := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	n.Receive(7, m1)
	b3 := (&Message{Type: MsgInv, ID: [32]byte{9}}).Append(nil)
	n.Receive(7, b3)
	if n.reqs.Len() != 1 {
		t.Fatal("no request in flight")
	}
	env2 := newRecEnv(7)
	n.Restart(env2)
	if tip, h := n.Tip(); tip != b1.Header.ID() || h != 1 || n.reqs.Len() != 0 || !env2.busy || len(env2.timers) != 1 {
		t.Errorf("after restart: height %d, %d requests, busy %v, %d timers; want 1, 0, true, 1 (mining)", h, n.reqs.Len(), env2.busy, len(env2.timers))
	}
	n.Receive(7, b3) // asked again
	if s := env2.take(); len(s) != 1 || s[0].typ != MsgGetData {
		t.Errorf("re-announced block: sent %+v, want a getdata", s)
	}
}

var _ nodes.Restarter = (*Node)(nil)
