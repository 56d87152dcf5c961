// Package deploy holds no Go code, only the files that run a coinai sweep
// on a cluster (Dockerfile, Kubernetes Jobs, Slurm scripts); this test
// checks that they agree with each other, since no cluster runs in CI:
// the shard count N of each --shard i/N matches the number of Job
// completions or array tasks, every shard writes where the merge reads,
// the sweep file is one the image ships, and the image builds offline.
package deploy

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The files checked, relative to the repository root.
const (
	sweepJobFile    = "deploy/k8s/sweep-job.yaml"
	mergeJobFile    = "deploy/k8s/merge-job.yaml"
	pvcFile         = "deploy/k8s/pvc.yaml"
	resultsPodFile  = "deploy/k8s/results-pod.yaml"
	sweepSbatchFile = "deploy/slurm/sweep.sbatch"
	mergeSbatchFile = "deploy/slurm/merge.sbatch"
	dockerfile      = "deploy/Dockerfile"
	buildDockerfile = "deploy/build.Dockerfile"
	rootIgnore      = ".dockerignore"
	buildIgnore     = "deploy/build.Dockerfile.dockerignore"
)

var checkedFiles = []string{sweepJobFile, mergeJobFile, pvcFile, resultsPodFile,
	sweepSbatchFile, mergeSbatchFile, dockerfile, buildDockerfile, rootIgnore, buildIgnore}

// The completion index of an Indexed Job, as annotation (Kubernetes 1.21+)
// or label (1.28+) of its pods, readable through the downward API.
var indexFieldPaths = []string{
	"metadata.annotations['batch.kubernetes.io/job-completion-index']",
	"metadata.labels['batch.kubernetes.io/job-completion-index']",
}

// Only the fields the manifests use are declared: they are decoded
// strictly, so a misspelt field (which Kubernetes would drop, or reject)
// fails here. A new, real field needs adding below.
type meta struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

type jobManifest struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Metadata   meta    `json:"metadata"`
	Spec       jobSpec `json:"spec"`
}

type jobSpec struct {
	CompletionMode          string         `json:"completionMode,omitempty"`
	Completions             *int           `json:"completions,omitempty"`
	Parallelism             *int           `json:"parallelism,omitempty"`
	BackoffLimit            *int           `json:"backoffLimit,omitempty"`
	BackoffLimitPerIndex    *int           `json:"backoffLimitPerIndex,omitempty"`
	MaxFailedIndexes        *int           `json:"maxFailedIndexes,omitempty"`
	PodReplacementPolicy    string         `json:"podReplacementPolicy,omitempty"`
	PodFailurePolicy        *failurePolicy `json:"podFailurePolicy,omitempty"`
	ActiveDeadlineSeconds   *int           `json:"activeDeadlineSeconds,omitempty"`
	TTLSecondsAfterFinished *int           `json:"ttlSecondsAfterFinished,omitempty"`
	Template                struct {
		Metadata meta    `json:"metadata"`
		Spec     podSpec `json:"spec"`
	} `json:"template"`
}

type failurePolicy struct {
	Rules []struct {
		Action      string `json:"action"`
		OnExitCodes *struct {
			ContainerName string `json:"containerName,omitempty"`
			Operator      string `json:"operator"`
			Values        []int  `json:"values"`
		} `json:"onExitCodes,omitempty"`
		OnPodConditions []struct {
			Type   string `json:"type"`
			Status string `json:"status,omitempty"`
		} `json:"onPodConditions,omitempty"`
	} `json:"rules"`
}

type podManifest struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Metadata   meta    `json:"metadata"`
	Spec       podSpec `json:"spec"`
}

type podSpec struct {
	RestartPolicy   string         `json:"restartPolicy,omitempty"`
	SecurityContext map[string]any `json:"securityContext,omitempty"`
	Containers      []container    `json:"containers"`
	Volumes         []struct {
		Name                  string `json:"name"`
		PersistentVolumeClaim *struct {
			ClaimName string `json:"claimName"`
			ReadOnly  bool   `json:"readOnly,omitempty"`
		} `json:"persistentVolumeClaim,omitempty"`
	} `json:"volumes,omitempty"`
}

type container struct {
	Name            string   `json:"name"`
	Image           string   `json:"image"`
	ImagePullPolicy string   `json:"imagePullPolicy,omitempty"`
	Command         []string `json:"command,omitempty"`
	Args            []string `json:"args,omitempty"`
	Env             []struct {
		Name      string `json:"name"`
		Value     string `json:"value,omitempty"`
		ValueFrom *struct {
			FieldRef *struct {
				FieldPath string `json:"fieldPath"`
			} `json:"fieldRef,omitempty"`
			ResourceFieldRef *struct {
				ContainerName string `json:"containerName,omitempty"`
				Resource      string `json:"resource"`
				Divisor       string `json:"divisor,omitempty"`
			} `json:"resourceFieldRef,omitempty"`
		} `json:"valueFrom,omitempty"`
	} `json:"env,omitempty"`
	Resources struct {
		Requests map[string]string `json:"requests,omitempty"`
		Limits   map[string]string `json:"limits,omitempty"`
	} `json:"resources"`
	SecurityContext map[string]any `json:"securityContext,omitempty"`
	VolumeMounts    []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
		ReadOnly  bool   `json:"readOnly,omitempty"`
	} `json:"volumeMounts,omitempty"`
}

type pvcManifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   meta   `json:"metadata"`
	Spec       struct {
		AccessModes      []string `json:"accessModes"`
		StorageClassName *string  `json:"storageClassName,omitempty"`
		Resources        struct {
			Requests map[string]string `json:"requests"`
		} `json:"resources"`
	} `json:"spec"`
}

