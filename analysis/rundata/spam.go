package rundata

import (
	"errors"
	"io/fs"
)

// SpamFile is spam.csv, written for runs with invalid-model spammers.
const SpamFile = "spam.csv"

// SpamRow is one row of spam.csv: a node's attacker role ("" if honest),
// the spam blocks it sent, those it checked and refused, those it dropped
// from banned peers, and the counted FLOPs of its evaluations of spam.
type SpamRow struct {
	Node                    int64
	Attack                  string
	Sent, Received, Dropped float64
	EvalFLOPs               float64
}

// loadSpamFile loads spam.csv if the run has it; it is expected when
// summary.json reports spam_models_sent.
func (r *Run) loadSpamFile(dir string) error {
	err := loadCSV(dir, SpamFile, []string{"node"}, func(t *table) error {
		return rows(t, func() error {
			var s SpamRow
			var err error
			if s.Node, err = t.reqInt("node"); err != nil {
				return err
			}
			s.Attack = t.str("attack")
			if err := floats(t, []string{"spam_sent", "spam_received", "spam_dropped", "spam_eval_flops"},
				&s.Sent, &s.Received, &s.Dropped, &s.EvalFLOPs); err != nil {
				return err
			}
			r.Spam = append(r.Spam, s)
			return nil
		})
	})
	if errors.Is(err, fs.ErrNotExist) {
		if r.Summary.Has("spam_models_sent") {
			r.Missing = append(r.Missing, SpamFile)
		}
		return nil
	}
	return err
}
