package nn

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Activation is a layer's non-linearity.
type Activation uint8

const (
	// ActNone leaves a layer linear (used for the output layer before softmax).
	ActNone Activation = iota
	ActSigmoid
	ActTanh
	ActReLU
)

// LayerKind is the type of a layer in an architecture.
type LayerKind uint8

const (
	// Conv is a 2-D convolution with stride 1 (padding: see the package docs).
	Conv LayerKind = iota + 1
	// MaxPool is non-overlapping max pooling of Size x Size windows.
	MaxPool
	// Dense is a fully connected layer.
	Dense
)

// LayerSpec describes one hidden layer. The output layer (Dense to the number
// of classes, softmax with cross-entropy) is implicit and not listed.
type LayerSpec struct {
	Kind    LayerKind
	Filters int // Conv: number of filters
	Kernel  int // Conv: square kernel size
	Size    int // MaxPool: window and stride
	Units   int // Dense: number of units
	Act     Activation
}

// Arch is a network architecture for an input of shape C x H x W (a flat
// vector input is C=1, H=1, W=n) and Classes output classes.
type Arch struct {
	InC, InH, InW int
	Classes       int
	Layers        []LayerSpec
}

// Limits on architectures. They bound the memory a hostile serialised model
// or architecture string can make a decoder reserve, and keep every size
// product below 2^53 so that it is exact in int and float64 arithmetic.
const (
	MaxLayers  = 64      // hidden layers
	MaxDim     = 1 << 14 // input height/width, units, filters, channels
	MaxKernel  = 64      // conv kernel and pooling window
	MaxClasses = 1 << 14
	MaxParams  = 1 << 28 // trainable float32 parameters (1 GiB)
	// maxActivations bounds the per-sample activation size of any layer.
	maxActivations = 1 << 26
)

// Shape is the C x H x W shape of a layer's output for one sample. Dense
// layers produce C = units, H = W = 1.
type Shape struct{ C, H, W int }

// Size is C*H*W.
func (s Shape) Size() int { return s.C * s.H * s.W }