// checker gathers the problems found in a set of deployment files.
type checker struct {
	files    map[string]string // path -> content
	problems []string
	notes    []string // checks that could not run (a file not in the repo yet)
}

func (c *checker) fail(file, format string, args ...any) {
	c.problems = append(c.problems, file+": "+fmt.Sprintf(format, args...))
}

func readFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, f := range checkedFiles {
		b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(f)))
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		files[f] = string(b)
	}
	return files
}

// decode reads a manifest strictly: an unknown or duplicate field is an
// error, and so is a field in the wrong case (encoding/json would accept
// it; Kubernetes drops it).
func (c *checker) decode(file string, v any) bool {
	if err := yaml.UnmarshalStrict([]byte(c.files[file]), v); err != nil {
		c.fail(file, "%v", err)
		return false
	}
	var generic any
	if err := yaml.Unmarshal([]byte(c.files[file]), &generic); err != nil {
		c.fail(file, "%v", err)
		return false
	}
	n := len(c.problems)
	c.checkCase(file, "", generic, reflect.TypeOf(v))
	return len(c.problems) == n
}

// checkCase walks a decoded document beside the Go type it was decoded
// into, and reports keys that match a field's json name only when case
// is ignored.
func (c *checker) checkCase(file, at string, doc any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch d := doc.(type) {
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range d {
				c.checkCase(file, fmt.Sprintf("%s[%d]", at, i), e, t.Elem())
			}
		}
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(d)) {
			e := d[k]
			for i := range t.NumField() {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
				if name == k {
					c.checkCase(file, at+"."+k, e, t.Field(i).Type)
				} else if strings.EqualFold(name, k) {
					c.fail(file, "%s.%s: %q is spelt %q", at, k, k, name)
				}
			}
		}
	}
}

// check runs every check on c.files.
func (c *checker) check() {
	var sweep, merge jobManifest
	var pvc pvcManifest
	var results podManifest
	okSweep, okMerge := c.decode(sweepJobFile, &sweep), c.decode(mergeJobFile, &merge)
	okPVC, okResults := c.decode(pvcFile, &pvc), c.decode(resultsPodFile, &results)

	img := c.checkDockerfile(dockerfile, rootIgnore)
	c.checkDockerfile(buildDockerfile, buildIgnore)

	var sw sweepJobInfo
	if okSweep {
		sw = c.checkSweepJob(sweep, img)
	}
	if okSweep && okMerge && sw.n > 0 {
		c.checkMergeJob(merge, sw, img)
	}
	if okResults && (results.APIVersion != "v1" || results.Kind != "Pod") {
		c.fail(resultsPodFile, "want apiVersion v1, kind Pod; have %s %s", results.APIVersion, results.Kind)
	}
	if okPVC {
		if pvc.APIVersion != "v1" || pvc.Kind != "PersistentVolumeClaim" {
			c.fail(pvcFile, "want apiVersion v1, kind PersistentVolumeClaim; have %s %s", pvc.APIVersion, pvc.Kind)
		}
		if !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
			c.fail(pvcFile, "accessModes %v: shards on several nodes need ReadWriteMany", pvc.Spec.AccessModes)
		}
		for _, u := range []struct {
			file, claim string
			ok          bool
		}{
			{sweepJobFile, claimOf(sweep.Spec.Template.Spec), okSweep},
			{mergeJobFile, claimOf(merge.Spec.Template.Spec), okMerge},
			{resultsPodFile, claimOf(results.Spec), okResults},
		} {
			if u.ok && u.claim != pvc.Metadata.Name {
				c.fail(u.file, "claimName %q is not the claim of %s (%q)", u.claim, pvcFile, pvc.Metadata.Name)
			}
		}
	}
	c.checkSlurm(sw)
}

// imageInfo is what the final stage of a Dockerfile puts in the image.
type imageInfo struct {
	entrypoint string
	copies     []copyInstr // COPY from the build context
	binary     string      // where the binary lands
}

type copyInstr struct {
	srcs []string
	dest string
	from string
}

// imageSource maps a path inside the image to the path in the repository
// it is copied from, "" when no COPY of the final stage provides it.
func (img imageInfo) imageSource(p string) string {
	for _, cp := range img.copies {
		if cp.from != "" {
			continue
		}
		for _, src := range cp.srcs {
			var repo string
			if strings.HasSuffix(cp.dest, "/") {
				rel, ok := strings.CutPrefix(p, cp.dest)
				if !ok || strings.Contains(rel, "/") {
					continue
				}
				repo = path.Join(path.Dir(src), rel)
			} else if p == cp.dest {
				repo = src
			} else {
				continue
			}
			if ok, _ := path.Match(src, repo); ok {
				return repo
			}
		}
	}
	return ""
}

type sweepJobInfo struct {
	n         int    // shard count: completions
	sweepFile string // repository path of the sweep file
	outs      []string
	mount     string
	claim     string
	image     string
}

func containerOf(c *checker, file string, spec podSpec) (container, bool) {
	if len(spec.Containers) != 1 {
		c.fail(file, "want one container, have %d", len(spec.Containers))
		return container{}, false
	}
	return spec.Containers[0], true
}

func claimOf(spec podSpec) string {
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			return v.PersistentVolumeClaim.ClaimName
		}
	}
	return ""
}

// mountOf is the mount path of the container's PersistentVolumeClaim.
func mountOf(spec podSpec, ctr container) string {
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		for _, m := range ctr.VolumeMounts {
			if m.Name == v.Name {
				return m.MountPath
			}
		}
	}
	return ""
}

var varRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand does what the kubelet does to command and args: $(NAME) becomes
// the value of the container's env var NAME, $$ a $, and a reference to an
// undeclared variable stays as written (and would reach coinai verbatim).
func expand(s string, env map[string]string) (string, []string) {
	var undeclared []string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		name := m[2 : len(m)-1]
		if v, ok := env[name]; ok {
			return v
		}
		undeclared = append(undeclared, name)
		return m
	})
	return out, undeclared
}

// flags splits coinai arguments into positional arguments and --flag
// values (the forms "--flag value" and "--flag=value").
func flags(args []string, boolean ...string) (pos []string, vals map[string]string) {
	vals = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		if k, v, ok := strings.Cut(a, "="); ok {
			vals[k] = v
		} else if slices.Contains(boolean, a) || i+1 == len(args) {
			vals[a] = ""
		} else {
			vals[a] = args[i+1]
			i++
		}
	}
	return pos, vals
}

// cpus reads a CPU quantity ("2", "1500m") as whole CPUs, rounded down.
func cpus(q string) (int, error) {
	if m, ok := strings.CutSuffix(q, "m"); ok {
		v, err := strconv.Atoi(m)
		return v / 1000, err
	}
	return strconv.Atoi(q)
}

func (c *checker) checkJobCommon(file string, j jobManifest, img imageInfo, sub string) (container, bool) {
	if j.APIVersion != "batch/v1" || j.Kind != "Job" {
		c.fail(file, "want apiVersion batch/v1, kind Job; have %s %s", j.APIVersion, j.Kind)
	}
	spec := j.Spec.Template.Spec
	if spec.RestartPolicy != "Never" {
		c.fail(file, "restartPolicy %q: want Never (a failed shard is retried by a new pod; needed by podFailurePolicy and backoffLimitPerIndex)", spec.RestartPolicy)
	}
	ctr, ok := containerOf(c, file, spec)
	if !ok {
		return ctr, false
	}
	if len(ctr.Command) != 1 || path.Base(ctr.Command[0]) != "coinai" || len(ctr.Args) == 0 || ctr.Args[0] != sub {
		c.fail(file, "command %q args %q: want coinai %s", ctr.Command, ctr.Args, sub)
		return ctr, false
	}
	if img.binary != "" && ctr.Command[0] != img.binary {
		c.fail(file, "command %s, but %s puts coinai at %s", ctr.Command[0], dockerfile, img.binary)
	}
	if ctr.Resources.Requests["cpu"] == "" || ctr.Resources.Requests["memory"] == "" || ctr.Resources.Limits["memory"] == "" {
		c.fail(file, "want cpu and memory requests and a memory limit; have requests %v limits %v", ctr.Resources.Requests, ctr.Resources.Limits)
	}
	return ctr, true
}

func (c *checker) checkSweepJob(j jobManifest, img imageInfo) sweepJobInfo {
	const file = sweepJobFile
	var info sweepJobInfo
	s := j.Spec
	if s.CompletionMode != "Indexed" {
		c.fail(file, "completionMode %q: want Indexed, so each pod gets its shard's completion index", s.CompletionMode)
	}
	if s.Completions == nil || *s.Completions < 1 {
		c.fail(file, "completions must be set to the shard count N")
		return info
	}
	n := *s.Completions
	if s.Parallelism == nil || *s.Parallelism < 1 || *s.Parallelism > n {
		c.fail(file, "parallelism must be between 1 and completions (%d)", n)
	}
	if s.BackoffLimit == nil && s.BackoffLimitPerIndex == nil {
		c.fail(file, "set backoffLimitPerIndex or backoffLimit: a failed shard is retried, and resumes")
	}
	if s.PodReplacementPolicy != "Failed" {
		c.fail(file, "podReplacementPolicy %q: want Failed, so a retry never runs beside the pod it replaces in the same shard directory", s.PodReplacementPolicy)
	}
	ctr, ok := c.checkJobCommon(file, j, img, "sweep")
	if !ok {
		return info
	}
	info.image, info.claim = ctr.Image, claimOf(j.Spec.Template.Spec)
	info.mount = mountOf(j.Spec.Template.Spec, ctr)
	if info.mount == "" {
		c.fail(file, "no PersistentVolumeClaim mounted in the container: shards must write to a shared volume")
	}

	pos, vals := flags(ctr.Args[1:], "--keep-runs")
	if len(pos) != 1 {
		c.fail(file, "want one sweep file after `coinai sweep`, have %q", pos)
		return info
	}
	for _, f := range []string{"--out", "--shard"} {
		if vals[f] == "" {
			c.fail(file, "coinai sweep has no %s", f)
			return info
		}
	}
	if !strings.HasPrefix(pos[0], "/scenarios/sweeps/") || !strings.HasSuffix(pos[0], ".toml") {
		c.fail(file, "sweep file %s is not one of the image's /scenarios/sweeps/*.toml", pos[0])
	} else if info.sweepFile = img.imageSource(pos[0]); info.sweepFile == "" {
		c.fail(file, "sweep file %s: no COPY of %s puts it in the image", pos[0], dockerfile)
	}
	if jobs, err := strconv.Atoi(vals["--jobs"]); vals["--jobs"] != "" {
		cpu, cerr := cpus(ctr.Resources.Requests["cpu"])
		if err != nil || jobs < 1 || cerr != nil || jobs > cpu {
			c.fail(file, "--jobs %s: want a count of at most the requested CPUs (%s)", vals["--jobs"], ctr.Resources.Requests["cpu"])
		}
	}

	// The completion index reaches the args only through an env var that
	// the container declares and that reads the index.
	indexVars := map[string]bool{}
	for _, e := range ctr.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && slices.Contains(indexFieldPaths, e.ValueFrom.FieldRef.FieldPath) {
			indexVars[e.Name] = true
		}
	}
	usesIndex := false
	for _, m := range varRef.FindAllStringSubmatch(vals["--shard"], -1) {
		usesIndex = usesIndex || indexVars[m[1]]
	}
	if !usesIndex {
		c.fail(file, "--shard %s does not use the completion index (an env var declared with fieldRef %s)", vals["--shard"], indexFieldPaths[0])
		return info
	}
	outs := map[string]bool{}
	for i := range n {
		env := map[string]string{}
		for _, e := range ctr.Env {
			switch {
			case indexVars[e.Name]:
				env[e.Name] = strconv.Itoa(i)
			case e.ValueFrom == nil:
				env[e.Name] = e.Value
			default:
				env[e.Name] = "(" + e.Name + ")"
			}
		}
		for _, a := range append(slices.Clone(ctr.Command), ctr.Args...) {
			if _, undeclared := expand(a, env); len(undeclared) > 0 {
				c.fail(file, "%q refers to $(%s), which the container's env does not declare: Kubernetes would pass it unexpanded", a, undeclared[0])
				return info
			}
		}
		shard, _ := expand(vals["--shard"], env)
		if want := fmt.Sprintf("%d/%d", i, n); shard != want {
			c.fail(file, "completion index %d runs --shard %s, want %s (completions is %d)", i, shard, want, n)
			return info
		}
		out, _ := expand(vals["--out"], env)
		if info.mount == "" || !strings.HasPrefix(out, info.mount+"/") {
			c.fail(file, "index %d writes --out %s, outside the shared volume mounted at %q", i, out, info.mount)
			return info
		}
		if outs[out] {
			c.fail(file, "two indexes write --out %s", out)
			return info
		}
		outs[out] = true
		info.outs = append(info.outs, out)
	}
	info.n = n
	return info
}

