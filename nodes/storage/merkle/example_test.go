package merkle_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/storage/merkle"
)

func Example() {
	model := []byte("a serialised neural network, 46 bytes long....")
	commitment, tree, err := merkle.Commit(model, 16)
	if err != nil {
		panic(err)
	}
	// The holder answers a challenge for chunk 2 (the short last one, 14 bytes).
	path, _ := tree.Proof(2)
	chunk := tree.Chunk(2)
	// The verifier knows only the commitment, the size and the chunk size.
	ok := merkle.VerifyCommitted(commitment, int64(len(model)), 16, 2, chunk, path)
	fmt.Println(tree.NumChunks(), len(chunk), len(path), ok)
	// Output: 3 14 1 true
}
