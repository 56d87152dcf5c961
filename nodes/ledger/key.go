package ledger

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
)

// Address names an account. It is the account's ed25519 public key itself,
// not a hash of it: a transaction's sender field is then all a verifier needs
// to check the signature, at the cost of 32 bytes instead of 20.
type Address [32]byte

// AddressOf returns the address of a public key. It fails unless pub is an
// ed25519 public key of the right length.
func AddressOf(pub ed25519.PublicKey) (Address, error) {
	var a Address
	if len(pub) != ed25519.PublicKeySize {
		return a, fmt.Errorf("address of %d-byte public key: want %d bytes", len(pub), ed25519.PublicKeySize)
	}
	copy(a[:], pub)
	return a, nil
}

// AddressOfKey returns the address that priv signs for. priv must be a
// well-formed ed25519 private key, such as one from KeyFromSeed.
func AddressOfKey(priv ed25519.PrivateKey) Address {
	var a Address
	copy(a[:], priv[ed25519.SeedSize:])
	return a
}

// PublicKey returns a as an ed25519 public key (a copy).
func (a Address) PublicKey() ed25519.PublicKey {
	return ed25519.PublicKey(append([]byte(nil), a[:]...))
}

// String is the first 8 bytes of the address in hex, enough to tell accounts
// apart in logs and traces.
func (a Address) String() string {
	return hex.EncodeToString(a[:8])
}

// KeyFromSeed derives an ed25519 private key from a 32-byte seed (RFC 8032
// section 5.1.5). The simulator derives each node's seed from the run seed, so
// that keys, addresses and signatures are identical in every replay.
func KeyFromSeed(seed [32]byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(seed[:])
}