func (c *checker) checkMergeJob(j jobManifest, sw sweepJobInfo, img imageInfo) {
	const file = mergeJobFile
	ctr, ok := c.checkJobCommon(file, j, img, "merge")
	if !ok {
		return
	}
	if ctr.Image != sw.image {
		c.fail(file, "image %s differs from the sweep job's %s", ctr.Image, sw.image)
	}
	pos, vals := flags(ctr.Args[1:], "--force", "--partial")
	if !slices.Equal(pos, sw.outs) {
		c.fail(file, "coinai merge reads %q, but the %d shards of %s write %q", pos, sw.n, sweepJobFile, sw.outs)
	}
	mount := mountOf(j.Spec.Template.Spec, ctr)
	if mount != sw.mount {
		c.fail(file, "volume mounted at %q, the sweep job's at %q", mount, sw.mount)
	}
	if out := vals["--out"]; out == "" || !strings.HasPrefix(out, mount+"/") || slices.Contains(sw.outs, out) {
		c.fail(file, "--out %q must be a new directory on the shared volume", out)
	}
}

// Slurm: the default shard count SHARDS of both scripts and the array
// size of sweep.sbatch must agree.
var (
	sbatchArray  = regexp.MustCompile(`(?m)^#SBATCH\s+--array=0-(\d+)(%\d+)?\s*$`)
	sbatchCPUs   = regexp.MustCompile(`(?m)^#SBATCH\s+--cpus-per-task=(\d+)\s*$`)
	sbatchShards = regexp.MustCompile(`(?m)^SHARDS=\$\{SHARDS:-(\d+)\}\s*$`)
	sbatchSweep  = regexp.MustCompile(`(?m)^SWEEP=\$\{SWEEP:-(\S+)\}\s*$`)
	sbatchShard  = regexp.MustCompile(`--shard "\$i/\$SHARDS"`)
	sbatchIndex  = regexp.MustCompile(`(?m)^i=\$\{SLURM_ARRAY_TASK_ID[:?}]`)
)

func (c *checker) checkSlurm(sw sweepJobInfo) {
	sweep, merge := c.files[sweepSbatchFile], c.files[mergeSbatchFile]
	arr := sbatchArray.FindStringSubmatch(sweep)
	if arr == nil {
		c.fail(sweepSbatchFile, "no `#SBATCH --array=0-K` line")
	}
	if sbatchCPUs.FindStringSubmatch(sweep) == nil {
		c.fail(sweepSbatchFile, "no `#SBATCH --cpus-per-task=C` line")
	}
	sh := sbatchShards.FindStringSubmatch(sweep)
	if sh == nil {
		c.fail(sweepSbatchFile, "no default shard count `SHARDS=${SHARDS:-N}`")
	}
	if arr != nil && sh != nil {
		k, _ := strconv.Atoi(arr[1])
		n, _ := strconv.Atoi(sh[1])
		if k+1 != n {
			c.fail(sweepSbatchFile, "--array=0-%d makes %d tasks, but SHARDS defaults to %d", k, k+1, n)
		}
	}
	if ms := sbatchShards.FindStringSubmatch(merge); ms == nil || sh == nil || ms[1] != sh[1] {
		c.fail(mergeSbatchFile, "SHARDS default %v differs from %s's %v", ms, sweepSbatchFile, sh)
	}
	if !sbatchShard.MatchString(sweep) || !sbatchIndex.MatchString(sweep) {
		c.fail(sweepSbatchFile, `want i=${SLURM_ARRAY_TASK_ID...} and --shard "$i/$SHARDS"`)
	}
	if sv := sbatchSweep.FindStringSubmatch(sweep); sv == nil || (sw.sweepFile != "" && sv[1] != sw.sweepFile) {
		c.fail(sweepSbatchFile, "default sweep file %v is not %s's (%s)", sv, sweepJobFile, sw.sweepFile)
	}
}

