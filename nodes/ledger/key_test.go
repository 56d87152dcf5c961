package ledger

import (
	"encoding/hex"
	"testing"
)

// RFC 8032 section 7.1, TEST 1: secret key (seed) and public key.
func TestKeyFromSeedRFC8032(t *testing.T) {
	var seed [32]byte
	hex.Decode(seed[:], []byte("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
	priv := KeyFromSeed(seed)
	a := AddressOfKey(priv)
	const wantPub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	if got := hex.EncodeToString(a[:]); got != wantPub {
		t.Fatalf("address = %s, want %s", got, wantPub)
	}
	if a.String() != wantPub[:16] {
		t.Errorf("String() = %s, want %s", a, wantPub[:16])
	}
	b, err := AddressOf(a.PublicKey())
	if err != nil || b != a {
		t.Errorf("AddressOf(PublicKey()) = %v, %v; want %v", b, err, a)
	}
	if _, err := AddressOf(a[:31]); err == nil {
		t.Error("AddressOf(31 bytes) succeeded")
	}
}
