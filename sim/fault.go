package sim

import "slices"

// Faults is a run's fault plan, for any protocol: per-node offline windows,
// fault events that strike one node at a fixed time, link faults (cuts,
// losses and delays of the links between nodes during a window) and
// crashes.
//
// An offline node is cut off from the network: its host drops every
// message it sends and every message that arrives for it, while the node
// keeps running its timers and jobs (a network cut, not a crash). A fault
// event is delivered to the node's host at its time, which applies it to
// the node (FaultDiskLoss: the node loses what it keeps on disk). A crash
// is an offline window during which the node does not run at all: its
// host drops its timers and jobs at the crash and restarts it at the end
// of the window (see AddCrash).
//
// A nil *Faults is a plan without faults. Build the plan before the run;
// during the run it is only read.
type Faults struct {
	offline [][]Window // per node, sorted by From
	events  []Fault    // in the order added
	links   []LinkFault
	crashes []Crash
	cuts    bool // some link fault is a cut
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
	// FaultCrash: the node stops (Index names the crash in Crashes).
	FaultCrash
	// FaultRestart: a crashed node starts again (Index names the crash).
	FaultRestart
	// FaultHeal: a cut ends (Node -1; Index names the link fault in
	// Links), and the nodes on either side of the links it cut reconnect.
	FaultHeal
)

// String names the kind as scenarios do.
func (k FaultKind) String() string {
	switch k {
	case FaultDiskLoss:
		return "disk-loss"
	case FaultCrash:
		return "crash"
	case FaultRestart:
		return "restart"
	case FaultHeal:
		return "heal"
	}
	return "unknown"
}