// Dockerfiles: a minimal parser (line continuations, comments, stages).
type instr struct {
	line int
	cmd  string // upper case
	args string
}

type stage struct {
	from, name string
	instrs     []instr
}

func parseDockerfile(text string) []stage {
	var stages []stage
	var cur *instr
	lines := strings.Split(text, "\n")
	for n, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") || (t == "" && cur == nil) {
			continue
		}
		cont := strings.HasSuffix(t, "\\")
		t = strings.TrimSuffix(t, "\\")
		if cur == nil {
			cmd, args, _ := strings.Cut(t, " ")
			cur = &instr{line: n + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else {
			cur.args += " " + strings.TrimSpace(t)
		}
		if cont {
			continue
		}
		if cur.cmd == "FROM" {
			f := strings.Fields(cur.args)
			st := stage{}
			for i := 0; i < len(f); i++ {
				if strings.HasPrefix(f[i], "--") {
					continue
				}
				if st.from == "" {
					st.from = f[i]
				} else if strings.EqualFold(f[i], "AS") && i+1 < len(f) {
					st.name = f[i+1]
					break
				}
			}
			stages = append(stages, st)
		} else if len(stages) > 0 {
			stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, *cur)
		}
		cur = nil
	}
	return stages
}

func parseCopy(args string) (copyInstr, bool) {
	var cp copyInstr
	if strings.HasPrefix(args, "[") {
		return cp, false
	}
	var rest []string
	for _, f := range strings.Fields(args) {
		if v, ok := strings.CutPrefix(f, "--from="); ok {
			cp.from = v
		} else if !strings.HasPrefix(f, "--") {
			rest = append(rest, f)
		}
	}
	if len(rest) < 2 {
		return cp, false
	}
	cp.srcs, cp.dest = rest[:len(rest)-1], rest[len(rest)-1]
	return cp, true
}

var goCommand = regexp.MustCompile(`\bgo (build|install|mod|get|run)\b`)

// checkDockerfile checks that the image's final stage pulls nothing and
// runs nothing (FROM scratch or an earlier stage, no RUN), that any RUN
// that builds with Go cannot reach the network for modules, and that every
// file it copies from the build context is in the repository and not cut
// out by the ignore file.
func (c *checker) checkDockerfile(file, ignoreFile string) imageInfo {
	var img imageInfo
	stages := parseDockerfile(c.files[file])
	if len(stages) == 0 {
		c.fail(file, "no FROM")
		return img
	}
	final := stages[len(stages)-1]
	earlier := map[string]bool{}
	for _, st := range stages[:len(stages)-1] {
		earlier[st.name] = st.name != ""
		for _, in := range st.instrs {
			if in.cmd == "RUN" && goCommand.MatchString(in.args) &&
				(!strings.Contains(in.args, "GOPROXY=off") || !strings.Contains(in.args, "type=bind,from=gomodcache")) {
				c.fail(file, "line %d: a go command without GOPROXY=off and the gomodcache mount would download modules", in.line)
			}
		}
	}
	if final.from != "scratch" && !earlier[final.from] {
		c.fail(file, "final stage FROM %s: pulling a base image needs the network; want scratch", final.from)
	}
	ignore := ignorePatterns(c.files[ignoreFile])
	for _, in := range final.instrs {
		switch in.cmd {
		case "RUN", "ADD", "ONBUILD":
			c.fail(file, "line %d: %s in the final stage (it would need a base image, or fetch)", in.line, in.cmd)
		case "ENTRYPOINT":
			img.entrypoint = in.args
		case "COPY":
			cp, ok := parseCopy(in.args)
			if !ok {
				c.fail(file, "line %d: COPY %s: want the shell form SRC... DEST", in.line, in.args)
				continue
			}
			img.copies = append(img.copies, cp)
			if path.Base(cp.dest) == "coinai" {
				img.binary = cp.dest
			}
			if cp.from != "" {
				continue
			}
			for _, src := range cp.srcs {
				c.checkCopySource(file, in.line, src, ignoreFile, ignore)
			}
		}
	}
	if img.binary == "" || img.entrypoint != fmt.Sprintf("[%q]", img.binary) {
		c.fail(file, "want coinai copied to /coinai and ENTRYPOINT [\"/coinai\"]; have %q, %s", img.binary, img.entrypoint)
	}
	return img
}

func (c *checker) checkCopySource(file string, line int, src, ignoreFile string, ignore []ignorePattern) {
	matches, _ := filepath.Glob(filepath.Join("..", filepath.FromSlash(src)))
	var paths []string
	for _, m := range matches {
		rel, _ := filepath.Rel("..", m)
		paths = append(paths, filepath.ToSlash(rel))
	}
	switch {
	case len(paths) > 0:
	case src == "deploy/coinai":
		paths = []string{src} // built before docker build; git-ignored
	default:
		if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(path.Dir(src)))); err != nil {
			c.notes = append(c.notes, fmt.Sprintf("%s:%d: COPY %s: %s is not in this checkout yet, so docker build would fail here", file, line, src, path.Dir(src)))
			paths = []string{path.Join(path.Dir(src), "example.toml")}
		} else {
			c.fail(file, "line %d: COPY %s matches no file", line, src)
		}
	}
	for _, p := range paths {
		if ignored(ignore, p) {
			c.fail(file, "line %d: COPY %s, but %s excludes %s from the build context", line, src, ignoreFile, p)
			return
		}
	}
}

// ignorePattern is one line of a .dockerignore, matched as Docker does: a
// path is excluded when the last pattern that matches it or one of its
// parent directories is not a "!" exception.
type ignorePattern struct {
	re        *regexp.Regexp
	exception bool
}

