package attack

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// fakeEnv records what a wrapper sends and arms.
type fakeEnv struct {
	peers  []nodes.PeerID
	sent   []string // "to:msg"
	timers []uint64
	events []nodes.Event
}

func (e *fakeEnv) Now() int64            { return 0 }
func (e *fakeEnv) Rand() *rand.Rand      { return rand.New(rand.NewPCG(1, 2)) }
func (e *fakeEnv) Peers() []nodes.PeerID { return e.peers }
func (e *fakeEnv) Send(to nodes.PeerID, msg []byte, pad int) {
	e.sent = append(e.sent, fmt.Sprintf("%d:%s", to, msg))
}
func (e *fakeEnv) After(d int64, tag uint64) nodes.Handle {
	e.timers = append(e.timers, tag)
	return nodes.Handle(len(e.timers))
}
func (e *fakeEnv) Compute(nodes.Job, uint64) nodes.Handle { return 0 }
func (e *fakeEnv) Cancel(nodes.Handle)                    {}
func (e *fakeEnv) SetBusy(bool)                           {}
func (e *fakeEnv) Observe(ev nodes.Event)                 { e.events = append(e.events, ev) }

// fakeNode is an honest node that does what the test tells it to through
// its env, and records what it hears.
type fakeNode struct {
	env   nodes.Env
	heard []string
	fired []uint64
	act   func(env nodes.Env)
}

func (n *fakeNode) Start(env nodes.Env) { n.env = env }
func (n *fakeNode) Receive(from nodes.PeerID, msg []byte) {
	n.heard = append(n.heard, fmt.Sprintf("%d:%s", from, msg))
	if n.act != nil {
		n.act(n.env)
	}
}
func (n *fakeNode) OnTimer(tag uint64) {
	n.fired = append(n.fired, tag)
	if n.act != nil {
		n.act(n.env)
	}
}
func (n *fakeNode) OnComputed(uint64, any) {}

// Algorithm 1, step by step: P is a block the pool finds on its private
// head, H an honest block that lengthens the public chain. Releases are
// written m[heights] (match, to reach) and o[heights] (override, to all).
func TestPoolAlgorithm1(t *testing.T) {
	tests := []struct {
		steps         string
		releases      string
		adopts        int
		priv, pub     int64
		branchLen     int
		unreleasedTop int64 // highest branch block not yet released (0: none)
	}{
		{"P", "", 0, 1, 0, 1, 1},                // lead 1: withhold
		{"H", "", 1, 1, 1, 0, 0},                // state 0: adopt
		{"P H", "m[1]", 0, 1, 1, 1, 0},          // lead 1, they find: tie (0')
		{"P H P", "m[1] o[1 2]", 0, 2, 2, 0, 0}, // 0', pool finds: wins
		{"P H H", "m[1]", 1, 2, 2, 0, 0},        // 0', they find: adopt
		{"P P H", "o[1 2]", 0, 2, 2, 0, 0},      // lead 2, they find: override
		{"P P P H", "m[1]", 0, 3, 1, 3, 3},      // lead 3: match the first
		{"P P P H H", "m[1] o[1 2 3]", 0, 3, 3, 0, 0},
		{"P P P P H H H", "m[1] m[2] o[1 2 3 4]", 0, 4, 4, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.steps, func(t *testing.T) {
			p := NewPool([]nodes.PeerID{9}, nil)
			for _, s := range strings.Fields(tc.steps) {
				switch s {
				case "P":
					h := p.privHeight + 1
					p.found(&poolBlock{id: [32]byte{byte(h)}, height: h})
				case "H":
					p.othersFound(p.pubHeight + 1)
				}
			}
			var got []string
			for _, r := range p.pending {
				var hs []string
				for _, b := range r.blocks {
					hs = append(hs, fmt.Sprint(b.height))
				}
				k := "m"
				if r.override {
					k = "o"
				}
				got = append(got, k+"["+strings.Join(hs, " ")+"]")
			}
			if g := strings.Join(got, " "); g != tc.releases {
				t.Errorf("releases %q, want %q", g, tc.releases)
			}
			if p.Stats.Adopts != tc.adopts || p.privHeight != tc.priv || p.pubHeight != tc.pub || p.branchLen != tc.branchLen {
				t.Errorf("adopts %d priv %d pub %d branchLen %d, want %d %d %d %d",
					p.Stats.Adopts, p.privHeight, p.pubHeight, p.branchLen, tc.adopts, tc.priv, tc.pub, tc.branchLen)
			}
			var top int64
			for _, b := range p.branch {
				if !b.matched && !b.sent {
					top = max(top, b.height)
				}
			}
			if top != tc.unreleasedTop {
				t.Errorf("highest unreleased %d, want %d", top, tc.unreleasedTop)
			}
		})
	}
}

// A block found on a head the pool had left is withheld and changes
// nothing; an honest block not above the public chain is ignored.
func TestPoolIgnoresStale(t *testing.T) {
	p := NewPool(nil, nil)
	p.found(&poolBlock{height: 1})
	p.found(&poolBlock{height: 1})
	p.othersFound(0)
	if p.privHeight != 1 || p.branchLen != 1 || p.pubHeight != 0 || p.Stats.Found != 2 || len(p.pending) != 0 {
		t.Errorf("priv %d branchLen %d pub %d found %d pending %d, want 1 1 0 2 0", p.privHeight, p.branchLen, p.pubHeight, p.Stats.Found, len(p.pending))
	}
}

