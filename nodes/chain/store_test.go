package chain

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomBlocks builds a random block tree of n blocks under root: each block
// picks a random earlier block as parent (so there are forks), with own work
// 1..3 so that fork choice is exercised.
func randomBlocks(r *rand.Rand, root ID, n int) []Block[int] {
	type info struct {
		id     ID
		height int64
	}
	known := []info{{root, 0}}
	var out []Block[int]
	for i := 1; i <= n; i++ {
		p := known[r.IntN(len(known))]
		if r.IntN(4) > 0 { // mostly extend one of the newest blocks
			p = known[max(0, len(known)-1-r.IntN(3))]
		}
		var x ID
		x[0], x[1], x[2] = 'b', byte(i), byte(i>>8)
		out = append(out, Block[int]{ID: x, Parent: p.id, Height: p.height + 1, Work: WorkOf(uint64(1 + r.IntN(3))), Payload: i})
		known = append(known, info{x, p.height + 1})
	}
	return out
}

// shuffled returns blocks in an order where a block comes at most a few
// places away from where its parent came: orphans happen, but few.
func shuffled(r *rand.Rand, blocks []Block[int]) []Block[int] {
	out := slices.Clone(blocks)
	for i := range out {
		j := min(len(out)-1, i+r.IntN(3))
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// TestSharedStoreMatchesOwnStore: trees that share a store answer every
// Add and every query exactly as trees with stores of their own, each fed
// the same blocks in its own order (forks, orphans, reorganisations, and
// more than 128 blocks so that membership spills past the inline bits).
func TestSharedStoreMatchesOwnStore(t *testing.T) {
	for _, tc := range []struct {
		name          string
		trees, blocks int
		maxOrphans    int
	}{
		{"few blocks", 3, 40, 0},
		{"past the inline bits", 4, 300, 0},
		{"tiny orphan buffer", 4, 200, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(tc.blocks)))
			root := id("root")
			blocks := randomBlocks(r, root, tc.blocks)
			store := NewStore[int](8)
			opt := Options{MaxOrphans: tc.maxOrphans}
			held := map[ID]bool{root: true} // blocks some tree holds
			for k := range tc.trees {
				own := New(root, WorkOf(1), 0, opt)
				var shared Tree[int]
				shared.Init(store, root, WorkOf(1), 0, opt)
				// Tree 0 holds only the first half: the store holds blocks
				// the others have and it lacks.
				order := shuffled(r, blocks)
				if k == 0 {
					order = order[:len(order)/2]
				}
				for i, b := range order {
					r1, e1 := own.Add(b, nil)
					s1 := fmt.Sprintf("%+v %v", r1, e1)
					r2, e2 := shared.Add(b, nil)
					if s2 := fmt.Sprintf("%+v %v", r2, e2); s1 != s2 {
						t.Fatalf("tree %d, add %d: own store %s, shared %s", k, i, s1, s2)
					}
				}
				if own.Len() != shared.Len() || own.Tip() != shared.Tip() || own.Orphans() != shared.Orphans() {
					t.Fatalf("tree %d: own len %d tip %x orphans %d, shared %d %x %d", k, own.Len(), own.Tip().ID,
						own.Orphans(), shared.Len(), shared.Tip().ID, shared.Orphans())
				}
				var chainOwn, chainShared []ID
				for e := range own.MainChain() {
					chainOwn = append(chainOwn, e.ID)
				}
				for e := range shared.MainChain() {
					chainShared = append(chainShared, e.ID)
				}
				if !slices.Equal(chainOwn, chainShared) {
					t.Fatalf("tree %d: main chains differ", k)
				}
				for _, b := range blocks {
					if shared.Has(b.ID) {
						held[b.ID] = true
					}
					e1, ok1 := own.Get(b.ID)
					e2, ok2 := shared.Get(b.ID)
					if ok1 != ok2 || e1 != e2 || own.Has(b.ID) != shared.Has(b.ID) ||
						own.HasOrphan(b.ID) != shared.HasOrphan(b.ID) || own.InMainChain(b.ID) != shared.InMainChain(b.ID) {
						t.Fatalf("tree %d, block %x: own %+v %v, shared %+v %v", k, b.ID[:3], e1, ok1, e2, ok2)
					}
					a1, ok1 := own.Ancestor(b.ID, b.Height/2)
					a2, ok2 := shared.Ancestor(b.ID, b.Height/2)
					if ok1 != ok2 || a1 != a2 {
						t.Fatalf("tree %d: Ancestor(%x) differs", k, b.ID[:3])
					}
				}
			}
			// Without evictions every block connects somewhere.
			if store.Len() != len(held) || tc.maxOrphans == 0 && len(held) != tc.blocks+1 {
				t.Errorf("shared store holds %d entries, want %d (one per block some tree holds, of %d)", store.Len(), len(held), tc.blocks+1)
			}
		})
	}
}

// TestSharedStoreMembership: a block another tree added to the shared store
// is not in a tree until that tree connects it: Has and Get say no, and a
// child of it is an orphan there.
func TestSharedStoreMembership(t *testing.T) {
	store := NewStore[string](4)
	var a, b Tree[string]
	a.Init(store, id("G"), WorkOf(1), "g", Options{})
	b.Init(store, id("G"), WorkOf(1), "g", Options{})
	if _, err := a.Add(add{"A1", "G", 1, 1}.block(), nil); err != nil {
		t.Fatal(err)
	}
	if b.Has(id("A1")) || b.Len() != 1 {
		t.Fatalf("tree b holds A1 (Has %v, Len %d) that only tree a added", b.Has(id("A1")), b.Len())
	}
	if _, ok := b.Get(id("A1")); ok {
		t.Fatal("tree b Gets A1")
	}
	res, err := b.Add(add{"A2", "A1", 2, 1}.block(), nil)
	if err != nil || !res.Orphaned {
		t.Fatalf("child of A1 in tree b: %+v %v, want an orphan", res, err)
	}
	res, err = b.Add(add{"A1", "G", 1, 1}.block(), nil)
	if err != nil || !slices.Equal(names(res.Connected), []string{"A1", "A2"}) || b.Height() != 2 {
		t.Fatalf("A1 in tree b: %+v %v, height %d; want A1 and A2 connected, height 2", res, err, b.Height())
	}
	if a.Has(id("A2")) || a.Height() != 1 {
		t.Error("tree a gained A2 that only tree b connected")
	}
}

// TestSharedStoreConflict: a block whose id the store holds with another
// parent or work is refused with ErrConflict and changes nothing; a store
// holding another root refuses to start a tree on it.
func TestSharedStoreConflict(t *testing.T) {
	store := NewStore[string](4)
	var a, b Tree[string]
	a.Init(store, id("G"), WorkOf(1), "g", Options{})
	b.Init(store, id("G"), WorkOf(1), "g", Options{})
	for _, x := range []add{{"B1", "G", 1, 1}, {"X", "B1", 2, 1}} {
		if _, err := a.Add(x.block(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Add(add{"B1", "G", 1, 1}.block(), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    add
	}{
		{"other work", add{"X", "B1", 2, 5}},
		{"other parent", add{"X", "G", 1, 1}},
	} {
		_, err := b.Add(tc.b.block(), nil)
		if !errors.Is(err, ErrConflict) {
			t.Errorf("%s: error %v, want ErrConflict", tc.name, err)
		}
		if b.Has(id("X")) || b.Len() != 2 || b.Height() != 1 {
			t.Errorf("%s: the refused block changed the tree", tc.name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a tree started on a root the store holds with other work")
		}
	}()
	var c Tree[string]
	c.Init(store, id("G"), WorkOf(2), "g", Options{})
}