func ignorePatterns(text string) []ignorePattern {
	var ps []ignorePattern
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := ignorePattern{}
		if rest, ok := strings.CutPrefix(l, "!"); ok {
			p.exception, l = true, rest
		}
		l = strings.TrimPrefix(path.Clean(l), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(l); i++ {
			switch ch := l[i]; {
			case strings.HasPrefix(l[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(l[i:], "**"):
				re.WriteString(".*")
				i++
			case ch == '*':
				re.WriteString("[^/]*")
			case ch == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(ch)))
			}
		}
		re.WriteString("$")
		p.re = regexp.MustCompile(re.String())
		ps = append(ps, p)
	}
	return ps
}

func ignored(ps []ignorePattern, p string) bool {
	excluded := false
	for _, pat := range ps {
		for q := p; q != "." && q != "/"; q = path.Dir(q) {
			if pat.re.MatchString(q) {
				excluded = !pat.exception
				break
			}
		}
	}
	return excluded
}

func TestDeploymentFilesAgree(t *testing.T) {
	c := &checker{files: readFiles(t)}
	c.check()
	for _, p := range c.problems {
		t.Error(p)
	}
	for _, n := range c.notes {
		t.Log("not checked: " + n)
	}
}

// TestSweepFileShipped checks that the sweep file the jobs run is in the
// repository, and that its base scenario is one the image ships.
func TestSweepFileShipped(t *testing.T) {
	c := &checker{files: readFiles(t)}
	var sweep jobManifest
	if !c.decode(sweepJobFile, &sweep) {
		t.Fatal(c.problems)
	}
	img := c.checkDockerfile(dockerfile, rootIgnore)
	info := c.checkSweepJob(sweep, img)
	if info.sweepFile == "" {
		t.Fatalf("no sweep file: %v", c.problems)
	}
	b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(info.sweepFile)))
	if os.IsNotExist(err) {
		if _, derr := os.Stat(filepath.Join("..", "scenarios", "sweeps")); os.IsNotExist(derr) {
			t.Skipf("%s runs %s, but scenarios/sweeps/ is not in this checkout yet (the sweep files come with `coinai sweep`, on another branch)", sweepJobFile, info.sweepFile)
		}
	}
	if err != nil {
		t.Fatalf("%s runs %s: %v", sweepJobFile, info.sweepFile, err)
	}
	base := regexp.MustCompile(`(?m)^\s*base\s*=\s*"([^"]+)"`).FindSubmatch(b)
	if base == nil {
		t.Fatalf("%s: no base = \"...\"", info.sweepFile)
	}
	repo := path.Join(path.Dir(info.sweepFile), string(base[1]))
	if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(repo))); err != nil {
		t.Fatalf("%s: base %s: %v", info.sweepFile, base[1], err)
	}
	inImage := path.Join(path.Dir("/"+info.sweepFile), string(base[1]))
	if got := img.imageSource(inImage); got != repo {
		t.Errorf("%s: base %s is %s in the image, which no COPY of %s provides", info.sweepFile, base[1], inImage, dockerfile)
	}
}

