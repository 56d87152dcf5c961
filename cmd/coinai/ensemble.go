package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/coinai/coinai/analysis/stats"
	"github.com/coinai/coinai/scenarios/observe"
)

// The ensemble of `coinai run --reps N`: per numeric summary.json key, the
// replications' values and their statistics, all computed with
// analysis/stats. Key names of ensemble.json and the columns of
// ensemble.csv are a contract (DESIGN.md, "Replications").

const (
	ensembleLevel      = 0.95
	ensembleResamples  = 10000
	ensembleFormatVers = 1
)

// ensembleSkip are numeric summary keys that are no metric of the run: the
// seed (the ensemble lists the seeds) and wall-clock quantities, which
// depend on the machine and GOMAXPROCS.
var ensembleSkip = map[string]bool{"seed": true, "wall_seconds": true, "attempts_speculative": true}

// metricKeys returns the numeric keys of summary.json in the order of the
// observe.Summary struct, with the index path of each field. Pointer fields
// (null when they do not apply) count.
func metricKeys() (keys []string, fields [][]int) {
	t := reflect.TypeFor[observe.Summary]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || ensembleSkip[name] {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			keys = append(keys, name)
			fields = append(fields, f.Index)
		}
	}
	return keys, fields
}

// summaryValue is the value of field idx of s, and false when it is null
// (a nil pointer, or a NaN or infinity, which summary.json writes as null).
func summaryValue(s *observe.Summary, idx []int) (float64, bool) {
	v := reflect.ValueOf(s).Elem().FieldByIndex(idx)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, false
		}
		v = v.Elem()
	}
	var x float64
	switch {
	case v.CanInt():
		x = float64(v.Int())
	case v.CanUint():
		x = float64(v.Uint())
	default:
		x = v.Float()
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// jfloat is a float64 that JSON writes as null when it is NaN or infinite.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(x)
}

// ensembleMetric is one entry of ensemble.json "metrics".
type ensembleMetric struct {
	Metric string `json:"metric"`
	// N is the number of replications with a value (not null).
	N      int    `json:"n"`
	Mean   jfloat `json:"mean"`
	SD     jfloat `json:"sd"`
	TLo    jfloat `json:"t_lo"`
	THi    jfloat `json:"t_hi"`
	BootLo jfloat `json:"boot_lo"`
	BootHi jfloat `json:"boot_hi"`
	// Values are the replications' values in replication order, null
	// where a replication has none.
	Values []*float64 `json:"values"`
}

// ensembleRep is one entry of ensemble.json "replications".
type ensembleRep struct {
	Seed        int64  `json:"seed"`
	Dir         string `json:"dir"`
	TraceDigest string `json:"trace_digest"`
	ChecksOK    bool   `json:"checks_ok"`
}

// ensemble is ensemble.json.
type ensemble struct {
	Version            int              `json:"coinai_ensemble"`
	Scenario           string           `json:"scenario"`
	Protocol           string           `json:"protocol"`
	Reps               int              `json:"reps"`
	SeedRule           string           `json:"seed_rule"`
	Seeds              []int64          `json:"seeds"`
	Level              float64          `json:"level"`
	BootstrapResamples int              `json:"bootstrap_resamples"`
	BootstrapSeed      uint64           `json:"bootstrap_seed"`
	ChecksOK           bool             `json:"checks_ok"`
	FailedSeeds        []int64          `json:"failed_seeds"`
	Replications       []ensembleRep    `json:"replications"`
	Metrics            []ensembleMetric `json:"metrics"`
}

// computeEnsemble summarises the replications' summaries (in replication
// order; seeds[i] and dirs[i] belong to sums[i]).
func computeEnsemble(sums []*observe.Summary, seeds []int64, dirs []string) *ensemble {
	e := &ensemble{Version: ensembleFormatVers, Reps: len(sums), Seeds: seeds,
		SeedRule: "replication i (0-based) uses seed S+i", Level: ensembleLevel,
		BootstrapResamples: ensembleResamples, BootstrapSeed: stats.BootstrapSeed,
		ChecksOK: true, FailedSeeds: []int64{}}
	if len(sums) > 0 {
		e.Scenario, e.Protocol = sums[0].Scenario, sums[0].Protocol
	}
	for i, s := range sums {
		e.Replications = append(e.Replications, ensembleRep{Seed: seeds[i], Dir: dirs[i], TraceDigest: s.TraceDigest, ChecksOK: s.ChecksOK})
		if !s.ChecksOK {
			e.ChecksOK = false
			e.FailedSeeds = append(e.FailedSeeds, seeds[i])
		}
	}
	keys, fields := metricKeys()
	for k, key := range keys {
		m := ensembleMetric{Metric: key, Values: make([]*float64, len(sums))}
		var x []float64
		for i, s := range sums {
			if v, ok := summaryValue(s, fields[k]); ok {
				m.Values[i] = &v
				x = append(x, v)
			}
		}
		m.N = len(x)
		t := stats.MeanCI(x, ensembleLevel)
		// One generator per metric, from the fixed seed: a metric's
		// interval does not depend on which other metrics exist.
		b := stats.Bootstrap(x, stats.Mean, ensembleResamples, ensembleLevel, stats.NewRand(stats.BootstrapSeed))
		m.Mean, m.SD = jfloat(stats.Mean(x)), jfloat(stats.StdDev(x))
		m.TLo, m.THi, m.BootLo, m.BootHi = jfloat(t.Lo), jfloat(t.Hi), jfloat(b.Lo), jfloat(b.Hi)
		e.Metrics = append(e.Metrics, m)
	}
	return e
}

// files renders ensemble.json and ensemble.csv.
func (e *ensemble) files() (map[string][]byte, error) {
	j, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	var c bytes.Buffer
	c.WriteString("metric,n,mean,sd,t_lo,t_hi,boot_lo,boot_hi\n")
	for _, m := range e.Metrics {
		fmt.Fprintf(&c, "%s,%d", m.Metric, m.N)
		for _, v := range []jfloat{m.Mean, m.SD, m.TLo, m.THi, m.BootLo, m.BootHi} {
			c.WriteByte(',')
			if x := float64(v); !math.IsNaN(x) && !math.IsInf(x, 0) {
				c.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			}
		}
		c.WriteByte('\n')
	}
	return map[string][]byte{"ensemble.json": append(j, '\n'), "ensemble.csv": c.Bytes()}, nil
}

// headlineMetrics are the metrics the stdout table shows, where present.
var headlineMetrics = []string{"interval_mean_s", "stale_rate", "propagation_p50_s", "energy_joules_per_block", "reward_gini", "mined_accuracy_mean"}
