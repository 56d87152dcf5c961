package scenarios

import _ "embed"

// PowBitcoinTOML is scenarios/pow-bitcoin.toml as shipped, for code that
// must run exactly that scenario whatever its working directory (the
// propagation calibration of `coinai calibrate`). Parse it with the name
// PowBitcoinFile so that errors point at the file.
//
//go:embed pow-bitcoin.toml
var PowBitcoinTOML []byte

// PowBitcoinFile is the repository path of PowBitcoinTOML.
const PowBitcoinFile = "scenarios/pow-bitcoin.toml"
