// Package nn is the testbed's neural-network trainer: the layers that
// Coin.AI's architecture grammar produces, exact FLOP accounting, a
// deterministic SGD trainer and model serialisation. It knows nothing of the
// simulator or of blocks.
//
// # Layers
//
// An Arch lists hidden layers; the output layer, dense to Arch.Classes with
// softmax and cross-entropy loss, is implicit. Convolutions have square
// kernels, stride 1 and VALID padding (no padding: an HxW input gives
// (H-K+1)x(W-K+1)), as PyTorch's nn.Conv2d default. Max pooling uses
// non-overlapping Size x Size windows and drops rows and columns that do not
// fill a window (floor), as nn.MaxPool2d. Dense layers flatten their input.
// ParseArch reads and Arch.String writes the grammar
// "conv8x5-relu,pool2,fc100-relu". Preset gives the PyTorch peer's models.
//
// # Arithmetic and determinism
//
// Training is a pure function of the architecture, the initial seed, the
// data, TrainConfig and the platform's kernel (see Kernel). Inside a process
// nothing depends on GOMAXPROCS or scheduling: matrix products are split
// between two goroutines by whole output tiles, never along the summed
// dimension, and every output element is computed by the same sequence of
// operations wherever it falls (see gemm); element-wise work is split by
// samples, which are independent; sums over the batch (bias gradients) run
// in a fixed order on one goroutine.
//
// Across machines, weights are bit-identical when the Go version, GOARCH
// and Kernel() agree. On amd64 with AVX2 and FMA3 the matrix-multiply
// micro-kernel is assembly using fused multiply-adds ("amd64-avx2-fma");
// elsewhere, or built with -tags purego, it is portable Go that rounds each
// product to float32 before adding ("generic"), with explicit float32
// conversions so that no compiler may fuse them. The two kernels give
// different bits. Where the CPU also has AVX-512 (F and VL), the matrix
// products, tanh and the element-wise loops of training run on AVX-512
// kernels that perform the same float32 operations per element in the
// same order (products: vectorised across outputs, each sum still one
// chain of fused multiply-adds per kc block; tanh: tanh32's operations
// lane by lane), so their bits, and Kernel(), are those of
// "amd64-avx2-fma"; KernelImpl names the path, and COINAI_NN_KERNEL=avx2
// (or generic) caps it. Sigmoid and tanh are defined by portable float32
// Go (mathf.go: same bits everywhere, and several times faster than the
// math package); softmax goes through math.Exp in float64, which has
// per-architecture assembly (on amd64 it uses FMA when the CPU has it), so
// GOARCH is part of the condition.
//
// # Data layout
//
// Inputs are float32 samples of C*H*W values, channel by channel, row by
// row (as package dataset provides them). Internally, activations of
// convolution and pooling layers are kept height, width, channel (NHWC) so
// that a convolution over a whole batch is one matrix product whose left
// operand, the im2col matrix, is gathered on the fly and never stored: the
// weight gradient, and the forward pass of single-channel inputs, run on a
// gather micro-kernel that reads patches straight from the layer's input
// with the same per-element arithmetic as the packed product (so the choice
// of path changes no bits); other products gather while packing. Model
// documents the parameter layout.
//
// # Cost
//
// Arch.FLOPs counts the work of a sample from the architecture alone; see
// its documentation for exactly what is counted. Models are evaluated with
// no shared mutable state, so a simulator may evaluate several at once.
package nn
