// Package chain is the block tree every blockchain node keeps: all blocks it
// has validated, linked to their parents, with fork choice by most
// cumulative work and a bounded buffer for blocks whose parent has not
// arrived yet.
//
// The tree knows nothing of block formats. A protocol hands it each block's
// id, parent id, height, own work and a small payload of its choosing (for
// the proof-of-work baseline, a pointer to the block's shared wire bytes), and
// a Check function that validates a block against its parent. Add reports
// what changed so that a ledger can undo and apply blocks in order across a
// reorganisation.
//
// Memory is the design constraint: a simulation holds one tree per node, and
// thousands of nodes times hundreds of blocks must fit in tens of megabytes.
// Entries therefore live in a Store, parallel slices (id, link, payload)
// addressed by int32 positions, and the id index is an open-addressing table
// of int32 positions keyed by the first 8 bytes of the id, so an entry costs
// its id (32 bytes), a 24-byte link, its payload and about 8 bytes of index.
// A tree owns a store of its own unless it is given one to share: a block's
// entry is the same in every tree that holds it (its parent, height and
// cumulative work follow from the block), so the trees of all nodes of a
// run can keep one entry per block in a shared store, and each tree only
// a bit per block saying that it holds it. With 60,000 nodes that is the
// difference between a few megabytes and hundreds, and a lookup reads a
// small shared index that stays in the cache instead of the node's own.
package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
)

// ID is a block identifier, normally a cryptographic hash of the header.
type ID = [32]byte

// ErrKnown is returned by Add for a block that is already in the tree or in
// the orphan buffer.
var ErrKnown = errors.New("block already known")

// ErrHeight is returned by Add for a block whose height is not its parent's
// height plus one.
var ErrHeight = errors.New("height is not parent height + 1")

// DefaultMaxOrphans is the orphan buffer bound used when Options.MaxOrphans
// is zero. Bitcoin Core keeps at most 100 orphan transactions and a similar
// small number of blocks; the simulator only sees orphans when messages
// overtake each other or a node catches up after a partition.
const DefaultMaxOrphans = 64

// ErrConflict is returned by Add for a block whose id a shared Store
// already holds with another parent, height or work (see Store).
var ErrConflict = errors.New("block id stored with another parent or work")

// Entry is a block as the tree sees it.
type Entry[P any] struct {
	ID     ID
	Parent ID // zero for the root
	Height int64
	// ChainWork is the cumulative work from the root up to and including
	// this block (Bitcoin's "chainwork"); fork choice compares it.
	ChainWork Work
	Payload   P
}

// Block is a block offered to Add.
type Block[P any] struct {
	ID     ID
	Parent ID
	// Height is the height the block claims; Add rejects it unless it is the
	// parent's height + 1.
	Height int64
	// Work is this block's own work (not cumulative).
	Work    Work
	Payload P
}

// Check validates a block against its (already accepted) parent. It is
// called by Add when a block connects, either at once or later when it was
// an orphan whose parent arrived. It may read the tree (Get, Ancestor) but
// must not modify it. A nil Check accepts every block.
type Check[P any] func(parent Entry[P], b *Block[P]) error

// Rejection is an orphan that failed its Check when its parent arrived.
type Rejection struct {
	ID  ID
	Err error
}

// Result says what one Add changed. Its slices are owned by the tree and
// valid only until the next call to Add.
type Result struct {
	// Orphaned is true if the block was buffered because its parent is
	// unknown.
	Orphaned bool
	// Connected lists the blocks that joined the tree: the offered block
	// first, then any buffered orphans it released, parents before children.
	Connected []ID
	// Rejected lists released orphans that failed Check; they are dropped.
	Rejected []Rejection
	// Evicted lists orphans dropped to keep the buffer bounded.
	Evicted []ID
	// TipMoved is true if the best tip changed.
	TipMoved bool
	// Undone lists blocks that left the best chain, from the old tip down
	// to (not including) the fork point: the order in which a ledger
	// reverts them. Empty for a plain extension.
	Undone []ID
	// Applied lists blocks that joined the best chain, from the block after
	// the fork point up to the new tip: the order in which a ledger applies
	// them.
	Applied []ID
}

// Options configures a Tree.
type Options struct {
	// MaxOrphans bounds the orphan buffer; 0 means DefaultMaxOrphans and a
	// negative value disables buffering (orphans are dropped and reported
	// as Evicted at once). When the buffer is full the oldest orphan is
	// evicted first (FIFO): an old orphan is the least likely to connect,
	// and FIFO keeps eviction independent of ids that an attacker chooses.
	MaxOrphans int
	// Capacity is the number of blocks expected, to size storage once
	// (the tree's own store; a shared store is sized by NewStore).
	Capacity int
}

