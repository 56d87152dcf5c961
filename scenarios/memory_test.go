package scenarios

import (
	"strings"
	"testing"
)

func TestMemoryEstimate(t *testing.T) {
	s := mustLoad(t, "pow-bitcoin.toml")
	got, how := s.MemoryEstimate()
	// 17 MB + 600 nodes x 5.5 KB + 600 x 116 blocks x 120 B; measured 24 MB.
	if want := 17e6 + 600*5.5e3 + 600*116*120.0; got != want {
		t.Errorf("estimate %v, want %v", got, want)
	}
	if !strings.Contains(how, "run.stop_height 100 + 16") {
		t.Errorf("how %q", how)
	}
	if err := s.CheckMemory(got, "test"); err != nil {
		t.Errorf("CheckMemory at the estimate: %v", err)
	}
	// The run of the scale target: 60,000 nodes x 100 blocks peaked at
	// 580-870 MB; the estimate must cover it and stay under 1.5 GB.
	if err := s.Set("group.0.count", "60000"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.MemoryEstimate(); got < 870e6 || got > 1.5e9 {
		t.Errorf("60,000-node estimate %s; measured 580-870 MB, target under 1.5 GB", FormatBytes(got))
	}
	q := mustLoad(t, "coinai-300.toml")
	if got, _ := q.MemoryEstimate(); got < 85e6 || got > 4*85e6 {
		t.Errorf("coinai-300 estimate %v; measured 85 MB", got)
	}
}

func TestCheckMemory(t *testing.T) {
	src := "[run]\nprotocol = \"pow\"\n\n[[group]]\ncount = 10\nhardware = \"asic\"\n\n[[group]]\nname = \"big\"\ncount = 9000000\nhardware = \"asic\"\n"
	s, err := Parse("big.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckMemory(24e9, "available")
	want := "big.toml:10: group.1.count: 9000010 nodes over up to 116 blocks need about 175 GB of memory, more than the 24 GB available"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("CheckMemory:\n%v\nwant prefix\n%s", err, want)
	}
	if err := s.CheckMemory(0, "unknown"); err != nil {
		t.Errorf("no limit: %v", err)
	}
	// A count given with --set is located at the override.
	s = mustLoad(t, "pow-bitcoin.toml")
	if err := s.Set("group.0.count", "9000000"); err != nil {
		t.Fatal(err)
	}
	err = s.CheckMemory(24e9, "available")
	if want := "--set: group.0.count: 9000000 nodes"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("CheckMemory after --set:\n%v\nwant prefix %s", err, want)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[float64]string{0: "0 B", 999: "999 B", 1000: "1 KB", 7500: "7.5 KB", 30.2e6: "30.2 MB", 2.37e11: "237 GB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%v) = %q, want %q", n, got, want)
		}
	}
}
