package attack

import (
	"github.com/coinai/coinai/nodes"
)

// Eclipse modes (EclipseConfig.Mode).
const (
	// EclipseDelay holds every message between a victim and the network
	// for Delay before passing it on.
	EclipseDelay = "delay"
	// EclipseWithhold drops every message between a victim and the
	// network: the victim mines and validates alone.
	EclipseWithhold = "withhold"
)

// EclipseConfig is what an eclipse attacker does to its victims' traffic.
type EclipseConfig struct {
	// Victims are the nodes whose traffic the attacker controls; the
	// scenario makes the eclipse nodes all of their peers.
	Victims []nodes.PeerID
	// Mode is EclipseDelay or EclipseWithhold.
	Mode string
	// Delay in ns (EclipseDelay; 0 passes messages on at once, the
	// honest comparison on the same topology).
	Delay int64
}

// tagEclipse tags the wrapper's own timers; the wrapped node's tags use
// kinds below it (pow 1-2, Coin.AI 1-8 in the top byte).
const (
	tagEclipse = 0xEC << 56
	tagKind    = 0xFF << 56
)

// Eclipse is an attacker node among all of a victim's peers (Heilman et
// al., "Eclipse attacks on Bitcoin's peer-to-peer network", USENIX
// Security 2015): an honest relay (its node validates and relays as any
// does, and does not mine) that holds every message to and from a victim
// for Delay, or drops it. The victim then mines on tips the network has
// left: the work wasted, and the victim's blocks that go stale, are what
// summary.json's victim_* keys measure.
type Eclipse struct {
	inner
	cfg     EclipseConfig
	victims map[nodes.PeerID]bool
	env     nodes.Env
	// held are the delayed messages in the order they are due (the delay
	// is the same for all, so first in, first out).
	held []heldMsg
	seq  uint64
}

type heldMsg struct {
	toVictim bool
	peer     nodes.PeerID
	msg      []byte
	pad      int
}

var (
	_ nodes.Node        = (*Eclipse)(nil)
	_ nodes.Tipper      = (*Eclipse)(nil)
	_ nodes.Restarter   = (*Eclipse)(nil)
	_ nodes.Reconnecter = (*Eclipse)(nil)
)

// NewEclipse wraps node n (a non-mining relay) as an eclipse attacker.
func NewEclipse(n nodes.Node, cfg EclipseConfig) *Eclipse {
	e := &Eclipse{inner: inner{n}, cfg: cfg, victims: map[nodes.PeerID]bool{}}
	for _, v := range cfg.Victims {
		e.victims[v] = true
	}
	return e
}

func (e *Eclipse) wrap(env nodes.Env) nodes.Env {
	e.env = env
	e.held = nil
	return &wrapEnv{Env: env, send: e.send, observe: env.Observe}
}

// Start implements nodes.Node.
func (e *Eclipse) Start(env nodes.Env) { e.n.Start(e.wrap(env)) }

// Restart implements nodes.Restarter: held messages died with the node.
func (e *Eclipse) Restart(env nodes.Env) {
	if r, ok := e.n.(nodes.Restarter); ok {
		r.Restart(e.wrap(env))
	} else {
		e.n.Start(e.wrap(env))
	}
}

// Reconnected implements nodes.Reconnecter.
func (e *Eclipse) Reconnected(peer nodes.PeerID) {
	if r, ok := e.n.(nodes.Reconnecter); ok {
		r.Reconnected(peer)
	}
}

// Receive implements nodes.Node: a victim's message is held or dropped.
func (e *Eclipse) Receive(from nodes.PeerID, msg []byte) {
	if e.victims[from] && e.hold(false, from, msg, 0) {
		return
	}
	e.n.Receive(from, msg)
}

// send is the node's Send: a message to a victim is held or dropped.
func (e *Eclipse) send(to nodes.PeerID, msg []byte, padding int) {
	if e.victims[to] && e.hold(true, to, msg, padding) {
		return
	}
	e.env.Send(to, msg, padding)
}

// hold keeps or drops a message between the node and a victim; it
// reports false if the message is to pass at once.
func (e *Eclipse) hold(toVictim bool, peer nodes.PeerID, msg []byte, pad int) bool {
	if e.cfg.Mode == EclipseWithhold {
		return true
	}
	if e.cfg.Delay <= 0 {
		return false
	}
	e.held = append(e.held, heldMsg{toVictim: toVictim, peer: peer, msg: msg, pad: pad})
	e.seq++
	e.env.After(e.cfg.Delay, tagEclipse|e.seq&^tagKind)
	return true
}

// OnTimer implements nodes.Node: the wrapper's timers release the oldest
// held message; the others are the node's.
func (e *Eclipse) OnTimer(tag uint64) {
	if tag&tagKind != tagEclipse {
		e.n.OnTimer(tag)
		return
	}
	if len(e.held) == 0 {
		return
	}
	h := e.held[0]
	e.held[0] = heldMsg{}
	e.held = e.held[1:]
	if h.toVictim {
		e.env.Send(h.peer, h.msg, h.pad)
	} else {
		e.n.Receive(h.peer, h.msg)
	}
}

// OnComputed implements nodes.Node.
func (e *Eclipse) OnComputed(tag uint64, result any) { e.n.OnComputed(tag, result) }
