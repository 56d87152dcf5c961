package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCmdTrainDigitsJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := cmdTrain([]string{"--data", "digits", "--model", "fc64-relu", "--epochs", "3", "--batch", "32", "--json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	sc := bufio.NewScanner(&out)
	n := 0
	var last map[string]float64
	for sc.Scan() {
		n++
		last = map[string]float64{}
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		for _, k := range []string{"epoch", "train_seconds", "loss", "test_accuracy"} {
			if _, ok := last[k]; !ok {
				t.Errorf("line %d lacks %q: %s", n, k, sc.Text())
			}
		}
		if last["epoch"] != float64(n) {
			t.Errorf("line %d: epoch %v", n, last["epoch"])
		}
	}
	if n != 3 {
		t.Fatalf("%d lines, want 3", n)
	}
	if last["test_accuracy"] < 0.9 {
		t.Errorf("test accuracy %v after 3 epochs on digits", last["test_accuracy"])
	}
}

func TestCmdTrainTable(t *testing.T) {
	var out, errb bytes.Buffer
	// The cnn preset fits the 8x8 digits: 5x5 VALID conv to 4x4, pool to 2x2.
	if code := cmdTrain([]string{"--model", "cnn", "--epochs", "1"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "test_acc") || !strings.Contains(out.String(), "conv8x5-relu,pool2") {
		t.Errorf("table output:\n%s", out.String())
	}
}

func TestCmdTrainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--epochs", "0"}, 2, "--epochs"},
		{[]string{"--model", "fc10-relu,conv3x3-relu,conv9x9-relu"}, 2, "does not fit"},
		{[]string{"--data", "cifar"}, 2, "unknown --data"},
		{[]string{"--model", ""}, 2, "--model is empty"},
		{[]string{"--model", " "}, 2, "--model is empty"},
		{[]string{"--model", "fc64-relu,fc1000000-relu"}, 2, `layer 1 "fc1000000-relu": units: 1000000 is above the limit of 16384 (nn.MaxDim)`},
		{[]string{"--model", "conv8x100-relu"}, 2, "kernel: 100 is above the limit of 64 (nn.MaxKernel)"},
		{[]string{"--batch", "0"}, 2, "batch"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--data", "fashion-mnist", "--data-dir", "/nonexistent"}, 1, "apt-get install -y dataset-fashion-mnist"},
	} {
		var out, errb bytes.Buffer
		code := cmdTrain(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := cmdTrain([]string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "--data-dir") {
		t.Errorf("--help: exit %d, output %q", code, out.String())
	}
}
