package scenarios

import "slices"

// powWorkload checks what a [[workload]] may declare under protocol
// "pow": the PoW baseline carries the users' transfers only. Problem
// submissions are Coin.AI's market (escrow, a pick rule, a model to
// deliver) and have no meaning on a chain of hashes, so they are refused
// rather than carried as plain fee-paying transactions, which would
// compare the protocols on different loads.
func (v *validator) powWorkload(key string, w WorkloadSpec) {
	const why = "the PoW baseline carries transfers only: problems are Coin.AI's market (run the Coin.AI twin for them)"
	if w.Kind == "poisson" && w.ProblemShare > 0 {
		v.add(key+".problem_share", "%v: %s; set problem_share = 0", w.ProblemShare, why)
	}
	if len(w.Datasets) > 0 {
		v.add(key+".datasets", "%s; remove datasets", why)
	}
	if w.Kind == "trace" && w.File != "" && w.Accounts >= 1 {
		rows, err := ReadTrace(v.s.TracePath(w), w.Accounts)
		if err != nil {
			return // reported by the trace check
		}
		if i := slices.IndexFunc(rows, func(r TraceRow) bool { return r.Kind == "problem" }); i >= 0 {
			v.add(key+".file", "%s:%d: kind \"problem\": %s", v.s.TracePath(w), rows[i].Line, why)
		}
	}
}
