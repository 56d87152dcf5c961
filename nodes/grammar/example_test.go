package grammar_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/coinai/coinai/nodes/grammar"
)

// The worked example of the package documentation: the digits problem (8x8
// grey images, 10 classes) and the parent hash sha256("coinai").
func ExampleDecode() {
	prev := sha256.Sum256([]byte("coinai"))
	fmt.Printf("%x\n", prev[:4])

	r := grammar.DefaultRanges(1, 8, 8)
	a, err := grammar.Decode(prev, r, 1, 8, 8, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)

	// Another parent, on Fashion-MNIST's 28x28 images with their own ranges.
	prev = sha256.Sum256([]byte("abc"))
	a, err = grammar.Decode(prev, grammar.DefaultRanges(1, 28, 28), 1, 28, 28, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)
	// Output:
	// 0892eef0
	// fc32-relu
	// conv12x5-relu,pool2,conv12x5-tanh,fc32-tanh,fc32-tanh
}

func ExampleRanges_Validate() {
	r := grammar.DefaultRanges(1, 8, 8)
	r.MaxConvs = 2
	r.KernelChoices = []int{3, 5}
	fmt.Println(r.Validate(1, 8, 8))
	// Output:
	// grammar: ranges: convolution 2 of up to 2: a 5x5 kernel does not fit the 2x2 left of a 8x8 input
}
