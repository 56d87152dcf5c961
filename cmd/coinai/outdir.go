package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/coinai/coinai/analysis/atomicfile"
)

// Output directories. coinai never deletes or overwrites a file it did not
// write:
//
//   - A directory written as a whole (a run, `run --reps`, `plot --out`,
//     `compare --out`)
//     is built in a hidden temporary sibling (".NAME.tmp-*") and renamed
//     into place only when every file, figures and report included, is
//     written; its manifest (manifestName) is written last and names the
//     kind of output and every file coinai wrote. The path must be new, an
//     empty directory, or (with --force) an earlier output of the same kind;
//     files a user added to that earlier output are carried over to the new
//     one, never deleted.
//   - Files written into an existing directory (`report` and `plot` into a
//     run directory) replace only files the manifest lists, and are added to
//     it.
//
// A run directory written before manifests existed is recognised by its
// summary.json (with a trace_digest) and scenario.toml; the files of the
// names coinai writes count as coinai's.

// manifestName is the manifest of a directory coinai wrote.
const manifestName = ".coinai-output"

// Kinds of output directories.
const (
	kindRun     = "run"
	kindPlot    = "plot"
	kindCompare = "compare"
	kindReps    = "reps"
)

// manifest is the content of manifestName.
type manifest struct {
	Version int    `json:"coinai_output"`
	Kind    string `json:"kind"`
	// Files are the files coinai wrote, as slash-separated paths relative
	// to the directory, sorted.
	Files []string `json:"files"`
}

func (m *manifest) has(rel string) bool {
	_, ok := slices.BinarySearch(m.Files, rel)
	return ok
}

// refusal is bad input about an output path (exit 2); nothing was touched.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

func refuse(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }

// exitCode is 2 for a refusal (bad input) and 1 for any other error.
func exitCode(err error) int {
	var r *refusal
	if errors.As(err, &r) {
		return 2
	}
	return 1
}

// runFiles are the names a run directory holds (DESIGN.md); with the
// figures/ images they are what a run directory without a manifest may be
// replaced with.
var runFiles = []string{"summary.json", "scenario.toml", "blocks.csv", "propagation.csv", "nodes.csv",
	"energy.csv", "threshold.csv", "compute.csv", "storage.csv", "proofs.csv", "retrievals.csv", "problems.csv", "transactions.csv", "trace.jsonl", "report.md", "report.html"}

// runFile reports whether rel is a name coinai writes in a run directory.
func runFile(rel string) bool {
	if dir, name := path.Split(rel); dir == "figures/" {
		return strings.HasSuffix(name, ".png") || strings.HasSuffix(name, ".svg")
	}
	return slices.Contains(runFiles, rel)
}

// readManifest returns dir's manifest; for a run directory of an earlier
// coinai (no manifest) one listing its files of coinai's names; nil for a
// directory coinai did not write.
func readManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err == nil {
		var m manifest
		if err := json.Unmarshal(b, &m); err != nil || m.Version < 1 {
			return nil, refuse("%s: unreadable manifest %s (%v); move the directory away or choose another output", dir, manifestName, err)
		}
		slices.Sort(m.Files)
		return &m, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// An earlier coinai's run directory: a summary with a trace digest and
	// the resolved scenario.
	b, err = os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, nil
	}
	var sum map[string]any
	if json.Unmarshal(b, &sum) != nil || sum["trace_digest"] == nil {
		return nil, nil
	}
	if st, err := os.Stat(filepath.Join(dir, "scenario.toml")); err != nil || !st.Mode().IsRegular() {
		return nil, nil
	}
	m := &manifest{Version: 1, Kind: kindRun}
	files, err := walkFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if runFile(f) {
			m.Files = append(m.Files, f)
		}
	}
	return m, nil
}

