package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Serialised model layout, all integers little-endian:
//
//	offset  size  field
//	0       4     magic "CAIM"
//	4       2     version (1)
//	6       4     InC      10  4  InH      14  4  InW      18  4  Classes
//	22      2     number of hidden layers L (at most MaxLayers)
//	24      10*L  per layer: kind u8, act u8, a u32, b u32 where
//	              conv: a = filters, b = kernel; pool: a = size, b = 0;
//	              dense: a = units, b = 0
//	24+10L  4     number of parameters P (must match the architecture)
//	28+10L  4*P   Params as IEEE-754 float32
//
// The encoding of a model is unique: decoding and re-encoding gives the same
// bytes, so Commitment identifies a model.
const (
	modelMagic   = "CAIM"
	modelVersion = 1
	headerSize   = 24
	layerSize    = 10
)

// MarshalBinary encodes the model in the layout above.
func (m *Model) MarshalBinary() ([]byte, error) {
	n, err := m.Arch.NumParams()
	if err != nil {
		return nil, fmt.Errorf("nn: encoding model: %w", err)
	}
	if n != len(m.Params) {
		return nil, fmt.Errorf("nn: encoding model: %d parameters, architecture has %d", len(m.Params), n)
	}
	b := make([]byte, 0, headerSize+layerSize*len(m.Arch.Layers)+4+4*n)
	b = append(b, modelMagic...)
	b = binary.LittleEndian.AppendUint16(b, modelVersion)
	for _, v := range []int{m.Arch.InC, m.Arch.InH, m.Arch.InW, m.Arch.Classes} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(m.Arch.Layers)))
	for _, l := range m.Arch.Layers {
		var x, y int
		switch l.Kind {
		case Conv:
			x, y = l.Filters, l.Kernel
		case MaxPool:
			x = l.Size
		case Dense:
			x = l.Units
		}
		b = append(b, byte(l.Kind), byte(l.Act))
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
		b = binary.LittleEndian.AppendUint32(b, uint32(y))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for _, w := range m.Params {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(w))
	}
	return b, nil
}

// Commitment is the SHA-256 of the model's encoding: what a block commits
// to and a storage proof refers to. It is the zero hash if the model cannot
// be encoded (an architecture that fails Validate).
func (m *Model) Commitment() [32]byte {
	b, err := m.MarshalBinary()
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// errShort is wrapped by decoding errors for truncated input.
var errShort = errors.New("truncated")

// UnmarshalModel decodes a model encoded by MarshalBinary. It checks the
// architecture against Validate's limits and the declared parameter count
// against both the architecture and len(b) before allocating, so hostile
// input costs at most O(len(b)) memory and never panics. Trailing bytes are
// an error, which keeps the encoding unique.
func UnmarshalModel(b []byte) (*Model, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("nn: decoding model: header: %w", errShort)
	}
	if string(b[:4]) != modelMagic {
		return nil, fmt.Errorf("nn: decoding model: bad magic %q", b[:4])
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != modelVersion {
		return nil, fmt.Errorf("nn: decoding model: unsupported version %d", v)
	}
	u32 := func(off int) int { return int(binary.LittleEndian.Uint32(b[off:])) }
	a := Arch{InC: u32(6), InH: u32(10), InW: u32(14), Classes: u32(18)}
	nl := int(binary.LittleEndian.Uint16(b[22:]))
	if nl > MaxLayers {
		return nil, fmt.Errorf("nn: decoding model: %d layers, at most %d", nl, MaxLayers)
	}
	off := headerSize
	if len(b) < off+layerSize*nl+4 {
		return nil, fmt.Errorf("nn: decoding model: layers: %w", errShort)
	}
	a.Layers = make([]LayerSpec, nl)
	for i := range a.Layers {
		l := LayerSpec{Kind: LayerKind(b[off]), Act: Activation(b[off+1])}
		x, y := u32(off+2), u32(off+6)
		switch l.Kind {
		case Conv:
			l.Filters, l.Kernel = x, y
		case MaxPool:
			l.Size = x
		case Dense:
			l.Units = x
		default:
			return nil, fmt.Errorf("nn: decoding model: layer %d: unknown kind %d", i, l.Kind)
		}
		if l.Kind != Conv && y != 0 {
			return nil, fmt.Errorf("nn: decoding model: layer %d: unused field is %d, want 0", i, y)
		}
		a.Layers[i] = l
		off += layerSize
	}
	plan, n, err := newPlan(a)
	if err != nil {
		return nil, fmt.Errorf("nn: decoding model: %w", err)
	}
	if p := u32(off); p != n {
		return nil, fmt.Errorf("nn: decoding model: declares %d parameters, architecture %s has %d", p, a, n)
	}
	off += 4
	if len(b)-off != 4*n {
		return nil, fmt.Errorf("nn: decoding model: %d bytes of parameters, want %d", len(b)-off, 4*n)
	}
	m := &Model{Arch: a, Params: make([]float32, n), plan: plan}
	for i := range m.Params {
		m.Params[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*i:]))
	}
	return m, nil
}
