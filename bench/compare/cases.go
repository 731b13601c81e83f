package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

var forkFiles = []string{"bucardo", "bucardo.schema"}

// gitApplyMax is the largest scaling factor git apply is timed at.
const gitApplyMax = 10

// maxInput is the largest file bcfork reads from --from (upstream's
// maxFileSize): a larger scaling case runs through enginebench generate.
const maxInput = 4 << 20

func (cfg *config) cases(only, scales []string) ([]*benchCase, error) {
	tarball := os.Getenv("BCFORK_PRISTINE_TARBALL")
	if tarball == "" {
		return nil, fmt.Errorf("set BCFORK_PRISTINE_TARBALL to Bucardo 5.6.0's release tarball (make pristine)")
	}
	cfg.src = filepath.Join(cfg.tmp, "Bucardo-5.6.0")
	if err := untar(tarball, cfg.tmp, "Bucardo-5.6.0/bucardo", "Bucardo-5.6.0/bucardo.schema"); err != nil {
		return nil, err
	}
	cfg.series = filepath.Join(cfg.root, "patches", "upstream", "5.6.0")
	var out []*benchCase
	for _, name := range only {
		var cs []*benchCase
		var err error
		switch name {
		case "generate":
			cs, err = cfg.generateCases(tarball)
		case "scale":
			cs, err = cfg.scaleCases(scales)
		case "rebase":
			cs, err = cfg.rebaseCases()
		case "engine":
			cs, err = cfg.engineCases()
		default:
			err = fmt.Errorf("unknown case %q", name)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

func untar(tarball, dir string, names ...string) error {
	return runIn(exec.Command("tar", append([]string{"-xzf", tarball, "-C", dir}, names...)...), dir)
}

// seriesScripts writes the scripts that copy the files of src to a fresh
// folder and apply the series of sdir to them, one patch at a time, with
// GNU patch and with git apply.
func (cfg *config) seriesScripts(tag, src, sdir string) (gnu, git *command, err error) {
	names, err := seriesNames(sdir)
	if err != nil {
		return nil, nil, err
	}
	for _, tool := range []string{"patch", "git"} {
		out := filepath.Join(cfg.tmp, tag+"-"+tool+".out")
		var b strings.Builder
		fmt.Fprintf(&b, "set -eu\nrm -rf %s && mkdir %s\n", q(out), q(out))
		fmt.Fprintf(&b, "cp %s %s %s\ncd %s\n", q(filepath.Join(src, "bucardo")), q(filepath.Join(src, "bucardo.schema")), q(out), q(out))
		for _, n := range names {
			if tool == "patch" {
				fmt.Fprintf(&b, "patch -p1 -s --fuzz=0 <%s\n", q(filepath.Join(sdir, n)))
			} else {
				fmt.Fprintf(&b, "git apply %s\n", q(filepath.Join(sdir, n)))
			}
		}
		script := filepath.Join(cfg.tmp, tag+"-"+tool+".sh")
		if err := os.WriteFile(script, []byte(b.String()), 0o644); err != nil {
			return nil, nil, err
		}
		cmd := &command{argv: []string{"sh", script}, out: out}
		if tool == "patch" {
			cmd.tool, gnu = "GNU patch", cmd
		} else {
			cmd.tool, git = "git apply", cmd
		}
	}
	return gnu, git, nil
}

func seriesNames(sdir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(sdir, "series"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(strings.SplitN(l, "#", 2)[0]); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names, nil
}

// q quotes a word for sh.
func q(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// generateCases: bcfork generate --version 5.6.0 from a warm cache, from
// the unpacked release folder and from the release tarball, against the
// series applied to fresh copies of the files with GNU patch and git apply.
func (cfg *config) generateCases(tarball string) ([]*benchCase, error) {
	cache := filepath.Join(cfg.tmp, "cache")
	if err := seedCache(cache, cfg.src, cfg.series); err != nil {
		return nil, err
	}
	var out []*benchCase
	for _, v := range []struct{ name, tag string }{
		{"generate 5.6.0, warm cache", "cache"},
		{"generate 5.6.0 --from DIR", "dir"},
		{"generate 5.6.0 --from tarball", "tarball"},
	} {
		o := filepath.Join(cfg.tmp, "gen-"+v.tag)
		argv := []string{cfg.bcfork, "generate", "--version", "5.6.0", "--out", o, "--force"}
		switch v.tag {
		case "cache":
			argv = append(argv, "--offline")
		case "dir":
			argv = append(argv, "--from", cfg.src, "--no-cache")
		case "tarball":
			argv = append(argv, "--from", tarball, "--no-cache")
		}
		gnu, git, err := cfg.seriesScripts("gen-"+v.tag, cfg.src, cfg.series)
		if err != nil {
			return nil, err
		}
		bc := &command{tool: "bcfork", argv: argv, out: o}
		if v.tag == "cache" {
			bc.env = []string{"BCFORK_CACHE_DIR=" + cache}
		}
		out = append(out, &benchCase{name: v.name, files: forkFiles, cmds: []*command{bc, gnu, git}})
	}
	out[0].note = "bcfork also verifies the pins, writes the .orig copies and manifest.json, and makes the folder durable (fsync); the others only patch copies"
	return out, nil
}

// seedCache lays out a warm cache entry for bucardo/bucardo@5.6.0 as
// upstream/cache.go reads it, with the pinned commit.
func seedCache(cache, src, series string) error {
	entry := filepath.Join(cache, "github", "bucardo", "bucardo", "refs", "5.6.0")
	if err := os.MkdirAll(entry, 0o755); err != nil {
		return err
	}
	commit, err := os.ReadFile(filepath.Join(series, "commit"))
	if err != nil {
		return err
	}
	files := map[string]any{}
	for _, n := range forkFiles {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(entry, n), b, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		blob := sha1.New()
		fmt.Fprintf(blob, "blob %d\x00", len(b))
		blob.Write(b)
		files[n] = map[string]any{"size": len(b), "sha256": hex.EncodeToString(sum[:]), "blob": hex.EncodeToString(blob.Sum(nil))}
	}
	meta := map[string]any{"format": 1, "repo": "bucardo/bucardo", "ref": "5.6.0", "api": "https://api.github.com/",
		"commit": strings.TrimSpace(string(commit)), "fetched": time.Now().UTC(), "files": files}
	data, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(entry, "meta.json"), data, 0o644)
}

// scaleCases: the synthetic scaling case (enginebench scale) for each
// factor. bcfork generate reads it --from its folder with the series as
// --patches; above bcfork's input limit, enginebench generate runs the same
// generate path (series, apply, diffstat, durable write) without it.
func (cfg *config) scaleCases(scales []string) ([]*benchCase, error) {
	var out []*benchCase
	for _, s := range scales {
		k, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("-scale: %w", err)
		}
		dir := filepath.Join(cfg.tmp, "scale"+s)
		cmd := exec.Command(cfg.engine, "scale", s, dir)
		info, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("enginebench scale: %w", err)
		}
		in, sdir := filepath.Join(dir, "in"), filepath.Join(dir, "patches", "upstream", "5.6.0")
		o := filepath.Join(cfg.tmp, "scale"+s+"-bcfork")
		bc := &command{tool: "bcfork", out: o, argv: []string{cfg.bcfork, "generate", "--version", "5.6.0", "--from", in,
			"--patches", filepath.Join(dir, "patches"), "--allow-unpinned", "--no-cache", "--out", o, "--force"}}
		c := &benchCase{name: fmt.Sprintf("scale ×%d, %s", k, hunksOf(string(info))), files: forkFiles}
		if fi, err := os.Stat(filepath.Join(in, "bucardo")); err == nil && fi.Size() > maxInput {
			bc.argv = []string{cfg.engine, "generate", filepath.Join(dir, "patches"), in, o}
			c.note = "bcfork refuses inputs over 4 MB: enginebench generate runs its generate path (series, apply, diffstat, durable write) in a process"
		}
		gnu, git, err := cfg.seriesScripts("scale"+s, in, sdir)
		if err != nil {
			return nil, err
		}
		c.cmds = []*command{bc, gnu, git}
		if k > gitApplyMax {
			c.cmds = c.cmds[:2]
			c.note = strings.TrimPrefix(c.note+"; git apply not timed: it is quadratic here (over 5 minutes on the first patch)", "; ")
		}
		out = append(out, c)
	}
	return out, nil
}

// hunksOf picks "N hunks" out of enginebench scale's line.
func hunksOf(info string) string {
	f := strings.Fields(info)
	for i := range f {
		if f[i] == "hunks" && i > 0 {
			return f[i-1] + " hunks"
		}
	}
	return strings.TrimSpace(info)
}

// rebaseCases: bcfork rebase of the 5.6.0 series onto master d9919c8
// (BCFORK_MASTER_TARBALL, default the shared fixture),
// against git merge-file -p on the same two triples (base: 5.6.0, ours:
// 5.6.0 with the series, theirs: master). The check applies bcfork's new
// series to master's files with GNU patch and compares with git's merge.
func (cfg *config) rebaseCases() ([]*benchCase, error) {
	master := masterTarball(cfg.root)
	if master == "" {
		fmt.Fprintln(os.Stderr, "rebase: skipped: no master tarball (set BCFORK_MASTER_TARBALL)")
		return nil, nil
	}
	if err := untar(master, cfg.tmp); err != nil {
		return nil, err
	}
	theirs := filepath.Join(cfg.tmp, "Bucardo-master-d9919c8")
	gnu, _, err := cfg.seriesScripts("rebase-ours", cfg.src, cfg.series)
	if err != nil {
		return nil, err
	}
	if _, err := once(gnu.argv); err != nil {
		return nil, err
	}
	merged := filepath.Join(cfg.tmp, "rebase-git")
	var b strings.Builder
	fmt.Fprintf(&b, "set -eu\nmkdir -p %s\n", q(merged))
	for _, n := range forkFiles {
		fmt.Fprintf(&b, "git merge-file -p %s %s %s >%s\n", q(filepath.Join(gnu.out, n)), q(filepath.Join(cfg.src, n)), q(filepath.Join(theirs, n)), q(filepath.Join(merged, n)))
	}
	script := filepath.Join(cfg.tmp, "rebase-git.sh")
	if err := os.WriteFile(script, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	o := filepath.Join(cfg.tmp, "rebase-out")
	bc := &command{tool: "bcfork", argv: []string{cfg.bcfork, "rebase", "--version", "5.6.0", "--onto", "master",
		"--from-old", cfg.src, "--from", theirs, "--allow-unpinned", "--no-cache", "--out", o, "--force",
		"--work", filepath.Join(cfg.tmp, "rebase-work")},
		// 7: carried, with offsets to review (master moved the lines).
		exits: []int{7}}
	check := filepath.Join(cfg.tmp, "rebase-check")
	bc.out = check
	// The new series applied to master: compared with git's merge.
	bc.after = []string{"sh", "-euc", `rm -rf "$1" && mkdir "$1" && cp "$2/bucardo" "$2/bucardo.schema" "$1" && cd "$1" &&
		sed -e 's/#.*//' "$3/series" | while read -r p _; do [ -z "$p" ] || patch -p1 -s --fuzz=0 <"$3/$p"; done`, "sh", check, theirs, o}
	c := &benchCase{name: "rebase 5.6.0 → master", files: forkFiles,
		cmds: []*command{bc, {tool: "git merge-file", argv: []string{"sh", script}, out: merged}},
		note: "bcfork also reads and verifies both releases, writes the rebased series (durably) and checks that it re-applies at every stated line; git merge-file -p runs once per file"}
	return []*benchCase{c}, nil
}

// masterTarball is BCFORK_MASTER_TARBALL, else the shared fixture beside
// the checkout (or beside the worktrees' folder), else "".
func masterTarball(root string) string {
	if p := os.Getenv("BCFORK_MASTER_TARBALL"); p != "" {
		return p
	}
	for _, up := range []string{"..", "../.."} {
		p := filepath.Join(root, up, "shared", "fixtures", "Bucardo-master-d9919c8.tar.gz")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// engineCases: the patch engine alone, in a process (enginebench), on the
// script with 20 hunks at an offset, and a clean 3-way merge.
func (cfg *config) engineCases() ([]*benchCase, error) {
	in := filepath.Join(cfg.tmp, "engine")
	if err := os.MkdirAll(in, 0o755); err != nil {
		return nil, err
	}
	if err := runIn(exec.Command(cfg.engine, "gen", in), in); err != nil {
		return nil, err
	}
	f := func(n string) string { return filepath.Join(in, n) }
	apply := &benchCase{name: "engine: apply 20 hunks", cmds: []*command{
		{tool: "bcfork", argv: []string{cfg.engine, "apply", f("bucardo"), f("fork.patch")}, out: f("apply.bcfork"), stdout: true},
		{tool: "GNU patch", argv: []string{"patch", "-s", "-p1", "--fuzz=0", "-o", f("apply.patch"), f("bucardo"), f("fork.patch")}, out: f("apply.patch")},
	}}
	merge := &benchCase{name: "engine: 3-way merge", cmds: []*command{
		{tool: "bcfork", argv: []string{cfg.engine, "merge", f("ours"), f("base"), f("theirs")}, out: f("merge.bcfork"), stdout: true},
		{tool: "git merge-file", argv: []string{"git", "merge-file", "-p", "--diff3", "-L", "ours", "-L", "base", "-L", "theirs", f("ours"), f("base"), f("theirs")}, out: f("merge.git"), stdout: true},
	}}
	return []*benchCase{apply, merge}, nil
}