// walkFiles lists the non-directory entries below dir (symbolic links are
// not followed), as sorted slash-separated relative paths, with every empty
// directory too (as "name/").
func walkFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				if ents, err := os.ReadDir(p); err == nil && len(ents) == 0 {
					out = append(out, rel+"/")
				}
			}
			return nil
		}
		if rel != manifestName {
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// foreign lists the entries below dir that its manifest does not list: a
// user's files.
func foreign(dir string, m *manifest) ([]string, error) {
	files, err := walkFiles(dir)
	if err != nil {
		return nil, err
	}
	files = slices.DeleteFunc(files, m.has)
	if m.Kind != kindReps {
		return files, nil
	}
	// A replication's folder is a run directory with its own manifest:
	// files `report` or `plot` added to it there are coinai's too.
	subs := map[string]*manifest{}
	return slices.DeleteFunc(files, func(rel string) bool {
		sub, name, ok := strings.Cut(rel, "/")
		if !ok || !m.has(sub+"/"+manifestName) {
			return false
		}
		if _, seen := subs[sub]; !seen {
			subs[sub], _ = readManifest(filepath.Join(dir, sub))
		}
		return subs[sub] != nil && subs[sub].has(name)
	}), nil
}

func sample(names []string) string {
	const n = 5
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// outDir is a directory being written as a whole.
type outDir struct {
	path  string // as the user gave it
	final string // absolute
	kind  string
	flag  string // the option that names it, for messages
	force bool

	replace  bool       // final exists (empty, or an earlier output replaced with --force)
	previous bool       // final is an earlier output, replaced with --force
	carry    []string   // a user's files in the replaced output, kept
	mu       sync.Mutex // abandon may be called by a signal handler
	tmp      string     // the directory being built
	created  []string   // parent directories created, deepest first
	done     bool       // renamed into place
	keep     bool       // left for the user: do not remove tmp
}

// prepareOut checks that path may be written as a whole output of the kind:
// it is absent, an empty directory, or (with force) an earlier coinai output
// of the same kind. It touches nothing.
func prepareOut(p, kind, flag string, force bool) (*outDir, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	o := &outDir{path: p, final: abs, kind: kind, flag: flag, force: force}
	return o, o.check()
}

func (o *outDir) check() error {
	p, what := o.path, "a "+o.kind+" output"
	if o.kind == kindRun {
		what = "a previous run"
	}
	o.replace, o.previous, o.carry = false, false, nil
	st, err := os.Lstat(o.final)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !st.IsDir():
		return refuse("%s exists and is not a directory coinai wrote; nothing was written: choose another %s", p, o.flag)
	}
	ents, err := os.ReadDir(o.final)
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		o.replace = true
		return nil
	}
	m, err := readManifest(o.final)
	if err != nil {
		return err
	}
	if m == nil {
		names := make([]string, len(ents))
		for i, e := range ents {
			names[i] = e.Name()
		}
		return refuse("%s exists and holds files coinai did not write (%s); nothing was written: choose a new or empty directory for %s", p, sample(names), o.flag)
	}
	if m.Kind != o.kind {
		kind := m.Kind
		if kind == "" {
			kind = "report or figures"
		}
		return refuse("%s holds coinai %s output, not %s; nothing was written: choose another %s", p, kind, what, o.flag)
	}
	if !o.force {
		return refuse("%s holds %s written by coinai; nothing was written: pass --force to replace it, or choose another %s", p, what, o.flag)
	}
	carry, err := foreign(o.final, m)
	if err != nil {
		return err
	}
	if o.kind == kindRun {
		// A user's file of a name the run may write would be lost.
		var clash []string
		for _, f := range carry {
			if runFile(f) {
				clash = append(clash, f)
			}
		}
		if len(clash) > 0 {
			return refuse("%s holds %s, which coinai did not write, under names a run writes; nothing was written: move them away, or choose another %s", p, sample(clash), o.flag)
		}
	}
	o.replace, o.previous, o.carry = true, true, carry
	return nil
}

// create makes the temporary directory, beside the final one.
func (o *outDir) create() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	parent := filepath.Dir(o.final)
	for d := parent; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		o.created = append(o.created, d)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(o.final)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating %s: %w", o.path, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.Remove(tmp)
		return err
	}
	o.tmp = tmp
	return nil
}

// file is the path of name inside the directory being built.
func (o *outDir) file(name string) string { return filepath.Join(o.tmp, filepath.FromSlash(name)) }

// writeFiles writes files (name -> content) into the directory being built.
func (o *outDir) writeFiles(files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := o.file(n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
	}
	return nil
}

