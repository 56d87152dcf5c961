package relay_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/relay"
)

// ExampleRequests follows one block through a node's requests: two peers
// announce it, the first does not answer in time, the second does.
func ExampleRequests() {
	env := &printEnv{}
	var reqs relay.Requests[struct{}]
	block := [32]byte{0xb1}
	seq := uint64(0)
	ask := func(r *relay.Request[struct{}]) {
		fmt.Printf("getdata to peer %d\n", r.Peer()) // the protocol's message
		seq++
		r.Arm(env, 120e9, seq)
	}

	// Inv from peer 3: not in flight, so open a request and ask.
	if !reqs.Announced(block, 3) {
		if r := reqs.Open(block, 3); r != nil {
			ask(r)
		}
	}
	// Inv from peer 5 while waiting: remembered as another source.
	reqs.Announced(block, 5)
	// Peer 3's timer fires: ask the next announcer.
	if r := reqs.Expired(1); r != nil {
		ask(r)
	}
	// The block arrives: the request ends and its timer is cancelled.
	r, _ := reqs.Drop(env, block)
	fmt.Println("announcers", r.Announcers(), "in flight", reqs.Len())
	// Output:
	// getdata to peer 3
	// getdata to peer 5
	// cancel timer 2
	// announcers [3 5] in flight 0
}

type printEnv struct {
	nodes.Env
	timers nodes.Handle
}

func (e *printEnv) After(int64, uint64) nodes.Handle { e.timers++; return e.timers }
func (e *printEnv) Cancel(h nodes.Handle)            { fmt.Println("cancel timer", h) }
