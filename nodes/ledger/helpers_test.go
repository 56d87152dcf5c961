package ledger

import (
	"crypto/ed25519"
	"testing"
)

// actor is a test account with a deterministic key.
type actor struct {
	priv ed25519.PrivateKey
	addr Address
}

func newActor(seed byte) actor {
	priv := KeyFromSeed([32]byte{seed})
	return actor{priv, AddressOfKey(priv)}
}

var (
	alice = newActor(1)
	bob   = newActor(2)
	carol = newActor(3)
)

func signed[T Tx](t testing.TB, tx T, by actor) T {
	t.Helper()
	if err := tx.Sign(by.priv); err != nil {
		t.Fatal(err)
	}
	return tx
}

func transfer(t testing.TB, from, to actor, amount, fee Amount, nonce uint64) *Transfer {
	return signed(t, &Transfer{From: from.addr, To: to.addr, Amount: amount, Fee: fee, Nonce: nonce}, from)
}

func problem(t testing.TB, by actor, dataset string, fee Amount, nonce uint64) *Problem {
	return signed(t, &Problem{
		Submitter: by.addr, Dataset: dataset, Classes: 10, InC: 1, InH: 8, InW: 8,
		TrainFrac: 700, ValFrac: 100, TestFrac: 200, SplitSeed: 42, Fee: fee, Nonce: nonce,
	}, by)
}