// commit carries the user's files of a replaced output over, writes the
// manifest and renames the directory into place. It checks the path again:
// if something appeared there meanwhile, the new directory is kept where it
// was built and the error says where.
func (o *outDir) commit() error {
	if err := o.check(); err != nil {
		o.keep = true
		return fmt.Errorf("%w\nthe new output is kept in %s", err, o.tmp)
	}
	files, err := walkFiles(o.tmp)
	if err != nil {
		return err
	}
	for _, rel := range o.carry {
		if _, err := os.Lstat(o.file(strings.TrimSuffix(rel, "/"))); err == nil {
			return refuse("%s: %s, a file coinai did not write, has the name of a new output file; nothing was replaced: move it away and run again", o.path, rel)
		}
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(o.file(rel), 0o755); err != nil {
				return err
			}
			continue
		}
		if err := carryOver(filepath.Join(o.final, filepath.FromSlash(rel)), o.file(rel)); err != nil {
			return fmt.Errorf("keeping %s of %s: %w", rel, o.path, err)
		}
	}
	if err := writeManifest(o.tmp, &manifest{Version: 1, Kind: o.kind, Files: files}); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.replace {
		if err := os.Rename(o.tmp, o.final); err != nil {
			return fmt.Errorf("writing %s: %w", o.path, err)
		}
		o.done = true
		return nil
	}
	old := o.tmp + ".old"
	if err := os.Rename(o.final, old); err != nil {
		return fmt.Errorf("replacing %s: %w", o.path, err)
	}
	if err := os.Rename(o.tmp, o.final); err != nil {
		os.Rename(old, o.final)
		return fmt.Errorf("replacing %s: %w", o.path, err)
	}
	o.done = true
	return os.RemoveAll(old)
}

// abandon removes the directory being built, and the parents created for
// it, unless it was committed or kept.
func (o *outDir) abandon() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done || o.keep || o.tmp == "" {
		return
	}
	os.RemoveAll(o.tmp)
	for _, d := range o.created {
		if os.Remove(d) != nil {
			break
		}
	}
}

// carryOver puts a copy of a user's file at dst: a hard link where the file
// system allows it (the old directory is removed afterwards), else a copy;
// a symbolic link is recreated.
func carryOver(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	st, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	return copyFile(src, dst, st.Mode().Perm())
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeManifest writes dir's manifest atomically.
func writeManifest(dir string, m *manifest) error {
	slices.Sort(m.Files)
	m.Files = slices.Compact(m.Files)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, manifestName), append(b, '\n'))
}

// mergeInto writes files into the existing directory dir: build renders
// them into a temporary sibling; if a file to write exists and dir's
// manifest does not list it, nothing is touched and the error (a refusal)
// names it; else each file is moved into place and added to the manifest.
// With prune, the manifest's files under prefix that this render did not
// produce (figures a report no longer draws) are removed. Nothing is moved
// once caught returns a signal. It returns the files written.
func mergeInto(dir, prefix string, prune bool, caught func() os.Signal, build func(tmp string) error) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, err := readManifest(abs)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &manifest{Version: 1}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := build(tmp); err != nil {
		return nil, err
	}
	made, err := walkFiles(tmp)
	if err != nil {
		return nil, err
	}
	var clash []string
	for _, rel := range made {
		st, err := os.Lstat(filepath.Join(abs, filepath.FromSlash(rel)))
		if err == nil && (st.IsDir() || !m.has(rel)) {
			clash = append(clash, rel)
		}
	}
	if len(clash) > 0 {
		return nil, refuse("%s: %s exist and coinai did not write them; nothing was written: move them away and run again", dir, sample(clash))
	}
	if s := caught(); s != nil {
		return nil, &signalled{s}
	}
	for _, rel := range made {
		dst := filepath.Join(abs, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := moveFile(filepath.Join(tmp, filepath.FromSlash(rel)), dst); err != nil {
			return nil, err
		}
	}
	if prune {
		m.Files = slices.DeleteFunc(m.Files, func(rel string) bool {
			if !strings.HasPrefix(rel, prefix) || slices.Contains(made, rel) {
				return false
			}
			err := os.Remove(filepath.Join(abs, filepath.FromSlash(rel)))
			return err == nil || errors.Is(err, fs.ErrNotExist)
		})
	}
	m.Files = append(m.Files, made...)
	return made, writeManifest(abs, m)
}

// moveFile renames src to dst, or copies it (through a temporary file)
// across file systems.
func moveFile(src, dst string) error {
	err := os.Rename(src, dst)
	if err == nil || !errors.Is(err, syscall.EXDEV) {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return atomicfile.Write(dst, b)
}
