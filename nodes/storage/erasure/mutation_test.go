package erasure

import (
	"bytes"
	"testing"
)

// TestMaxSharesIsAllowed: n = MaxShares = 256 is a valid code (every field
// element is a share index) and its last shares alone decode; 257 is not.
func TestMaxSharesIsAllowed(t *testing.T) {
	data := testData(100)
	shares, err := Encode(data, 2, MaxShares)
	if err != nil {
		t.Fatalf("Encode(m=2, n=256): %v", err)
	}
	got := make([][]byte, MaxShares)
	got[254], got[255] = shares[254], shares[255]
	dec, err := Decode(got, 2, MaxShares, len(data))
	if err != nil || !bytes.Equal(dec, data) {
		t.Fatalf("Decode from shares 254 and 255: %v", err)
	}
	if _, err := Encode(data, 2, MaxShares+1); err == nil {
		t.Error("Encode(m=2, n=257) succeeded")
	}
}