// TestChecksCatchMutations edits the files in memory the way someone
// might by mistake, and requires the checks to notice each edit.
func TestChecksCatchMutations(t *testing.T) {
	tests := []struct {
		name, file, old, new string
		want                 string // in one of the problems
	}{
		{"completions without N", sweepJobFile, "completions: 4", "completions: 5", "want 0/5"},
		{"N without completions", sweepJobFile, "$(JOB_COMPLETION_INDEX)/4", "$(JOB_COMPLETION_INDEX)/8", "want 0/4"},
		{"fixed shard", sweepJobFile, "- $(JOB_COMPLETION_INDEX)/4", "- 0/4", "does not use the completion index"},
		{"index env not declared", sweepJobFile, "- name: JOB_COMPLETION_INDEX", "- name: INDEX", "does not use the completion index"},
		{"undeclared var in --out", sweepJobFile, "/out/shard-$(JOB_COMPLETION_INDEX)", "/out/shard-$(JOB_INDEX)", "does not declare"},
		{"same out for all", sweepJobFile, "/out/shard-$(JOB_COMPLETION_INDEX)", "/out/shard", "two indexes write"},
		{"out off the volume", sweepJobFile, "/out/shard-$(JOB_COMPLETION_INDEX)", "/tmp/shard-$(JOB_COMPLETION_INDEX)", "outside the shared volume"},
		{"NonIndexed", sweepJobFile, "completionMode: Indexed", "completionMode: NonIndexed", "completionMode"},
		{"parallelism above completions", sweepJobFile, "parallelism: 4", "parallelism: 8", "parallelism"},
		{"misspelt field", sweepJobFile, "backoffLimitPerIndex: 3", "backofLimitPerIndex: 3", "unknown field"},
		{"field in the wrong case", sweepJobFile, "completionMode: Indexed", "completionmode: Indexed", `"completionmode" is spelt "completionMode"`},
		{"no backoff", sweepJobFile, "backoffLimitPerIndex: 3", "", "backoffLimit"},
		{"replacement while running", sweepJobFile, "podReplacementPolicy: Failed", "podReplacementPolicy: TerminatingOrFailed", "podReplacementPolicy"},
		{"OnFailure", sweepJobFile, "restartPolicy: Never", "restartPolicy: OnFailure", "restartPolicy"},
		{"not a sweep", sweepJobFile, "- sweep\n", "- run\n", "want coinai sweep"},
		{"shell command", sweepJobFile, `command: ["/coinai"]`, `command: ["/bin/sh"]`, "want coinai sweep"},
		{"scenario not sweep", sweepJobFile, "/scenarios/sweeps/pow-stale.toml", "/scenarios/pow-bitcoin.toml", "/scenarios/sweeps/*.toml"},
		{"more jobs than CPUs", sweepJobFile, `- "2"`, `- "4"`, "--jobs 4"},
		{"other apiVersion", sweepJobFile, "apiVersion: batch/v1", "apiVersion: batch/v1beta1", "want apiVersion batch/v1"},
		{"merge misses a shard", mergeJobFile, "        - /out/shard-3\n", "", "coinai merge reads"},
		{"merge over a shard", mergeJobFile, "- /out/merged", "- /out/shard-0", "must be a new directory"},
		{"merge other image", mergeJobFile, "image: coinai:dev", "image: coinai:old", "differs from the sweep job"},
		{"merge other claim", mergeJobFile, "claimName: coinai-sweep-out", "claimName: other", "claimName"},
		{"pvc ReadWriteOnce", pvcFile, `["ReadWriteMany"]`, `["ReadWriteOnce"]`, "ReadWriteMany"},
		{"array without SHARDS", sweepSbatchFile, "--array=0-3", "--array=0-4", "--array=0-4 makes 5 tasks"},
		{"SHARDS without array", sweepSbatchFile, "SHARDS=${SHARDS:-4}", "SHARDS=${SHARDS:-5}", "SHARDS defaults to 5"},
		{"merge SHARDS", mergeSbatchFile, "SHARDS=${SHARDS:-4}", "SHARDS=${SHARDS:-3}", "SHARDS default"},
		{"slurm fixed shard", sweepSbatchFile, `--shard "$i/$SHARDS"`, `--shard "$i/4"`, "--shard"},
		{"slurm other sweep", sweepSbatchFile, "SWEEP=${SWEEP:-scenarios/sweeps/pow-stale.toml}", "SWEEP=${SWEEP:-scenarios/sweeps/other.toml}", "default sweep file"},
		{"RUN in final stage", dockerfile, "USER 65532:65532", "RUN mkdir /out\nUSER 65532:65532", "RUN in the final stage"},
		{"base image", dockerfile, "\nFROM scratch\n", "\nFROM alpine:3\n", "FROM alpine:3"},
		{"binary elsewhere", dockerfile, "COPY deploy/coinai /coinai", "COPY deploy/coinai /bin/coinai", "puts coinai at /bin/coinai"},
		{"scenarios not in context", rootIgnore, "!scenarios/*.toml\n", "", "excludes scenarios/"},
		{"binary not in context", rootIgnore, "!deploy/coinai\n", "", "excludes deploy/coinai"},
		{"copy of nothing", dockerfile, "COPY scenarios/*.toml", "COPY scenarios/*.tmol", "matches no file"},
		{"modules downloaded", buildDockerfile, "GOPROXY=off GOTOOLCHAIN", "GOTOOLCHAIN", "download modules"},
		{"build final stage pulls", buildDockerfile, "\nFROM scratch\n", "\nFROM golang:1.26\n", "FROM golang:1.26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := readFiles(t)
			edited := strings.Replace(files[tt.file], tt.old, tt.new, 1)
			if edited == files[tt.file] {
				t.Fatalf("%s has no %q to edit", tt.file, tt.old)
			}
			files[tt.file] = edited
			c := &checker{files: files}
			c.check()
			for _, p := range c.problems {
				if strings.Contains(p, tt.want) {
					return
				}
			}
			t.Errorf("editing %s (%q -> %q) went unnoticed; want a problem with %q, have %q", tt.file, tt.old, tt.new, tt.want, c.problems)
		})
	}
}

