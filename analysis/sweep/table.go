package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
)

// mergedFile is merged.json (keys: DESIGN.md, "Sweep merge").
type mergedFile struct {
	Version int           `json:"coinai_sweep_merge"`
	Hash    string        `json:"sweep_hash"`
	Name    string        `json:"name"`
	Params  []Param       `json:"params"`
	Points  []mergedPoint `json:"points"`
	Missing []string      `json:"missing"`
}

type mergedPoint struct {
	ID      string    `json:"id"`
	Params  []Setting `json:"params"`
	Metrics []Metric  `json:"metrics"`
}

// JSON renders merged.json: the sweep's identity and parameters, every
// point present with its parameters and its metrics' statistics (as its
// ensemble.json gives them, without the per-replication values), and the
// ids of the missing points. It depends only on the points, not on which
// directories held them.
func (m *Merge) JSON() ([]byte, error) {
	f := mergedFile{Version: FormatVersion, Hash: m.Def.Hash, Name: m.Def.Name,
		Params: m.Def.Params, Points: []mergedPoint{}, Missing: []string{}}
	for _, p := range m.Points {
		mt := p.Metrics
		if mt == nil {
			mt = []Metric{}
		}
		f.Points = append(f.Points, mergedPoint{p.ID, p.Params, mt})
	}
	for _, p := range m.Missing {
		f.Missing = append(f.Missing, p.ID)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// CSV renders merged.csv: one row per point and metric (points in grid
// order, metrics in ensemble.json order), columns id, one per parameter
// key, metric, n, mean, sd, t_lo, t_hi, boot_lo, boot_hi. Numbers are
// written as in ensemble.csv (shortest exact form); a statistic that does
// not exist is an empty cell.
func (m *Merge) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"id"}
	for _, p := range m.Def.Params {
		head = append(head, p.Key)
	}
	head = append(head, "metric", "n", "mean", "sd", "t_lo", "t_hi", "boot_lo", "boot_hi")
	if err := w.Write(head); err != nil {
		return nil, err
	}
	for _, p := range m.Points {
		for _, mt := range p.Metrics {
			row := []string{p.ID}
			for _, s := range p.Params {
				row = append(row, s.Value)
			}
			row = append(row, mt.Metric, strconv.Itoa(mt.N))
			for _, v := range []*float64{mt.Mean, mt.SD, mt.TLo, mt.THi, mt.BootLo, mt.BootHi} {
				row = append(row, csvFloat(v))
			}
			if err := w.Write(row); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func csvFloat(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}
