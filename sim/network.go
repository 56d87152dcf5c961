package sim

import (
	"fmt"
	"unsafe"

	"github.com/coinai/coinai/sim/cpu"
	"math"
	"math/rand/v2"
	"slices"
)

// NetConfig describes a region-based network in the manner of SimBlock:
// every node belongs to a region, latency depends on the pair of regions,
// and bandwidth on the node's region.
type NetConfig struct {
	Regions   []string    // region names, e.g. NA EU SA AP JP AU
	LatencyMs [][]float64 // mean one-way latency between regions, ms
	UpBps     []float64   // per-region upload bandwidth, bit/s
	DownBps   []float64   // per-region download bandwidth, bit/s
	Share     []float64   // per-region share of nodes (any positive scale)
	Jitter    bool        // Pareto jitter around the mean latency
}

// SimBlock2019 is SimBlock's default network (measurements of 2019): regions,
// latency matrix, bandwidths and the distribution of Bitcoin nodes.
func SimBlock2019() NetConfig {
	return NetConfig{
		Regions: []string{"NA", "EU", "SA", "AP", "JP", "AU"},
		LatencyMs: [][]float64{
			{32, 124, 184, 198, 151, 189},
			{124, 11, 227, 237, 252, 294},
			{184, 227, 88, 325, 301, 322},
			{198, 237, 325, 85, 58, 198},
			{151, 252, 301, 58, 12, 126},
			{189, 294, 322, 198, 126, 16},
		},
		DownBps: []float64{52e6, 40e6, 18e6, 22.8e6, 22.8e6, 29.9e6},
		UpBps:   []float64{19.2e6, 20.7e6, 5.8e6, 15.7e6, 10.2e6, 11.3e6},
		Share:   []float64{33.16, 49.98, 0.90, 11.77, 2.24, 1.95},
		Jitter:  true,
	}
}

// Validate checks the shapes and values of the tables.
func (c NetConfig) Validate() error {
	n := len(c.Regions)
	if n == 0 {
		return fmt.Errorf("network: no regions")
	}
	if len(c.LatencyMs) != n {
		return fmt.Errorf("network: latency matrix has %d rows for %d regions", len(c.LatencyMs), n)
	}
	for i, row := range c.LatencyMs {
		if len(row) != n {
			return fmt.Errorf("network: latency row %d has %d columns for %d regions", i, len(row), n)
		}
		for j, v := range row {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("network: latency[%d][%d] = %v is not a non-negative number", i, j, v)
			}
		}
	}
	for _, tab := range []struct {
		name string
		t    []float64
	}{{"upload", c.UpBps}, {"download", c.DownBps}} {
		name, t := tab.name, tab.t
		if len(t) != n {
			return fmt.Errorf("network: %s table has %d entries for %d regions", name, len(t), n)
		}
		for i, v := range t {
			if !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("network: %s[%d] = %v must be positive", name, i, v)
			}
		}
	}
	if c.Share != nil && len(c.Share) != n {
		return fmt.Errorf("network: region share has %d entries for %d regions", len(c.Share), n)
	}
	return nil
}

// Network computes message delivery times between nodes. A transfer of b
// bytes from s to d that is handed to the network at time t starts when s's
// uplink is free (a node's uplink serialises what it sends), lasts b*8 over
// the bottleneck of s's upload and d's download bandwidth, and arrives one
// latency later; the latency is the regions' mean with Pareto jitter.
type Network struct {
	cfg    NetConfig
	region []int8
	// up is each node's uplink: when it is next free and what it sent, in
	// one array because a transfer reads and writes both.
	up  []uplink
	rng *rand.Rand
	// Per-region precomputed ns per byte and latency parameters.
	latNs [][]float64

	Messages int64
}

type uplink struct {
	free Time
	sent int64 // bytes, including padding
}