// Fault is a fault event: Kind strikes Node at At. Index names the crash
// (FaultCrash, FaultRestart) or the link fault (FaultHeal) it belongs to.
type Fault struct {
	Node  int32
	At    Time
	Kind  FaultKind
	Index int
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

// LinkKind names what a link fault does to the messages of the links it
// covers.
type LinkKind uint8

const (
	// LinkCut drops every message: the links are down (a partition, or a
	// loss rate of 1). When the window ends the nodes on either side of
	// each cut link reconnect (FaultHeal).
	LinkCut LinkKind = iota + 1
	// LinkLoss drops each message with probability Loss, drawn from the
	// random stream Stream when the message is sent.
	LinkLoss
	// LinkDelay delays each message by Extra, plus Factor-1 times the
	// mean latency between the regions of its ends (Factor 0 or 1: none).
	LinkDelay
)

// String names the kind.
func (k LinkKind) String() string {
	switch k {
	case LinkCut:
		return "cut"
	case LinkLoss:
		return "loss"
	case LinkDelay:
		return "delay"
	}
	return "unknown"
}

// LinkFault is a fault of the links between nodes during a window. The
// links it covers are given by Side, a label per node: nil covers every
// link; with Across, the links between nodes of different labels (the
// sides of a partition); without, the links with at least one end
// labelled other than 0 (the links of a node set). It applies to the
// messages sent during the window; a cut also drops the messages in
// flight on its links when they arrive inside it.
type LinkFault struct {
	Window
	Kind   LinkKind
	Side   []int16
	Across bool
	Loss   float64 // LinkLoss: probability that a message is lost
	Extra  Time    // LinkDelay: added to every message
	Factor float64 // LinkDelay: multiplies the mean latency (0 or 1: no change)
	// Stream names the random stream of LinkLoss draws.
	Stream string
	// Source is the caller's name for the fault (the scenario's fault
	// table it comes from), for reports.
	Source int
}

func (l *LinkFault) side(n int32) int16 {
	if n < 0 || int(n) >= len(l.Side) {
		return 0
	}
	return l.Side[n]
}

// Covers reports whether the fault applies to the link between a and b
// (in either direction).
func (l *LinkFault) Covers(a, b int32) bool {
	if l.Side == nil {
		return true
	}
	sa, sb := l.side(a), l.side(b)
	if l.Across {
		return sa != sb
	}
	return sa != 0 || sb != 0
}

// AddLink adds a link fault and returns its index in Links. A cut that
// ends (Until > 0) adds its FaultHeal event.
func (f *Faults) AddLink(l LinkFault) int {
	f.links = append(f.links, l)
	i := len(f.links) - 1
	if l.Kind == LinkCut {
		f.cuts = true
		if l.Until > 0 {
			f.AddEvent(Fault{Node: -1, At: l.Until, Kind: FaultHeal, Index: i})
		}
	}
	return i
}

// Links returns the link faults in the order added. Callers must not
// modify the slice.
func (f *Faults) Links() []LinkFault {
	if f == nil {
		return nil
	}
	return f.links
}

// HasLinks reports whether the plan has link faults.
func (f *Faults) HasLinks() bool { return f != nil && len(f.links) > 0 }

// HasCuts reports whether some link fault is a cut.
func (f *Faults) HasCuts() bool { return f != nil && f.cuts }

// Cut returns the index of a cut that holds the link between a and b at
// time t, or -1.
func (f *Faults) Cut(a, b int32, t Time) int {
	if f == nil || !f.cuts {
		return -1
	}
	for i := range f.links {
		l := &f.links[i]
		if l.Kind == LinkCut && l.Contains(t) && l.Covers(a, b) {
			return i
		}
	}
	return -1
}

// severs reports whether l keeps some messages of the links it covers
// from arriving: a cut, or a loss above 0. Such links carry no bound on
// delivery, so checkers do not ask the nodes on either side to agree.
func (l *LinkFault) severs() bool { return l.Kind == LinkCut || l.Kind == LinkLoss && l.Loss > 0 }

// HasSevered reports whether some link fault is a cut or a loss above 0.
func (f *Faults) HasSevered() bool {
	if f == nil {
		return false
	}
	for i := range f.links {
		if f.links[i].severs() {
			return true
		}
	}
	return false
}

// Severed reports whether a cut or a loss above 0 holds the link between
// a and b at time t.
func (f *Faults) Severed(a, b int32, t Time) bool {
	if f == nil {
		return false
	}
	for i := range f.links {
		l := &f.links[i]
		if l.severs() && l.Contains(t) && l.Covers(a, b) {
			return true
		}
	}
	return false
}

// Crash is a crash of one node: it stops at From and starts again at
// Until (0: never), with what it keeps on disk (Lost false) or from
// nothing (Lost true).
type Crash struct {
	Node int32
	Window
	Lost bool
	// Source is the caller's name for the fault, as for LinkFault.
	Source int
}

// AddCrash adds a crash: the node is offline during w (see AddOffline),
// a FaultCrash event strikes it at w.From and a FaultRestart at w.Until.
// Crashes of one node must not overlap (the caller merges them). It
// returns the crash's index in Crashes.
func (f *Faults) AddCrash(c Crash) int {
	if c.Node < 0 {
		return -1
	}
	f.crashes = append(f.crashes, c)
	i := len(f.crashes) - 1
	f.AddOffline(c.Node, c.Window)
	f.AddEvent(Fault{Node: c.Node, At: c.From, Kind: FaultCrash, Index: i})
	if c.Until > 0 {
		f.AddEvent(Fault{Node: c.Node, At: c.Until, Kind: FaultRestart, Index: i})
	}
	return i
}

// Crashes returns the crashes in the order added. Callers must not modify
// the slice.
func (f *Faults) Crashes() []Crash {
	if f == nil {
		return nil
	}
	return f.crashes
}

// CrashAt returns the index of the crash of node that holds time t, or -1.
func (f *Faults) CrashAt(node int32, t Time) int {
	if f == nil {
		return -1
	}
	for i := range f.crashes {
		if c := &f.crashes[i]; c.Node == node && c.Contains(t) {
			return i
		}
	}
	return -1
}

// Parts follows how a plan's cuts, link losses and offline windows split
// a network into connected parts over time, for checkers that must not
// ask nodes that cannot hear each other to agree. A part is a connected
// component of the peer graph without the links severed at that time (cut,
// or losing messages: a lossy link bounds no delivery) and without the
// nodes offline then (an offline node is in no part: -1). A part is
// labelled by its lowest node index.
//
// When parts that had been apart join (a cut heals, or a node that
// joined two parts comes back), every node of the new part is marked
// rejoined at that time: their chains may disagree until they have
// caught up. A node coming back online alone into a part marks nobody;
// its own offline window says that it is catching up. A part that a
// lossy link (not a cut) joins to another is rejoining all the time:
// blocks leak across at random moments and rearrange its chains, so its
// nodes count as rejoined now for as long as the loss lasts.
type Parts struct {
	f        *Faults
	adj      [][]int32
	bounds   []Time // every time at which a cut or offline window starts or ends, sorted
	next     int    // bounds[:next] are applied
	label    []int32
	rejoined []Time
	count    int // parts with at least one node
	parent   []int32
	at       Time   // the last time given to At
	version  int    // layouts computed so far
	severed  bool   // the plan severs links at all
	leaky    []bool // per node: its part has a lossy link to another part
}

// NewParts follows the parts of the network of peer lists adj under f.
// Without severed links every online node is in part 0 for good; with
// them, the parts at time 0 are computed now.
func NewParts(f *Faults, adj [][]int32) *Parts {
	n := len(adj)
	p := &Parts{f: f, adj: adj, label: make([]int32, n), rejoined: make([]Time, n), parent: make([]int32, n)}
	for i := range p.rejoined {
		p.rejoined[i] = -1
	}
	p.severed = f.HasSevered()
	if !p.severed {
		p.count = 1
		return p
	}
	for i := range f.links {
		if l := &f.links[i]; l.severs() {
			p.bounds = append(p.bounds, l.From)
			if l.Until > 0 {
				p.bounds = append(p.bounds, l.Until)
			}
		}
	}
	for _, ws := range f.offline {
		for _, w := range ws {
			p.bounds = append(p.bounds, w.From)
			if w.Until > 0 {
				p.bounds = append(p.bounds, w.Until)
			}
		}
	}
	slices.Sort(p.bounds)
	p.bounds = slices.Compact(p.bounds)
	p.compute(0, false)
	for p.next < len(p.bounds) && p.bounds[p.next] <= 0 {
		p.next++
	}
	return p
}

// At brings the parts to time t, applying every boundary up to t in
// order (t must not decrease between calls).
func (p *Parts) At(t Time) {
	p.at = max(p.at, t)
	for p.next < len(p.bounds) && p.bounds[p.next] <= t {
		p.compute(p.bounds[p.next], true)
		p.next++
	}
}

func (p *Parts) find(i int32) int32 {
	for p.parent[i] != i {
		p.parent[i] = p.parent[p.parent[i]]
		i = p.parent[i]
	}
	return i
}

// compute labels the parts at time t and, if mark, marks the nodes of
// parts that joined parts of before.
func (p *Parts) compute(t Time, mark bool) {
	n := int32(len(p.adj))
	for i := range n {
		p.parent[i] = i
	}
	for a := range n {
		if p.f.Offline(a, t) {
			continue
		}
		for _, b := range p.adj[a] {
			if b <= a || p.f.Offline(b, t) || p.f.Severed(a, b, t) {
				continue
			}
			ra, rb := p.find(a), p.find(b)
			if ra != rb {
				if rb < ra {
					ra, rb = rb, ra
				}
				p.parent[rb] = ra // the root is the lowest index
			}
		}
	}
	p.version++
	// A new part that holds nodes of two or more old parts was joined.
	old := slices.Clone(p.label)
	first := make(map[int32]int32) // new part -> an old part of its nodes
	joined := make(map[int32]bool)
	p.count = 0
	for i := range n {
		if p.f.Offline(i, t) {
			p.label[i] = -1
			continue
		}
		r := p.find(i)
		p.label[i] = r
		if r == i {
			p.count++
		}
		if !mark || old[i] < 0 {
			continue
		}
		if o, ok := first[r]; !ok {
			first[r] = old[i]
		} else if o != old[i] {
			joined[r] = true
		}
	}
	for i := range n {
		if r := p.label[i]; r >= 0 && joined[r] {
			p.rejoined[i] = t
		}
	}
	// Parts joined to others by lossy links.
	if p.leaky == nil {
		p.leaky = make([]bool, n)
	}
	leak := make(map[int32]bool)
	for a := range n {
		for _, b := range p.adj[a] {
			if la, lb := p.label[a], p.label[b]; la >= 0 && lb >= 0 && la != lb && p.f.Cut(a, b, t) < 0 {
				leak[la], leak[lb] = true, true
			}
		}
	}
	for i := range n {
		p.leaky[i] = p.label[i] >= 0 && leak[p.label[i]]
	}
}

// Part returns node i's part at the last time given to At (-1: offline).
func (p *Parts) Part(i int32) int32 {
	if !p.severed {
		if p.f.Offline(i, p.at) {
			return -1
		}
		return 0
	}
	return p.label[i]
}

// Rejoined returns the last time at which node i's part was formed by
// joining parts that had been apart, or -1; the current time for a node
// whose part a lossy link joins to another.
func (p *Parts) Rejoined(i int32) Time {
	if p.leaky != nil && p.leaky[i] {
		return p.at
	}
	return p.rejoined[i]
}

// Split reports whether the online nodes form more than one part.
func (p *Parts) Split() bool { return p.count > 1 }

// Version counts the layouts computed so far: it changes whenever a cut
// or an offline window starts or ends, and parts may have changed.
func (p *Parts) Version() int { return p.version }
