package results

import (
	"fmt"

	"github.com/coinai/coinai/scenarios/observe"
)

// spamCSV is spam.csv (runs with invalid-model spammers): per node its
// attacker role, the spam blocks it sent, those it checked and refused,
// those it dropped from banned peers, and the counted FLOPs of its
// evaluations of spam (summary.json's spam_* and honest_verify_flops_spam
// sum the honest rows).
func spamCSV(res *observe.Result) []byte {
	sp := res.Spam
	var b []byte
	b = append(b, "node,attack,spam_sent,spam_received,spam_dropped,spam_eval_flops\n"...)
	for i, spec := range res.Config.Nodes {
		b = fmt.Appendf(b, "%d,%s,%d,%d,%d,%s\n", i, spec.Attack, sp.Sent[i], sp.Received[i], sp.Dropped[i], fnum(sp.FLOPs[i]))
	}
	return b
}
