package host

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// sendNode sends node 1 a message at each of its times (payload and
// padding given), and records what it receives.
type sendNode struct {
	env  nodes.Env
	plan []sendAt
	got  []int // sizes received, payload only
}

type sendAt struct {
	at      sim.Time
	payload int
	padding int
}

func (n *sendNode) Start(env nodes.Env) {
	n.env = env
	for k, s := range n.plan {
		env.After(s.at, uint64(k))
	}
}
func (n *sendNode) OnTimer(tag uint64) {
	s := n.plan[tag]
	n.env.Send(1, make([]byte, s.payload), s.padding)
}
func (n *sendNode) Receive(_ nodes.PeerID, msg []byte) { n.got = append(n.got, len(msg)) }
func (n *sendNode) OnComputed(uint64, any)             {}

// Bytes dropped at an offline node are not received: node 1, offline
// from 0 to 3 s, does not count the 100+1000 bytes node 0 sends it at
// 1 s, counts the 10+20 bytes sent at 5 s once they arrive, and not
// while they are still in flight.
func TestBytesRecvSkipsDroppedMessages(t *testing.T) {
	for _, tc := range []struct {
		stop           sim.Time
		recv, received int
	}{{4 * sim.Second, 0, 0}, {5*sim.Second + 1, 0, 0}, {10 * sim.Second, 30, 1}} {
		cfg := testConfig(2)
		cfg.StopTime = tc.stop
		var f sim.Faults
		f.AddOffline(1, sim.Window{From: 0, Until: 3 * sim.Second})
		cfg.Faults = &f
		var ns []*sendNode
		cfg.NewNode = func(i int) (nodes.Node, error) {
			n := &sendNode{}
			if i == 0 {
				n.plan = []sendAt{{1 * sim.Second, 100, 1000}, {5 * sim.Second, 10, 20}}
			}
			ns = append(ns, n)
			return n, nil
		}
		h, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Run(); err != nil {
			t.Fatal(err)
		}
		sentBytes := 1100
		if tc.stop > 5*sim.Second {
			sentBytes += 30
		}
		if got := h.BytesSent()[0]; got != int64(sentBytes) {
			t.Errorf("stop %v: node 0 sent %d bytes, want %d", tc.stop, got, sentBytes)
		}
		if got := h.BytesRecv(); got[1] != int64(tc.recv) || got[0] != 0 {
			t.Errorf("stop %v: bytes received %v, want [0 %d]", tc.stop, got, tc.recv)
		}
		if len(ns[1].got) != tc.received {
			t.Errorf("stop %v: node 1 received %v, want %d messages", tc.stop, ns[1].got, tc.received)
		}
	}
}