// NewNetwork builds a network for nodes in the given regions (indices into
// cfg.Regions). rng is the network's own random stream (jitter).
func NewNetwork(cfg NetConfig, region []int8, rng *rand.Rand) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Network{cfg: cfg, region: region, up: make([]uplink, len(region)), rng: rng}
	for _, r := range region {
		if int(r) < 0 || int(r) >= len(cfg.Regions) {
			return nil, fmt.Errorf("network: node region %d out of range", r)
		}
	}
	n.latNs = make([][]float64, len(cfg.Regions))
	for i := range cfg.Regions {
		n.latNs[i] = make([]float64, len(cfg.Regions))
		for j := range cfg.Regions {
			n.latNs[i][j] = cfg.LatencyMs[i][j] * 1e6
		}
	}
	return n, nil
}

// BytesSent returns the bytes each node has sent, padding included. (What
// a node received is counted by the caller, at delivery.)
func (n *Network) BytesSent() []int64 {
	out := make([]int64, len(n.up))
	for i := range n.up {
		out[i] = n.up[i].sent
	}
	return out
}

// Prefetch asks the processor for node i's uplink record, which a
// transfer from it reads (see cpu.Prefetch): a hint that changes nothing.
func (n *Network) Prefetch(i int) { cpu.Prefetch(unsafe.Pointer(&n.up[i])) }

// Region is node i's region index.
func (n *Network) Region(i int) int { return int(n.region[i]) }

// Latency draws a one-way latency between the regions of nodes s and d, in
// ns. With jitter it follows SimBlock: Pareto with scale mean-5 ms and shape
// 0.2*mean (ms), whose mean is the table's mean.
func (n *Network) Latency(s, d int) Time {
	rs, rd := n.region[s], n.region[d]
	meanMs := n.cfg.LatencyMs[rs][rd]
	if !n.cfg.Jitter || meanMs <= 5 {
		return Time(n.latNs[rs][rd])
	}
	shape := 0.2 * meanMs
	scale := meanMs - 5
	// scale / U^(1/shape) with U uniform is scale * exp(E/shape) with E
	// standard exponential; the latter needs one exp and no log.
	ms := scale * math.Exp(n.rng.ExpFloat64()/shape)
	return Time(math.Round(ms * 1e6))
}

// Transfer charges a transfer of size bytes from s to d handed over at now
// and returns its arrival time.
func (n *Network) Transfer(now Time, s, d int, size int) Time {
	rs, rd := n.region[s], n.region[d]
	bw := min(n.cfg.UpBps[rs], n.cfg.DownBps[rd])
	tx := Time(math.Ceil(float64(size) * 8 / bw * 1e9))
	u := &n.up[s]
	start := max(now, u.free)
	u.free = start + tx
	u.sent += int64(size)
	n.Messages++
	return start + tx + n.Latency(s, d)
}

// AssignRegions draws a region for each of count nodes from the shares,
// in the manner of SimBlock (independent draws by share).
func AssignRegions(shares []float64, count int, rng *rand.Rand) []int8 {
	cum := make([]float64, len(shares))
	var total float64
	for i, s := range shares {
		total += s
		cum[i] = total
	}
	out := make([]int8, count)
	for i := range out {
		x := rng.Float64() * total
		r, _ := slices.BinarySearch(cum, x)
		if r >= len(shares) {
			r = len(shares) - 1
		}
		for r < len(shares)-1 && shares[r] == 0 {
			r++
		}
		out[i] = int8(r)
	}
	return out
}

// RandomTopology links each of n nodes to degree distinct random outbound
// peers; links are bidirectional, so a node's peer list holds its outbound
// peers and every node that chose it. Lists are sorted by node id.
func RandomTopology(n, degree int, rng *rand.Rand) [][]int32 {
	degrees := make([]int, n)
	for i := range degrees {
		degrees[i] = degree
	}
	return RandomTopologyDegrees(degrees, rng)
}

// MeanLatency is the mean one-way latency between the regions of nodes s
// and d (the table's value, without jitter), in ns: the scale of a
// latency spike given as a factor.
func (n *Network) MeanLatency(s, d int) Time { return Time(n.latNs[n.region[s]][n.region[d]]) }
