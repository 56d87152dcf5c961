// Package nn is the testbed's neural-network trainer: the layers that
// Coin.AI's architecture grammar produces, exact FLOP accounting, a
// deterministic SGD trainer and model serialisation. It knows nothing of the
// simulator or of blocks.
package nn

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
