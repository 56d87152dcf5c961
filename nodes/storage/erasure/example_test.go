package erasure_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/storage/erasure"
)

func Example() {
	model := []byte("weights of a trained network")
	// 3 data shares and 2 parity shares: any 3 of the 5 holders suffice.
	shares, err := erasure.Encode(model, 3, 5)
	if err != nil {
		panic(err)
	}
	shares[0], shares[3] = nil, nil // two holders vanished
	got, err := erasure.Decode(shares, 3, 5, len(model))
	fmt.Printf("%s %v\n", got, err)

	shares[1] = nil // a third one: too few left
	_, err = erasure.Decode(shares, 3, 5, len(model))
	fmt.Println(err)
	// Output:
	// weights of a trained network <nil>
	// erasure: 2 of 5 shares present, need 3: erasure: too few shares
}