type link struct {
	parent int32 // -1 for the root
	height int32
	work   Work // cumulative
}

type orphan[P any] struct {
	b Block[P]
}

// Store holds block entries for one tree or for many that share it (all
// the nodes of a run). An entry is added by the first tree that connects
// the block and never changes; a tree that connects the same block later
// finds it and marks it as its own. Sharing is sound because an entry
// depends only on the block (its parent, its height and its cumulative
// work are fixed by its id's header), except for the payload: trees that
// share a store see the payload of the first tree that added a block, so
// they must store payloads that are equivalent for every tree (the
// proof-of-work node stores the block's immutable bytes). A store is not
// safe for concurrent use; the trees sharing it must run on one goroutine.
type Store[P any] struct {
	ids   []ID
	links []link
	pays  []P
	slots []int32 // open addressing over id prefixes; 0 empty, else index+1
}

// NewStore returns an empty store sized for capacity blocks.
func NewStore[P any](capacity int) *Store[P] {
	c := max(capacity, 1)
	s := &Store[P]{
		ids:   make([]ID, 0, c),
		links: make([]link, 0, c),
		pays:  make([]P, 0, c),
	}
	n := 8
	for n*3 < c*4 { // keep load <= 3/4 for the expected capacity
		n *= 2
	}
	s.slots = make([]int32, n)
	return s
}

// Len returns the number of entries in the store.
func (s *Store[P]) Len() int { return len(s.ids) }

// Tree is a block tree with fork choice. The zero Tree is not usable; call
// New or Init.
//
// Fork choice: the best tip is the block with the most cumulative work; on a
// tie the block seen first stays best (Bitcoin's rule, which favours the
// block that had more time to propagate and makes the choice independent of
// ids). Blocks are never removed.
type Tree[P any] struct {
	// The fields read by every lookup come first, in one cache line.
	s          *Store[P]
	tip        int32
	n          int32     // blocks in the tree
	small      [2]uint64 // which store positions 0..127 the tree holds
	orphans    []orphan[P]
	maxOrphans int
	big        []uint64 // which store positions from 128 up the tree holds

	// Reused result buffers.
	connected, evicted, undone, applied []ID
	rejected                            []Rejection
	queue                               []int32
	cur                                 Block[P]
}

// New returns a tree holding only the root block (the genesis) with the
// given id, own work and payload, at height 0.
func New[P any](root ID, work Work, payload P, opt Options) *Tree[P] {
	t := new(Tree[P])
	t.Init(nil, root, work, payload, opt)
	return t
}

// Init makes t a tree holding only the root block, as New does, with its
// entries in store s, shared with other trees (see Store); a nil s gives
// the tree a store of its own, sized by opt.Capacity. It serves a tree that
// lives inside another struct (one allocation fewer, and its fields beside
// its owner's). A shared store that already holds root must hold it as a
// root of the same work, or Init panics: the caller gave trees of
// different chains one store.
func (t *Tree[P]) Init(s *Store[P], root ID, work Work, payload P, opt Options) {
	*t = Tree[P]{s: s, maxOrphans: opt.MaxOrphans}
	if t.maxOrphans == 0 {
		t.maxOrphans = DefaultMaxOrphans
	}
	if s == nil {
		t.s = NewStore[P](opt.Capacity)
	}
	l := link{parent: -1, height: 0, work: work}
	pos := t.s.find(&root)
	if pos < 0 {
		pos = t.s.insert(root, l, payload)
	} else if t.s.links[pos] != l {
		panic(fmt.Sprintf("chain: shared store holds root %x with another parent or work", root[:8]))
	}
	t.mark(pos)
	t.tip = pos
}

func prefix(id *ID) uint64 {
	// Fibonacci hashing spreads prefixes that share low bits.
	return binary.LittleEndian.Uint64(id[:8]) * 0x9e3779b97f4a7c15
}

// find returns the store position of id or -1.
func (s *Store[P]) find(id *ID) int32 {
	mask := uint64(len(s.slots) - 1)
	for i := prefix(id) >> 32 & mask; ; i = (i + 1) & mask {
		p := s.slots[i]
		if p == 0 {
			return -1
		}
		if s.ids[p-1] == *id {
			return p - 1
		}
	}
}

