package host

import "unsafe"

// bigPayload is the size from which a message's payload id is remembered
// in the Host's payloads table: hashing a small message costs less than
// looking it up.
const bigPayload = 1024

// payloadSlots is the size of the payloads table.
const payloadSlots = 256

// payloadEntry is a remembered payload id: the slice (kept, so that its
// memory is not reused for another message while it is remembered), its
// padding and its id.
type payloadEntry struct {
	msg []byte
	pad int
	id  uint64
}

// payloadTable remembers the payload ids of big messages by slice
// identity. A Coin.AI block message (tens of kilobytes, a model inside)
// is one slice that every node relays to its peers, by reference
// (nodes.Env.Send forbids modifying a sent message), so at 10,000 nodes
// the same bytes were hashed once per sender: 8% of a run's CPU. The id
// of the same slice, length and padding is the same; the table changes no
// id, only how often it is computed.
type payloadTable [payloadSlots]payloadEntry

// lookup returns the id of msg with padding, from the table or computed
// and remembered.
func (t *payloadTable) lookup(msg []byte, padding int) uint64 {
	i := uintptr(unsafe.Pointer(unsafe.SliceData(msg))) >> 4
	e := &t[(i^i>>8)%payloadSlots]
	if len(e.msg) == len(msg) && unsafe.SliceData(e.msg) == unsafe.SliceData(msg) && e.pad == padding {
		return e.id
	}
	*e = payloadEntry{msg: msg, pad: padding, id: payloadID(msg, padding)}
	return e.id
}