// String returns the name the grammar uses for an activation.
func (a Activation) String() string {
	switch a {
	case ActNone:
		return "none"
	case ActSigmoid:
		return "sigmoid"
	case ActTanh:
		return "tanh"
	case ActReLU:
		return "relu"
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

// Validate reports whether the architecture is well formed and its shapes
// fit: every size positive and within the limits above, each convolution's
// kernel no larger than its input (convolutions use VALID padding, so an HxW
// input gives (H-K+1)x(W-K+1)), each pooling window no larger than its
// input, hidden conv and dense layers with a sigmoid, tanh or ReLU
// activation, pooling without one.
func (a Arch) Validate() error {
	_, err := a.shapes()
	return err
}

// OutShape is the per-sample output shape of hidden layer i, for i in
// [0, len(a.Layers)); i == -1 gives the input shape and i == len(a.Layers)
// the output layer's shape (Classes, 1, 1).
func (a Arch) OutShape(i int) (Shape, error) {
	s, err := a.shapes()
	if err != nil {
		return Shape{}, err
	}
	if i < -1 || i > len(a.Layers) {
		return Shape{}, fmt.Errorf("nn: layer %d out of range [-1, %d]", i, len(a.Layers))
	}
	return s[i+1], nil
}

// shapes returns the input shape, each hidden layer's output shape and the
// output layer's shape, checking everything Validate promises.
func (a Arch) shapes() ([]Shape, error) {
	if a.InC < 1 || a.InH < 1 || a.InW < 1 || a.InC > MaxDim || a.InH > MaxDim || a.InW > MaxDim {
		return nil, fmt.Errorf("nn: input shape %dx%dx%d outside [1, %d]", a.InC, a.InH, a.InW, MaxDim)
	}
	if a.Classes < 2 || a.Classes > MaxClasses {
		return nil, fmt.Errorf("nn: %d classes outside [2, %d]", a.Classes, MaxClasses)
	}
	if len(a.Layers) > MaxLayers {
		return nil, fmt.Errorf("nn: %d hidden layers, at most %d", len(a.Layers), MaxLayers)
	}
	in := Shape{a.InC, a.InH, a.InW}
	if in.Size() > maxActivations {
		return nil, fmt.Errorf("nn: input of %d values, at most %d", in.Size(), maxActivations)
	}
	out := make([]Shape, 0, len(a.Layers)+2)
	out = append(out, in)
	params := 0
	for i, l := range a.Layers {
		var next Shape
		switch l.Kind {
		case Conv:
			if l.Filters < 1 || l.Filters > MaxDim || l.Kernel < 1 || l.Kernel > MaxKernel {
				return nil, fmt.Errorf("nn: layer %d: conv %dx%d outside limits", i, l.Filters, l.Kernel)
			}
			if l.Kernel > in.H || l.Kernel > in.W {
				return nil, fmt.Errorf("nn: layer %d: %dx%d kernel does not fit a %dx%d input (VALID padding)", i, l.Kernel, l.Kernel, in.H, in.W)
			}
			if !hiddenAct(l.Act) {
				return nil, fmt.Errorf("nn: layer %d: conv needs a sigmoid, tanh or relu activation, not %v", i, l.Act)
			}
			next = Shape{l.Filters, in.H - l.Kernel + 1, in.W - l.Kernel + 1}
			params += (l.Kernel*l.Kernel*in.C + 1) * l.Filters
		case MaxPool:
			if l.Size < 1 || l.Size > MaxKernel {
				return nil, fmt.Errorf("nn: layer %d: pool size %d outside [1, %d]", i, l.Size, MaxKernel)
			}
			if l.Size > in.H || l.Size > in.W {
				return nil, fmt.Errorf("nn: layer %d: pool %d does not fit a %dx%d input", i, l.Size, in.H, in.W)
			}
			if l.Act != ActNone {
				return nil, fmt.Errorf("nn: layer %d: pooling takes no activation", i)
			}
			next = Shape{in.C, in.H / l.Size, in.W / l.Size}
		case Dense:
			if l.Units < 1 || l.Units > MaxDim {
				return nil, fmt.Errorf("nn: layer %d: %d units outside [1, %d]", i, l.Units, MaxDim)
			}
			if !hiddenAct(l.Act) {
				return nil, fmt.Errorf("nn: layer %d: dense needs a sigmoid, tanh or relu activation, not %v", i, l.Act)
			}
			params += (in.Size() + 1) * l.Units
			next = Shape{l.Units, 1, 1}
		default:
			return nil, fmt.Errorf("nn: layer %d: unknown kind %d", i, l.Kind)
		}
		if next.Size() > maxActivations {
			return nil, fmt.Errorf("nn: layer %d: %d activations per sample, at most %d", i, next.Size(), maxActivations)
		}
		if params > MaxParams {
			return nil, fmt.Errorf("nn: more than %d parameters", MaxParams)
		}
		out = append(out, next)
		in = next
	}
	params += (in.Size() + 1) * a.Classes
	if params > MaxParams {
		return nil, fmt.Errorf("nn: %d parameters, at most %d", params, MaxParams)
	}
	out = append(out, Shape{a.Classes, 1, 1})
	return out, nil
}

func hiddenAct(a Activation) bool { return a == ActSigmoid || a == ActTanh || a == ActReLU }

// NumParams is the number of trainable parameters (weights and biases of
// every conv and dense layer, including the output layer), or an error if
// the architecture is invalid.
func (a Arch) NumParams() (int, error) {
	s, err := a.shapes()
	if err != nil {
		return 0, err
	}
	n := 0
	for i, l := range a.Layers {
		switch l.Kind {
		case Conv:
			n += (l.Kernel*l.Kernel*s[i].C + 1) * l.Filters
		case Dense:
			n += (s[i].Size() + 1) * l.Units
		}
	}
	return n + (s[len(a.Layers)].Size()+1)*a.Classes, nil
}

// String renders the hidden layers in the grammar ParseArch reads, e.g.
// "conv8x5-relu,pool2,fc100-relu". The input shape and the number of classes
// are not part of the string. An architecture with no hidden layers (plain
// softmax regression) renders as "".
func (a Arch) String() string {
	var b strings.Builder
	for i, l := range a.Layers {
		if i > 0 {
			b.WriteByte(',')
		}
		switch l.Kind {
		case Conv:
			fmt.Fprintf(&b, "conv%dx%d-%v", l.Filters, l.Kernel, l.Act)
		case MaxPool:
			fmt.Fprintf(&b, "pool%d", l.Size)
		case Dense:
			fmt.Fprintf(&b, "fc%d-%v", l.Units, l.Act)
		default:
			fmt.Fprintf(&b, "?%d", l.Kind)
		}
	}
	return b.String()
}

// ParseArch reads a comma-separated list of hidden layers, each one of
//
//	conv<filters>x<kernel>-<act>   convolution, stride 1, VALID padding
//	pool<size>                     non-overlapping max pooling
//	fc<units>-<act>                fully connected
//
// with <act> one of sigmoid, tanh, relu, for an input of shape inC x inH x
// inW and the given number of classes. The softmax output layer is implicit.
// The result is validated.
func ParseArch(s string, inC, inH, inW, classes int) (Arch, error) {
	a := Arch{InC: inC, InH: inH, InW: inW, Classes: classes}
	s = strings.TrimSpace(s)
	if s != "" {
		parts := strings.Split(s, ",")
		if len(parts) > MaxLayers {
			return Arch{}, fmt.Errorf("nn: parsing %q: %d layers, at most %d", s, len(parts), MaxLayers)
		}
		for i, p := range parts {
			l, err := parseLayer(strings.TrimSpace(p))
			if err != nil {
				return Arch{}, fmt.Errorf("nn: parsing %q: layer %d %q: %w", s, i, strings.TrimSpace(p), err)
			}
			a.Layers = append(a.Layers, l)
		}
	}
	if err := a.Validate(); err != nil {
		return Arch{}, err
	}
	return a, nil
}

func parseLayer(p string) (LayerSpec, error) {
	body, act, hasAct := strings.Cut(p, "-")
	var l LayerSpec
	var err error
	switch {
	case strings.HasPrefix(body, "conv"):
		f, k, ok := strings.Cut(body[4:], "x")
		if !ok {
			return l, errors.New("want conv<filters>x<kernel>")
		}
		l.Kind = Conv
		if l.Filters, err = parsePositive(f, MaxDim, "MaxDim"); err != nil {
			return l, fmt.Errorf("filters: %w", err)
		}
		if l.Kernel, err = parsePositive(k, MaxKernel, "MaxKernel"); err != nil {
			return l, fmt.Errorf("kernel: %w", err)
		}
	case strings.HasPrefix(body, "pool"):
		l.Kind = MaxPool
		if l.Size, err = parsePositive(body[4:], MaxKernel, "MaxKernel"); err != nil {
			return l, fmt.Errorf("size: %w", err)
		}
		if hasAct {
			return l, errors.New("pooling takes no activation")
		}
		return l, nil
	case strings.HasPrefix(body, "fc"):
		l.Kind = Dense
		if l.Units, err = parsePositive(body[2:], MaxDim, "MaxDim"); err != nil {
			return l, fmt.Errorf("units: %w", err)
		}
	default:
		return l, errors.New("want conv, pool or fc")
	}
	if !hasAct {
		return l, errors.New("missing -<act> (sigmoid, tanh, relu)")
	}
	switch act {
	case "sigmoid":
		l.Act = ActSigmoid
	case "tanh":
		l.Act = ActTanh
	case "relu":
		l.Act = ActReLU
	default:
		return l, fmt.Errorf("unknown activation %q", act)
	}
	return l, nil
}

// parsePositive reads a decimal integer in [1, limit] (digits only); name
// is the limit's name in messages.
func parsePositive(s string, limit int, name string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad number %q: want a decimal integer from 1 to %d", s, limit)
		}
	}
	digits := strings.TrimLeft(s, "0")
	if len(digits) > len(strconv.Itoa(limit)) {
		return 0, fmt.Errorf("%s is above the limit of %d (nn.%s)", s, limit, name)
	}
	n, _ := strconv.Atoi(s[len(s)-max(len(digits), 1):])
	switch {
	case n < 1:
		return 0, fmt.Errorf("%d outside [1, %d]", n, limit)
	case n > limit:
		return 0, fmt.Errorf("%d is above the limit of %d (nn.%s)", n, limit, name)
	}
	return n, nil
}

// Preset returns one of the named reference architectures, identical to the
// PyTorch peer's models (nodes/nn/bench/torch_peer.py):
//
//	mlp   input-100(relu)-classes
//	mlp2  input-256(relu)-128(relu)-classes
//	cnn   conv 8 filters 5x5 (VALID, relu), maxpool 2, then directly the
//	      dense output layer (the peer has no hidden fc layer)
func Preset(name string, inC, inH, inW, classes int) (Arch, error) {
	var s string
	switch name {
	case "mlp":
		s = "fc100-relu"
	case "mlp2":
		s = "fc256-relu,fc128-relu"
	case "cnn":
		s = "conv8x5-relu,pool2"
	default:
		return Arch{}, fmt.Errorf("nn: unknown preset %q (want mlp, mlp2 or cnn)", name)
	}
	return ParseArch(s, inC, inH, inW, classes)
}
