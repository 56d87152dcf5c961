package ledger_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/ledger"
)

// A miner earns a block reward, pays a friend, and a user's problem is
// escrowed in one block and paid to the miner of the block that solves it.
func Example() {
	minerKey := ledger.KeyFromSeed([32]byte{1})
	userKey := ledger.KeyFromSeed([32]byte{2})
	miner, user := ledger.AddressOfKey(minerKey), ledger.AddressOfKey(userKey)
	solver := ledger.AddressOfKey(ledger.KeyFromSeed([32]byte{3}))

	st := ledger.NewState()
	if _, err := st.Apply(ledger.BlockEffects{Miner: miner, Reward: 50 * ledger.Coin}); err != nil {
		fmt.Println(err)
		return
	}

	pay := &ledger.Transfer{From: miner, To: user, Amount: 10 * ledger.Coin, Fee: 1000, Nonce: st.Nonce(miner)}
	if err := pay.Sign(minerKey); err != nil {
		fmt.Println(err)
		return
	}
	// Decode what came off the network, verify it once, then apply it.
	tx, err := ledger.DecodeTx(ledger.Encode(pay))
	if err != nil {
		fmt.Println(err)
		return
	}
	block2 := []ledger.Tx{tx}
	if err := ledger.VerifyTxs(block2); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := st.Apply(ledger.BlockEffects{Miner: miner, Reward: 50 * ledger.Coin, Txs: block2}); err != nil {
		fmt.Println(err)
		return
	}

	prob := &ledger.Problem{Submitter: user, Dataset: "digits", Classes: 10,
		TrainFrac: 700, ValFrac: 100, TestFrac: 200, SplitSeed: 7, Fee: 2 * ledger.Coin}
	if err := prob.Sign(userKey); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := st.Apply(ledger.BlockEffects{Miner: miner, Reward: 50 * ledger.Coin, Txs: []ledger.Tx{prob}}); err != nil {
		fmt.Println(err)
		return
	}
	next, _ := st.NextProblem([32]byte{})
	fmt.Println("next problem:", next.Dataset, "fee", next.Fee, "escrowed", st.Escrowed())
	if _, err := st.Apply(ledger.BlockEffects{Miner: solver, Reward: 50 * ledger.Coin, Solves: prob.ID()}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("miner", st.Balance(miner))
	fmt.Println("user", st.Balance(user))
	fmt.Println("solver", st.Balance(solver))
	fmt.Println("conserved:", st.CheckConservation() == nil, "supply", st.Supply())
	// Output:
	// next problem: digits fee 2.00000000 escrowed 2.00000000
	// miner 140.00000000
	// user 8.00000000
	// solver 52.00000000
	// conserved: true supply 200.00000000
}
