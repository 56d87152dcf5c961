// Package ledger is Coin.AI's account model: keys and addresses, signed
// transactions, balances derived from the chain, and the pool of pending
// transactions a miner draws its block body and its training problem from.
//
// The package is pure: it knows nothing of blocks, networks or the
// simulator. A block is seen only through its BlockEffects (who mined it, the
// newly minted reward, the problem it solves and the transactions it
// carries), so the same State serves the Coin.AI node, offline replays and
// invariant checkers.
//
// # Consensus arithmetic
//
// Amounts are integer base units (Amount, 1 coin = 1e8 units). Floats never
// enter a consensus decision; every addition and subtraction is checked and
// overflow is an error, never a wrap.
//
// # Problems and their fees
//
// A Problem transaction is a user's request to have a model trained on a
// dataset. Its life has two steps, in two different blocks:
//
//  1. Inclusion. A block at height h carries the Problem transaction. The
//     submitter's nonce advances and the Fee leaves the submitter's balance
//     into escrow, keyed by the transaction's ID. The including miner earns
//     nothing for it (unlike Transfer and StorageProof fees).
//  2. Solution. A later block (height > h) whose header names that ID as the
//     problem it trained on, and which is valid (its model's accuracy on the
//     problem's test split passes the threshold), solves the problem: the
//     escrowed Fee is paid to the miner of that block and the problem closes.
//     A block cannot solve a problem included in the same block, because
//     Apply settles the solution before it applies the block's transactions.
//
// Escrow makes the submitter pay once, at a known time, without blocking its
// later nonces while the problem waits, and it lets validators read the
// problem (dataset, shape, split) from the state before evaluating a block.
// A problem without a Deadline that nobody solves stays in escrow; the coins
// remain counted in Supply. A problem with one is refunded to its submitter
// by the first block whose parent is stamped at or after it
// (BlockEffects.ParentTime), and can no longer be solved. State.NextProblem
// (highest fee) and State.PickProblem (a named rule: fee, age or hash-draw,
// over the problems a chain can serve) pick the one miners train on next.
//
// # Costs
//
// Every node applies every block, so State.Apply is cheap: it checks nonces,
// balances and overflow but never verifies a signature. VerifyTxs does that
// (and the stateless checks) separately, so that the caller can cache the
// result per block and charge its cost as compute.
package ledger
