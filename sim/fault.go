package sim

import "slices"

// Faults is a run's fault plan, for any protocol: per-node offline windows
// and fault events that strike one node at a fixed time.
//
// An offline node is cut off from the network: its host drops every
// message it sends and every message that arrives for it, while the node
// keeps running its timers and jobs (a network cut, not a crash). A fault
// event is delivered to the node's host at its time, which applies it to
// the node (FaultDiskLoss: the node loses what it keeps on disk).
//
// A nil *Faults is a plan without faults. Build the plan before the run;
// during the run it is only read.
type Faults struct {
	offline [][]Window // per node, sorted by From
	events  []Fault    // in the order added
}

// Window is a span of virtual time [From, Until); Until 0 means forever.
type Window struct{ From, Until Time }

// Contains reports whether t lies in the window.
func (w Window) Contains(t Time) bool { return t >= w.From && (w.Until == 0 || t < w.Until) }

// FaultKind names what a fault event does to its node.
type FaultKind uint8

const (
	// FaultDiskLoss: the node loses everything it keeps on disk and goes
	// on running without it.
	FaultDiskLoss FaultKind = iota + 1
)

// String names the kind as scenarios do.
func (k FaultKind) String() string {
	switch k {
	case FaultDiskLoss:
		return "disk-loss"
	}
	return "unknown"
}

// Fault is a fault event: Kind strikes Node at At.
type Fault struct {
	Node int32
	At   Time
	Kind FaultKind
}

// AddOffline cuts node off during w.
func (f *Faults) AddOffline(node int32, w Window) {
	if node < 0 {
		return
	}
	for int(node) >= len(f.offline) {
		f.offline = append(f.offline, nil)
	}
	ws := append(f.offline[node], w)
	slices.SortStableFunc(ws, func(a, b Window) int {
		switch {
		case a.From < b.From:
			return -1
		case a.From > b.From:
			return 1
		}
		return 0
	})
	f.offline[node] = ws
}

// AddEvent adds a fault event. Events are scheduled in the order added.
func (f *Faults) AddEvent(ev Fault) { f.events = append(f.events, ev) }

// HasOffline reports whether any node has an offline window.
func (f *Faults) HasOffline() bool {
	if f == nil {
		return false
	}
	for _, ws := range f.offline {
		if len(ws) > 0 {
			return true
		}
	}
	return false
}

// Offline reports whether node is cut off at time t.
func (f *Faults) Offline(node int32, t Time) bool {
	if f == nil || node < 0 || int(node) >= len(f.offline) {
		return false
	}
	for _, w := range f.offline[node] {
		if w.Contains(t) {
			return true
		}
	}
	return false
}

// OfflineDuring reports whether node is cut off at any instant of
// [from, until] (inclusive at both ends).
func (f *Faults) OfflineDuring(node int32, from, until Time) bool {
	if f == nil || node < 0 || int(node) >= len(f.offline) {
		return false
	}
	for _, w := range f.offline[node] {
		if w.From <= until && (w.Until == 0 || w.Until > from) {
			return true
		}
	}
	return false
}

// Events returns the fault events in the order added. Callers must not
// modify the slice.
func (f *Faults) Events() []Fault {
	if f == nil {
		return nil
	}
	return f.events
}

// Schedule puts every fault event on k's queue, in the order added, as an
// event of the caller's kind with Src -1, Dst the node and Tag the event's
// index in Events (ID 0: the digest sees the kind, the time and the node).
func (f *Faults) Schedule(k *Kernel, kind uint8) {
	for i, ev := range f.Events() {
		k.Schedule(Event{At: ev.At, Kind: kind, Src: -1, Dst: ev.Node, Tag: uint64(i)})
	}
}

// OfflineWindows returns node's offline windows, sorted by From (a fresh
// slice; nil for a node that is never cut off).
func (f *Faults) OfflineWindows(node int32) []Window {
	if f == nil || node < 0 || int(node) >= len(f.offline) {
		return nil
	}
	return slices.Clone(f.offline[node])
}
