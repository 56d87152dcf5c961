package pipeline

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/nn"
)

// kernelPathChild marks the child processes of TestQuickstartKernelPaths.
const kernelPathChild = "COINAI_TEST_KERNEL_PATH_CHILD"

// TestQuickstartKernelPaths runs the quickstart on the AVX-512 kernels and,
// in a child process with COINAI_NN_KERNEL=avx2, on the AVX2 kernels, and
// requires both to give the committed baseline's trace digest and every
// CSV byte for byte: the trainer's digest must not depend on which of the
// two the CPU has. It is skipped on a CPU without AVX-512, where there is
// only one path (TestBaselinesReplay covers it).
func TestQuickstartKernelPaths(t *testing.T) {
	if os.Getenv(kernelPathChild) != "" {
		// Child: run the quickstart and report what the parent compares.
		_, res := runScenario(t, "../../scenarios/quickstart.toml")
		files, err := res.Files(false)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{"digest": res.Summary.TraceDigest, "kernel": res.Summary.Kernel, "impl": res.Summary.KernelImpl}
		for name, b := range files {
			if strings.HasSuffix(name, ".csv") {
				out[name] = string(b)
			}
		}
		b, _ := json.Marshal(out)
		os.Stdout.Write(append([]byte("\nKERNELPATH "), append(b, '\n')...))
		return
	}
	if nn.KernelImpl() != "amd64-avx512f" {
		t.Skipf("trainer kernel path %s: no AVX-512 path to compare with AVX2", nn.KernelImpl())
	}
	base, err := os.ReadFile("../../results/quickstart-seed1/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		TraceDigest string `json:"trace_digest"`
		Kernel      string `json:"kernel"`
	}
	if err := json.Unmarshal(base, &want); err != nil {
		t.Fatal(err)
	}
	run := func(cap string) map[string]string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestQuickstartKernelPaths$", "-test.count=1")
		cmd.Env = append(os.Environ(), kernelPathChild+"=1", "COINAI_NN_KERNEL="+cap)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("COINAI_NN_KERNEL=%q child: %v\n%s", cap, err, b)
		}
		_, line, ok := strings.Cut(string(b), "\nKERNELPATH ")
		if !ok {
			t.Fatalf("COINAI_NN_KERNEL=%q child printed no result:\n%s", cap, b)
		}
		line, _, _ = strings.Cut(line, "\n")
		var out map[string]string
		if err := json.Unmarshal([]byte(line), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	z, y := run(""), run("avx2")
	if z["impl"] != "amd64-avx512f" || y["impl"] != "amd64-avx2-fma" {
		t.Fatalf("kernel paths %q and %q, want amd64-avx512f and amd64-avx2-fma", z["impl"], y["impl"])
	}
	for _, got := range []map[string]string{z, y} {
		if got["kernel"] != want.Kernel || got["digest"] != want.TraceDigest {
			t.Errorf("%s: kernel %s digest %s, want the baseline's %s %s", got["impl"], got["kernel"], got["digest"], want.Kernel, want.TraceDigest)
		}
	}
	n := 0
	for name, v := range y {
		if strings.HasSuffix(name, ".csv") {
			n++
			if z[name] != v {
				t.Errorf("%s differs between the AVX-512 and AVX2 paths", name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no CSV compared")
	}
	t.Logf("quickstart digest %s on both paths (%d CSVs identical)", z["digest"], n)
}
