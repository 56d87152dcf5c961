package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/nn"
)

const trainUsage = `Usage: coinai train [flags]

Trains one model with minibatch SGD and momentum and reports, per epoch, the
wall time of the training pass, the mean training loss and the test accuracy.
The defaults are the PyTorch peer's settings (nodes/nn/bench/torch_peer.py).

Flags:
  --data NAME       digits (embedded, 20% held out for testing) or fashion-mnist (default digits)
  --data-dir DIR    directory of the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)
  --model ARCH      mlp, mlp2, cnn or an architecture such as "conv8x5-relu,pool2,fc100-relu" (default mlp)
  --epochs N        passes over the training data (default 3)
  --batch N         samples per SGD step (default 64)
  --lr X            learning rate (default 0.05)
  --momentum X      momentum (default 0.9)
  --seed N          seeds the initial weights, the shuffles and the digits split (default 1)
  --json            print one JSON object per epoch instead of a table
`

// trainEpoch is one line of `coinai train --json`.
type trainEpoch struct {
	Epoch        int     `json:"epoch"`
	TrainSeconds float64 `json:"train_seconds"`
	Loss         float64 `json:"loss"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	GFLOPS       float64 `json:"gflops_per_s"`
}

// cmdTrain implements `coinai train`. Exit codes: 0 ok, 1 failure (such as
// missing data), 2 usage or bad input.
func cmdTrain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "digits", "")
	dir := fs.String("data-dir", "", "")
	model := fs.String("model", "mlp", "")
	cfg := nn.DefaultTrainConfig
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "")
	fs.Float64Var(&cfg.Momentum, "momentum", cfg.Momentum, "")
	seed := fs.Uint64("seed", 1, "")
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, trainUsage)
			return 0
		}
		fmt.Fprintf(stderr, "coinai train: %v\n\n%s", err, trainUsage)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "coinai train: unexpected argument %q\n\n%s", fs.Arg(0), trainUsage)
		return 2
	}
	if strings.TrimSpace(*model) == "" {
		// ParseArch("") is plain softmax regression: never what an empty
		// flag (an unset shell variable) meant.
		fmt.Fprintf(stderr, "coinai train: --model is empty: want mlp, mlp2, cnn or an architecture such as \"conv8x5-relu,pool2,fc100-relu\"\n")
		return 2
	}
	if cfg.Epochs < 1 {
		fmt.Fprintf(stderr, "coinai train: --epochs must be at least 1\n")
		return 2
	}
	cfg.Seed = *seed

	var train, test *dataset.Set
	var err error
	switch *data {
	case "digits":
		var all *dataset.Set
		if all, err = dataset.Digits(); err == nil {
			train, _, test = all.Split(*seed, 0, 0.2)
		}
	case "fashion-mnist":
		train, test, err = dataset.FashionMNIST(*dir)
	default:
		fmt.Fprintf(stderr, "coinai train: unknown --data %q (want digits or fashion-mnist)\n", *data)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "coinai train: loading %s: %v\n", *data, err)
		return 1
	}

	arch, err := nn.Preset(*model, train.C, train.H, train.W, train.Classes)
	if err != nil {
		arch, err = nn.ParseArch(*model, train.C, train.H, train.W, train.Classes)
	}
	if err != nil {
		fmt.Fprintf(stderr, "coinai train: --model %q is neither mlp, mlp2, cnn nor a valid architecture: %v\n", *model, err)
		return 2
	}
	m, err := nn.NewModel(arch, *seed)
	if err != nil {
		fmt.Fprintf(stderr, "coinai train: %v\n", err)
		return 2
	}
	tr, err := nn.NewTrainer(m, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "coinai train: %v\n", err)
		return 2
	}
	flops := arch.TrainFLOPs(train.Len(), 1)
	if !*asJSON {
		fmt.Fprintf(stdout, "model %s (%s) on %s: %d train, %d test samples, %d parameters, %.3g FLOP per epoch, kernel %s (path %s)\n",
			*model, arch, *data, train.Len(), test.Len(), len(m.Params), flops, nn.Kernel(), nn.KernelImpl())
		fmt.Fprintf(stdout, "%5s %9s %8s %9s %9s %8s\n", "epoch", "train_s", "loss", "test_acc", "test_loss", "GFLOP/s")
	}
	enc := json.NewEncoder(stdout)
	for e := 1; e <= cfg.Epochs; e++ {
		t0 := time.Now()
		loss, err := tr.Epoch(train.X, train.Y, train.Len())
		secs := time.Since(t0).Seconds()
		if err != nil {
			fmt.Fprintf(stderr, "coinai train: epoch %d: %v\n", e, err)
			return 1
		}
		acc, tloss := nn.Evaluate(m, test.X, test.Y, test.Len())
		row := trainEpoch{Epoch: e, TrainSeconds: secs, Loss: loss, TestAccuracy: acc, TestLoss: tloss, GFLOPS: flops / secs / 1e9}
		if *asJSON {
			if err := enc.Encode(row); err != nil {
				fmt.Fprintf(stderr, "coinai train: %v\n", err)
				return 1
			}
			continue
		}
		fmt.Fprintf(stdout, "%5d %9.3f %8.4f %9.4f %9.4f %8.2f\n", row.Epoch, row.TrainSeconds, row.Loss, row.TestAccuracy, row.TestLoss, row.GFLOPS)
	}
	return 0
}