func (s *Store[P]) insert(id ID, l link, p P) int32 {
	if (len(s.ids)+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	pos := int32(len(s.ids))
	s.ids = append(s.ids, id)
	s.links = append(s.links, l)
	s.pays = append(s.pays, p)
	s.place(pos)
	return pos
}

func (s *Store[P]) place(pos int32) {
	mask := uint64(len(s.slots) - 1)
	i := prefix(&s.ids[pos]) >> 32 & mask
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = pos + 1
}

func (s *Store[P]) grow() {
	s.slots = make([]int32, 2*len(s.slots))
	for pos := range s.ids {
		s.place(int32(pos))
	}
}

// member reports whether the tree holds the block at store position pos.
func (t *Tree[P]) member(pos int32) bool {
	if pos < 128 {
		return t.small[pos>>6]&(1<<(pos&63)) != 0
	}
	i := int(pos-128) >> 6
	return i < len(t.big) && t.big[i]&(1<<(pos&63)) != 0
}

// mark records that the tree holds the block at store position pos.
func (t *Tree[P]) mark(pos int32) {
	t.n++
	if pos < 128 {
		t.small[pos>>6] |= 1 << (pos & 63)
		return
	}
	i := int(pos-128) >> 6
	for len(t.big) <= i {
		t.big = append(t.big, 0)
	}
	t.big[i] |= 1 << (pos & 63)
}

// find returns the store position of id if the tree holds it, or -1.
func (t *Tree[P]) find(id *ID) int32 {
	pos := t.s.find(id)
	if pos < 0 || !t.member(pos) {
		return -1
	}
	return pos
}

func (t *Tree[P]) entry(pos int32) Entry[P] {
	s := t.s
	l := &s.links[pos]
	e := Entry[P]{ID: s.ids[pos], Height: int64(l.height), ChainWork: l.work, Payload: s.pays[pos]}
	if l.parent >= 0 {
		e.Parent = s.ids[l.parent]
	}
	return e
}

// Len returns the number of blocks in the tree (not counting orphans).
func (t *Tree[P]) Len() int { return int(t.n) }

// Orphans returns the number of buffered orphans.
func (t *Tree[P]) Orphans() int { return len(t.orphans) }

// Has reports whether id is in the tree (orphans excluded).
func (t *Tree[P]) Has(id ID) bool { return t.find(&id) >= 0 }

// HasOrphan reports whether id is in the orphan buffer.
func (t *Tree[P]) HasOrphan(id ID) bool { return t.orphanIndex(&id) >= 0 }

func (t *Tree[P]) orphanIndex(id *ID) int {
	for i := range t.orphans {
		if t.orphans[i].b.ID == *id {
			return i
		}
	}
	return -1
}

// Get returns the block id, if it is in the tree.
func (t *Tree[P]) Get(id ID) (Entry[P], bool) {
	pos := t.find(&id)
	if pos < 0 {
		return Entry[P]{}, false
	}
	return t.entry(pos), true
}

// Tip returns the best block.
func (t *Tree[P]) Tip() Entry[P] { return t.entry(t.tip) }

// Height returns the height of the best block.
func (t *Tree[P]) Height() int64 { return int64(t.s.links[t.tip].height) }

// Ancestor returns the ancestor of id at the given height (id itself if
// height is its own), walking parent links. It reports false if id is
// unknown or height is outside [0, height of id].
func (t *Tree[P]) Ancestor(id ID, height int64) (Entry[P], bool) {
	pos := t.find(&id)
	links := t.s.links
	if pos < 0 || height < 0 || height > int64(links[pos].height) {
		return Entry[P]{}, false
	}
	for int64(links[pos].height) > height {
		pos = links[pos].parent
	}
	return t.entry(pos), true
}

// InMainChain reports whether id is on the best chain.
func (t *Tree[P]) InMainChain(id ID) bool {
	pos := t.find(&id)
	if pos < 0 {
		return false
	}
	links := t.s.links
	a := t.tip
	for links[a].height > links[pos].height {
		a = links[a].parent
	}
	return a == pos
}

// MainChain yields the best chain from the root to the tip.
func (t *Tree[P]) MainChain() iter.Seq[Entry[P]] {
	return func(yield func(Entry[P]) bool) {
		links := t.s.links
		path := make([]int32, links[t.tip].height+1)
		for pos := t.tip; pos >= 0; pos = links[pos].parent {
			path[links[pos].height] = pos
		}
		for _, pos := range path {
			if !yield(t.entry(pos)) {
				return
			}
		}
	}
}

// Add offers a block. If its parent is in the tree, the height and check
// are verified and the block is connected, followed by every buffered
// orphan that descends from it; if its parent is unknown, the block is
// buffered (Result.Orphaned) without running check, which runs later when
// the parent connects. The error is ErrKnown for a duplicate, wraps
// ErrHeight for a wrong height, or is check's error; in all these cases the
// tree is unchanged.
func (t *Tree[P]) Add(b Block[P], check Check[P]) (Result, error) {
	t.connected, t.evicted, t.undone, t.applied = t.connected[:0], t.evicted[:0], t.undone[:0], t.applied[:0]
	t.rejected = t.rejected[:0]
	if t.find(&b.ID) >= 0 || t.orphanIndex(&b.ID) >= 0 {
		return Result{}, ErrKnown
	}
	parent := t.find(&b.Parent)
	if parent < 0 {
		t.holdOrphan(b)
		return Result{Orphaned: true, Evicted: t.evicted}, nil
	}
	oldTip := t.tip
	// Blocks are passed to check through t.cur, so that the caller's copy
	// does not escape to the heap.
	t.cur = b
	pos, err := t.connect(parent, &t.cur, check)
	if err != nil {
		return Result{}, err
	}
	t.queue = append(t.queue[:0], pos)
	for head := 0; head < len(t.queue); head++ {
		p := t.queue[head]
		// Release orphans of p in arrival order.
		for i := 0; i < len(t.orphans); {
			if t.orphans[i].b.Parent != t.s.ids[p] {
				i++
				continue
			}
			t.cur = t.orphans[i].b
			t.orphans = slices.Delete(t.orphans, i, i+1)
			c, err := t.connect(p, &t.cur, check)
			if err != nil {
				t.rejected = append(t.rejected, Rejection{ID: t.cur.ID, Err: err})
				continue
			}
			t.queue = append(t.queue, c)
		}
	}
	r := Result{Connected: t.connected, Rejected: t.rejected}
	if t.tip != oldTip {
		r.TipMoved = true
		t.reorgPath(oldTip, t.tip)
		r.Undone, r.Applied = t.undone, t.applied
	}
	return r, nil
}

func (t *Tree[P]) connect(parent int32, b *Block[P], check Check[P]) (int32, error) {
	s := t.s
	pl := s.links[parent]
	if b.Height != int64(pl.height)+1 || pl.height == math.MaxInt32 {
		return -1, fmt.Errorf("block at %d on parent at %d: %w", b.Height, pl.height, ErrHeight)
	}
	if check != nil {
		if err := check(t.entry(parent), b); err != nil {
			return -1, err
		}
	}
	l := link{parent: parent, height: pl.height + 1, work: pl.work.Add(b.Work)}
	pos := s.find(&b.ID)
	if pos < 0 {
		pos = s.insert(b.ID, l, b.Payload)
	} else if s.links[pos] != l {
		// Another tree sharing the store added this id with another
		// parent or work: the trees disagree on what the block is.
		return -1, fmt.Errorf("block %x: %w", b.ID[:8], ErrConflict)
	}
	t.mark(pos)
	t.connected = append(t.connected, b.ID)
	if s.links[pos].work.Cmp(s.links[t.tip].work) > 0 {
		t.tip = pos
	}
	return pos, nil
}

func (t *Tree[P]) holdOrphan(b Block[P]) {
	if t.maxOrphans < 0 {
		t.evicted = append(t.evicted, b.ID)
		return
	}
	for len(t.orphans) >= t.maxOrphans {
		t.evicted = append(t.evicted, t.orphans[0].b.ID)
		t.orphans = slices.Delete(t.orphans, 0, 1)
	}
	t.orphans = append(t.orphans, orphan[P]{b: b})
}

// reorgPath fills t.undone and t.applied with the path from old to new.
func (t *Tree[P]) reorgPath(old, new int32) {
	links, ids := t.s.links, t.s.ids
	for links[new].height > links[old].height {
		t.applied = append(t.applied, ids[new])
		new = links[new].parent
	}
	for links[old].height > links[new].height {
		t.undone = append(t.undone, ids[old])
		old = links[old].parent
	}
	for old != new {
		t.undone = append(t.undone, ids[old])
		t.applied = append(t.applied, ids[new])
		old, new = links[old].parent, links[new].parent
	}
	// applied was collected tip-first; the ledger wants it root-first.
	for i, j := 0, len(t.applied)-1; i < j; i, j = i+1, j-1 {
		t.applied[i], t.applied[j] = t.applied[j], t.applied[i]
	}
}
