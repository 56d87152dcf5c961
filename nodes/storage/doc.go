// Package storage holds the proof-of-storage primitives of Coin.AI: where a
// trained model is kept (placement), which parts of it a holder must show
// (challenges), the proof message a holder sends back and its check, and the
// arithmetic of how fast a holder that keeps only part of a model is caught.
// It is pure code: no clock, no network, no randomness other than hashes of
// its inputs, so every node that sees the same chain derives the same
// placements and challenges. Sub-package merkle commits to models and
// erasure splits them into Reed–Solomon shares.
//
// The scheme follows production systems: Sia's storage proofs (one segment
// per window, its index a hash of a recent block and the contract, proven by
// a Merkle path; a missed proof burns collateral), Filecoin's WindowPoSt
// (challenge randomness drawn from the chain a few epochs back), Storj's
// audits of random stripes of Reed–Solomon-coded data, and Permacoin's
// assignment of segments to a public key by hashing.
//
// # Commitment
//
// A model (a serialised network, typically 5 KB to 1 MB) is named on the
// chain by its commitment (see package merkle):
//
//	leaf       = SHA-256(0x00 || chunk)
//	node       = SHA-256(0x01 || left || right)      (odd node promoted)
//	commitment = SHA-256(0x02 || uint64le(size) || uint32le(chunkSize) || root)
//
// The commitment fixes the size, so the verifier knows the number of chunks
// and each chunk's length without trusting the prover. Model bundles this
// with the size and chunk size a verifier reads from the chain.
//
// # Placement
//
// Place chooses k holders among candidates with room by rendezvous (highest
// random weight) hashing: each candidate's score is
//
//	SHA-256("coinai/storage/place\x00" || blockHash || modelRoot || uint32le(id))
//
// compared as a big-endian number, and the k highest scores win. blockHash is
// the block that records the model, so the miner who trained it cannot pick
// its holders before the block exists, and each model's holders are spread
// independently of every other's. Rendezvous hashing disturbs little when the
// candidate set changes: removing a node moves only the models it held, and
// Replace, called with the original blockHash and the current holders as
// exclusions, picks exactly the next candidates of the same ranking.
//
// # Challenges
//
// A challenge for holder h of a model with n chunks is count distinct chunk
// indices drawn by a partial Fisher–Yates shuffle from the hash stream
//
//	SHA-256("coinai/storage/challenge\x00" || seed || modelRoot || uint32le(h) || uint64le(j)),  j = 0, 1, ...
//
// (each hash split into four little-endian 64-bit words; rejection sampling
// removes the modulo bias). The seed is
// the hash of a main-chain block a configurable number of blocks back
// (SeedHeight), not of the tip, for two reasons. A block that may still be
// reorganised away could be re-mined by a holder, or withheld, until its hash
// gives a challenge the holder can answer from the part it kept; a block
// buried under the lag is as costly to change as the chain itself. And every
// honest node, even one that briefly saw a different tip, derives the same
// challenge, so proofs are not rejected because of a short fork. The holder
// id is hashed in so that holders of one model are asked for different
// chunks and cannot answer with each other's proof; proofs also name their
// holder and are signed by it (SigningBytes).
//
// # What proofs show and do not show
//
// A valid proof shows that, at the time it was made, its signer could
// produce the challenged chunks of the committed model. A holder that keeps
// a fraction f of the chunks survives a challenge of c chunks only with the
// hypergeometric probability C(fn, c)/C(n, c) <= f^c (SurvivalProbability),
// so a lazy holder is caught after a geometric number of challenges
// (ExpectedChallenges).
//
// Proofs of possession cannot show where or how many times the data is
// stored. A holder may fetch the chunks from another holder or the miner
// on demand (outsourcing); only a response deadline shorter than the fetch
// time, which the network layer enforces, limits that. And a Sybil running
// several identities can keep one copy and answer for all of them: the
// proofs are indistinguishable from those of independent holders. Only a
// replica-specific encoding, where each holder stores a slow-to-compute
// encoding of the model unique to its identity (Filecoin's sealing,
// Permacoin's per-key segments), makes separate copies provable; this
// package does not implement one. Placement by hashing limits how many
// replicas one operator controls only as far as identities are costly.
package storage