// A member drops its node's announcements, tells the pool of the blocks
// its node accepts, and pushes releases: a match to its peers in reach,
// an override to every peer but the pool's (a matched block not again to
// reach).
func TestSelfishMemberRelease(t *testing.T) {
	env := &fakeEnv{peers: []nodes.PeerID{1, 2, 3, 8}} // 1, 2 in reach; 8 a member
	pool := NewPool([]nodes.PeerID{0, 8}, []nodes.PeerID{1, 2, 0})
	wire := Wire{IsInv: isInv, BlockMessage: func(_ nodes.Node, id [32]byte) ([]byte, int, bool) {
		return []byte(fmt.Sprintf("B%d", id[0])), 0, true
	}}
	step := 0
	inner := &fakeNode{}
	inner.act = func(e nodes.Env) {
		step++
		inv := append([]byte{1}, make([]byte, 32)...)
		e.Send(3, inv, 0) // an announcement: never sent
		switch step {
		case 1: // the node mines block 1
			e.Observe(nodes.Event{Kind: nodes.EvMined, Block: [32]byte{1}, Height: 1})
			e.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: [32]byte{1}, Height: 1})
		case 2: // an honest block at 1: tie
			e.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: [32]byte{0xaa}, Height: 1})
		case 3: // the node mines block 2 on 1: override
			e.Observe(nodes.Event{Kind: nodes.EvMined, Block: [32]byte{2}, Height: 2})
			e.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: [32]byte{2}, Height: 2})
		}
		e.Send(2, []byte("getdata"), 0) // requests go out
	}
	s := NewSelfish(inner, 0, pool, wire)
	s.Start(env)
	for range 3 {
		s.OnTimer(1)
	}
	// Each callback's own sends go first, then the releases it decided;
	// an override pushes blocks in height order, each to the peers in order.
	want := []string{"2:getdata", "2:getdata", "1:B1", "2:B1", "2:getdata", "3:B1", "1:B2", "2:B2", "3:B2"}
	if !slices.Equal(env.sent, want) {
		t.Errorf("sent %q,\nwant %q", env.sent, want)
	}
	if len(env.events) != 5 {
		t.Errorf("%d events reported, want the node's 5", len(env.events))
	}
	if pool.Stats.Matches != 1 || pool.Stats.Overrides != 1 || pool.Stats.Found != 2 {
		t.Errorf("stats %+v, want 1 match, 1 override, 2 found", pool.Stats)
	}
}

// Another member's block reaches the node before its next callback.
func TestSelfishMembersSync(t *testing.T) {
	pool := NewPool([]nodes.PeerID{0, 1}, nil)
	pool.mined = append(pool.mined, &poolBlock{msg: []byte("B7"), finder: 1}, &poolBlock{msg: []byte("B8"), finder: 0})
	inner := &fakeNode{}
	s := NewSelfish(inner, 0, pool, Wire{IsInv: isInv})
	s.Start(&fakeEnv{})
	s.Receive(5, []byte("x"))
	if want := []string{"0:B7", "5:x"}; !slices.Equal(inner.heard, want) {
		t.Errorf("node heard %q, want %q (its own block is not handed back)", inner.heard, want)
	}
}

// The eclipse wrapper holds messages to and from its victims for the
// delay, in order, drops them when withholding, and leaves the rest and
// its node's timers alone.
func TestEclipse(t *testing.T) {
	for _, tc := range []struct {
		mode  string
		delay int64
		sent  []string
		heard []string
	}{
		{EclipseDelay, 5, []string{"4:other", "7:to-victim"}, []string{"4:from-other", "7:from-victim"}},
		{EclipseDelay, 0, []string{"7:to-victim", "4:other"}, []string{"7:from-victim", "4:from-other"}},
		{EclipseWithhold, 5, []string{"4:other"}, []string{"4:from-other"}},
	} {
		t.Run(fmt.Sprintf("%s-%d", tc.mode, tc.delay), func(t *testing.T) {
			env := &fakeEnv{}
			inner := &fakeNode{}
			e := NewEclipse(inner, EclipseConfig{Victims: []nodes.PeerID{7}, Mode: tc.mode, Delay: tc.delay})
			e.Start(env)
			inner.env.Send(7, []byte("to-victim"), 0)
			inner.env.Send(4, []byte("other"), 0)
			e.Receive(7, []byte("from-victim"))
			e.Receive(4, []byte("from-other"))
			e.OnTimer(3) // the node's own timer
			for _, tag := range slices.Clone(env.timers) {
				e.OnTimer(tag)
			}
			if !slices.Equal(env.sent, tc.sent) || !slices.Equal(inner.heard, tc.heard) {
				t.Errorf("sent %q heard %q, want %q %q", env.sent, inner.heard, tc.sent, tc.heard)
			}
			if !slices.Equal(inner.fired, []uint64{3}) {
				t.Errorf("node's timers fired %v, want [3]", inner.fired)
			}
		})
	}
}