func TestIgnorePatterns(t *testing.T) {
	ps := ignorePatterns("*\n!deploy/coinai\n!scenarios/*.toml\n**/*.test\n")
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"go.mod", true},
		{"deploy/coinai", false},
		{"deploy/Dockerfile", true},
		{"scenarios/quickstart.toml", false},
		{"scenarios/testdata/empty.toml", true},
		{"scenarios/sweeps/x.toml", true},
		{"scenarios/x.test", true},
	} {
		if got := ignored(ps, tt.path); got != tt.want {
			t.Errorf("ignored(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestGitIgnoresBinary(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(b), "\n"), "/deploy/coinai") {
		t.Error(".gitignore does not list /deploy/coinai, the binary deploy/Dockerfile copies")
	}
}

// stub writes an executable that logs its arguments, one call a line, to
// log, then runs the shell action of the first rule "PATTERN=>ACTION"
// whose pattern is in its arguments, else exits 0.
func stub(t *testing.T, dir, name, log string, rules ...string) string {
	t.Helper()
	script := "#!/usr/bin/env bash\necho \"$*\" >> " + strconv.Quote(log) + "\n"
	for _, r := range rules {
		pat, action, _ := strings.Cut(r, "=>")
		script += fmt.Sprintf("case \"$*\" in *%s*) %s;; esac\n", strconv.Quote(pat), action)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func needBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found: the Slurm and local scripts are bash")
	}
}

func runScript(t *testing.T, env []string, script string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("..", filepath.FromSlash(script))}, args...)...)
	// Only the test's settings, not the caller's SLURM_* or SHARDS.
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		if !strings.HasPrefix(name, "SLURM_") && !slices.Contains([]string{"SHARDS", "SWEEP", "OUT", "COINAI"}, name) {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func readLog(t *testing.T, log string) []string {
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(lines) // background shards log in any order
	return lines
}

// TestSlurmScripts runs the batch scripts as Slurm would, with a stub
// coinai, and checks the commands they run.
func TestSlurmScripts(t *testing.T) {
	needBash(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	coinai := stub(t, dir, "coinai", log)
	base := []string{"COINAI=" + coinai, "OUT=" + filepath.Join(dir, "out"), "SLURM_CPUS_PER_TASK=2"}
	for _, tt := range []struct {
		name   string
		script string
		env    []string
		code   int
		want   string // the coinai call, or a message
	}{
		{"task 0", sweepSbatchFile, []string{"SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_MAX=3"}, 0,
			"sweep scenarios/sweeps/pow-stale.toml --out OUT/shard-0 --shard 0/4 --jobs 2"},
		{"task 3", sweepSbatchFile, []string{"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MAX=3"}, 0,
			"sweep scenarios/sweeps/pow-stale.toml --out OUT/shard-3 --shard 3/4 --jobs 2"},
		{"rerun of task 2 alone", sweepSbatchFile, []string{"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MAX=2", "SLURM_ARRAY_TASK_COUNT=1"}, 0,
			"sweep scenarios/sweeps/pow-stale.toml --out OUT/shard-2 --shard 2/4 --jobs 2"},
		{"8 shards", sweepSbatchFile, []string{"SHARDS=8", "SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MAX=7", "SWEEP=s.toml"}, 0,
			"sweep s.toml --out OUT/shard-5 --shard 5/8 --jobs 2"},
		{"array larger than SHARDS", sweepSbatchFile, []string{"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MAX=7"}, 2,
			"array task 7 but SHARDS=4"},
		{"not an array task", sweepSbatchFile, nil, 1, "not an array task"},
		{"merge", mergeSbatchFile, nil, 0,
			"merge OUT/shard-0 OUT/shard-1 OUT/shard-2 OUT/shard-3 --out OUT/merged --force"},
		{"merge 2 shards", mergeSbatchFile, []string{"SHARDS=2"}, 0, "merge OUT/shard-0 OUT/shard-1 --out OUT/merged --force"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(log)
			out, code := runScript(t, append(slices.Clone(base), tt.env...), tt.script)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.code, out)
			}
			got := strings.ReplaceAll(strings.Join(readLog(t, log), "\n"), filepath.Join(dir, "out"), "OUT")
			if tt.code == 0 && got != tt.want {
				t.Errorf("ran coinai %q, want %q", got, tt.want)
			}
			if tt.code != 0 && (got != "" || !strings.Contains(out, tt.want)) {
				t.Errorf("ran coinai %q (want nothing); output %q, want %q in it", got, out, tt.want)
			}
		})
	}

	// submit.sh: the array's size follows SHARDS and the merge waits for it.
	os.Remove(log)
	stub(t, dir, "sbatch", log, "sweep.sbatch=>echo '4242;cluster1'; exit 0", "merge.sbatch=>echo 4243; exit 0")
	out, code := runScript(t, []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "SHARDS=6"}, "deploy/slurm/submit.sh")
	if code != 0 {
		t.Fatalf("submit.sh: exit %d\n%s", code, out)
	}
	want := []string{
		"--parsable --array=0-5 ../deploy/slurm/sweep.sbatch",
		"--parsable --dependency=afterok:4242 ../deploy/slurm/merge.sbatch",
	}
	if got := readLog(t, log); !slices.Equal(got, want) {
		t.Errorf("submit.sh ran sbatch %q, want %q", got, want)
	}
	if !strings.Contains(out, "sweep array job 4242 (6 tasks), merge job 4243") {
		t.Errorf("submit.sh printed %q", out)
	}
}

// TestLocalShards runs deploy/local-shards.sh with a stub coinai.
func TestLocalShards(t *testing.T) {
	needBash(t)
	for _, tt := range []struct {
		name  string
		args  []string
		rules []string // stub exit codes
		code  int
		want  []string // coinai calls, sorted
	}{
		{"3 shards", []string{"s.toml", "OUT", "3", "2"}, nil, 0, []string{
			"merge OUT/shard-0 OUT/shard-1 OUT/shard-2 --out OUT/merged --force",
			"sweep s.toml --out OUT/shard-0 --shard 0/3 --jobs 2",
			"sweep s.toml --out OUT/shard-1 --shard 1/3 --jobs 2",
			"sweep s.toml --out OUT/shard-2 --shard 2/3 --jobs 2",
		}},
		{"defaults", []string{"s.toml", "OUT"}, nil, 0, []string{
			"merge OUT/shard-0 OUT/shard-1 --out OUT/merged --force",
			"sweep s.toml --out OUT/shard-0 --shard 0/2 --jobs 1",
			"sweep s.toml --out OUT/shard-1 --shard 1/2 --jobs 1",
		}},
		{"a shard fails: no merge", []string{"s.toml", "OUT", "2"}, []string{"--shard 1/2=>exit 1"}, 1, []string{
			"sweep s.toml --out OUT/shard-0 --shard 0/2 --jobs 1",
			"sweep s.toml --out OUT/shard-1 --shard 1/2 --jobs 1",
		}},
		{"merge fails", []string{"s.toml", "OUT", "1"}, []string{"--force=>exit 1"}, 1, []string{
			"merge OUT/shard-0 --out OUT/merged --force",
			"sweep s.toml --out OUT/shard-0 --shard 0/1 --jobs 1",
		}},
		{"bad N", []string{"s.toml", "OUT", "0"}, nil, 2, nil},
		{"no OUT", []string{"s.toml"}, nil, 2, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			coinai := stub(t, dir, "coinai", log, tt.rules...)
			out := filepath.Join(dir, "out")
			args := slices.Clone(tt.args)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "OUT", out)
			}
			text, code := runScript(t, []string{"COINAI=" + coinai}, "deploy/local-shards.sh", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.code, text)
			}
			var got []string
			for _, l := range readLog(t, log) {
				got = append(got, strings.ReplaceAll(l, out, "OUT"))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ran coinai\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
