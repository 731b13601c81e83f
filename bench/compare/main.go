// Command compare times bcfork against GNU patch, git apply and
// git merge-file doing the same work on the same inputs, and prints one
// table of times and ratios (bcfork time / tool time: below 1 is faster).
//
// Every case first runs each command once and checks that they give the
// same files: a timing of different work means nothing. Then it runs the
// commands N times each, interleaved (one of each a round, the order
// rotating), as processes, and reports the median wall time with its
// interquartile range, the median CPU time (user + system) and, from one
// more run under /usr/bin/time, the peak RSS. A ratio is the median of the per-round ratios, so that a burst of
// load from other processes hits both sides of a pair alike. With -instr,
// each command also runs once under valgrind's callgrind, which counts the
// instructions it executes (children included): a figure the machine's load
// does not change.
//
//	go run ./bench/compare [-n 21] [-bcfork BIN] [-instr] [-scale 1,10,100] [-cases generate,scale,rebase,engine]
//
// Under callgrind (-instr) Go programs run with GODEBUG=asyncpreemptoff=1,
// and a run that dies of valgrind not knowing RDTSCP is tried again.
// valgrind also hides SHA-NI, so sha256 costs bcfork far more instructions
// there than on the CPU: compare instruction counts of the same command
// across versions, not across tools.
//
// Inputs: BCFORK_PRISTINE_TARBALL (Bucardo 5.6.0's release tarball) and,
// for the rebase case, BCFORK_MASTER_TARBALL (the files of upstream master
// d9919c8; default the shared fixture Bucardo-master-d9919c8.tar.gz in
// ../shared/fixtures or ../../shared/fixtures; the case is skipped without).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The tools bcfork is compared with, in the table's order.
var tools = []string{"bcfork", "GNU patch", "git apply", "git merge-file"}

// command is one way of doing a case's work.
type command struct {
	tool   string
	argv   []string
	env    []string // added to the environment
	out    string   // the folder (or file) it writes, compared across tools
	stdout bool     // its standard output is out
	after  []string // run once after the first run, before the check
	exits  []int    // exit statuses besides 0 that mean it did its work
	runs   []run
	rss    int64 // peak RSS in KB, from /usr/bin/time
	ir     int64 // instructions counted by callgrind; 0 when not counted
}

// run is one timed run of a command.
type run struct {
	wall, cpu time.Duration
}

// benchCase is work done by bcfork and by one or more other tools.
type benchCase struct {
	name  string
	cmds  []*command
	files []string // the names to compare in each command's out; nil: out is a file
	note  string
}

type config struct {
	tags   string
	runs   int
	instr  bool
	bcfork string
	engine string
	tmp    string
	src    string // the pristine 5.6.0 files
	series string // the 5.6.0 series
	root   string // the repository
}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	cfg := &config{}
	flag.IntVar(&cfg.runs, "n", 21, "timed runs of each command")
	flag.BoolVar(&cfg.instr, "instr", false, "also count instructions with valgrind --tool=callgrind")
	flag.StringVar(&cfg.bcfork, "bcfork", "", "bcfork binary to time (default: built here)")
	flag.StringVar(&cfg.engine, "enginebench", "", "enginebench binary (default: built here)")
	flag.StringVar(&cfg.tags, "tags", "urfave_cli_no_docs", "build tags for bcfork, as make build sets them")
	scales := flag.String("scale", "1,10,100", "factors of the synthetic scaling case")
	only := flag.String("cases", "generate,scale,rebase,engine", "cases to run")
	keep := flag.Bool("keep", false, "keep the scratch folder")
	flag.Parse()
	var err error
	if cfg.root, err = repoRoot(); err != nil {
		return err
	}
	if cfg.tmp, err = os.MkdirTemp("", "bcfork-compare-"); err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(cfg.tmp)
	} else {
		fmt.Println("scratch folder:", cfg.tmp)
	}
	if err := cfg.build(); err != nil {
		return err
	}
	cases, err := cfg.cases(strings.Split(*only, ","), strings.Split(*scales, ","))
	if err != nil {
		return err
	}
	printMachine(cfg)
	for _, c := range cases {
		if err := cfg.measure(c); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	printTables(os.Stdout, cases, cfg.instr)
	return nil
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// build builds bcfork as make build does, and enginebench, unless given.
func (cfg *config) build() error {
	if cfg.bcfork == "" {
		cfg.bcfork = filepath.Join(cfg.tmp, "bcfork")
		linked := cfg.bcfork + ".linked"
		cmd := exec.Command("go", "build", "-trimpath", "-tags", cfg.tags, "-o", linked, "./cmd/bcfork")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if err := runIn(cmd, cfg.root); err != nil {
			return err
		}
		// A copy, as make build and make install leave it: see the Makefile.
		if err := runIn(exec.Command("cp", linked, cfg.bcfork), cfg.root); err != nil {
			return err
		}
	}
	if cfg.engine == "" {
		cfg.engine = filepath.Join(cfg.tmp, "enginebench")
		if err := runIn(exec.Command("go", "build", "-o", cfg.engine, "./bench/enginebench"), cfg.root); err != nil {
			return err
		}
	}
	return nil
}

func runIn(cmd *exec.Cmd, dir string) error {
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return nil
}

// measure checks that the commands of c agree, then times them.
func (cfg *config) measure(c *benchCase) error {
	fmt.Fprintf(os.Stderr, "%s: checking outputs, then %d interleaved rounds\n", c.name, cfg.runs)
	for _, cmd := range c.cmds {
		if _, err := cmd.once(); err != nil {
			return err
		}
		if cmd.after != nil {
			if _, err := once(cmd.after); err != nil {
				return err
			}
		}
	}
	if err := c.check(); err != nil {
		return err
	}
	for r := range cfg.runs {
		for i := range c.cmds {
			cmd := c.cmds[(r+i)%len(c.cmds)]
			res, err := cmd.once()
			if err != nil {
				return err
			}
			cmd.runs = append(cmd.runs, res)
		}
	}
	for _, cmd := range c.cmds {
		rss, err := cmd.peakRSS()
		if err != nil {
			return err
		}
		cmd.rss = rss
	}
	if !cfg.instr {
		return nil
	}
	for _, cmd := range c.cmds {
		// valgrind 3.19 does not know RDTSCP, which the Go runtime
		// sometimes runs (runtime.cputicks): such a run dies of SIGILL,
		// and is tried again.
		for try := 0; try < 5 && cmd.ir == 0; try++ {
			n, err := cmd.instructions()
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %s under callgrind: %v\n", c.name, cmd.tool, firstLine(err))
				continue
			}
			cmd.ir = n
		}
	}
	return nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// check compares every command's output with bcfork's.
func (c *benchCase) check() error {
	ref := c.cmds[0]
	for _, cmd := range c.cmds[1:] {
		names := c.files
		if names == nil {
			names = []string{""}
		}
		for _, n := range names {
			a, err := os.ReadFile(filepath.Join(ref.out, n))
			if err != nil {
				return err
			}
			b, err := os.ReadFile(filepath.Join(cmd.out, n))
			if err != nil {
				return err
			}
			if !bytes.Equal(a, b) {
				return fmt.Errorf("%s and %s disagree on %s", ref.tool, cmd.tool, filepath.Join(cmd.out, n))
			}
		}
	}
	return nil
}

// once runs argv as a process and measures it. Its output is discarded.
func once(argv []string) (run, error) {
	return (&command{argv: argv}).once()
}

// once runs c as a process and measures it.
func (c *command) once() (run, error) {
	cmd, stderr, closer, err := c.exec(c.argv)
	if err != nil {
		return run{}, err
	}
	defer closer()
	start := time.Now()
	err = c.ok(cmd.Run())
	wall := time.Since(start)
	if err != nil {
		return run{}, fmt.Errorf("%s: %w\n%s", strings.Join(c.argv, " "), err, stderr.Bytes())
	}
	return run{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

// ok is err, or nil when err is an exit status in c.exits.
func (c *command) ok(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && slices.Contains(c.exits, ee.ExitCode()) {
		return nil
	}
	return err
}

// exec prepares argv with c's environment and output.
func (c *command) exec(argv []string) (*exec.Cmd, *bytes.Buffer, func(), error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), c.env...)
	stderr := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if !c.stdout {
		return cmd, stderr, func() {}, nil
	}
	f, err := os.Create(c.out)
	if err != nil {
		return nil, nil, nil, err
	}
	cmd.Stdout = f
	return cmd, stderr, func() { f.Close() }, nil
}

// peakRSS runs c once under /usr/bin/time and returns the largest peak
// RSS of its processes, in KB. (The rusage of a child that Go starts
// counts the starting process's own RSS, which would hide small tools.)
func (c *command) peakRSS() (int64, error) {
	out := filepath.Join(os.TempDir(), fmt.Sprintf("bcfork-compare-rss-%d", os.Getpid()))
	defer os.Remove(out)
	argv := append([]string{"/usr/bin/time", "-f", "%M", "-o", out}, c.argv...)
	cmd, stderr, closer, err := c.exec(argv)
	if err != nil {
		return 0, err
	}
	defer closer()
	if err := c.ok(cmd.Run()); err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, stderr.Bytes())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return 0, err
	}
	// The last line: before it, time says when the command exited non-zero.
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("%s: /usr/bin/time wrote nothing", strings.Join(argv, " "))
	}
	var kb int64
	_, err = fmt.Sscan(fields[len(fields)-1], &kb)
	return kb, err
}

// instructions runs c once under callgrind, children included, and
// returns the instructions executed by all its processes.
func (c *command) instructions() (int64, error) {
	argv := append([]string{"valgrind", "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/dev/null"}, c.argv...)
	cmd, stderr, closer, err := c.exec(argv)
	if err != nil {
		return 0, err
	}
	defer closer()
	// Go's asynchronous preemption signals trip callgrind up.
	cmd.Env = append(cmd.Env, "GODEBUG=asyncpreemptoff=1")
	if err := c.ok(cmd.Run()); err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, tail(stderr.String()))
	}
	var total int64
	for _, l := range strings.Split(stderr.String(), "\n") {
		if _, rest, ok := strings.Cut(l, "Collected : "); ok {
			var n int64
			fmt.Sscan(rest, &n)
			total += n
		}
	}
	if total == 0 {
		return 0, errors.New("valgrind reported no instructions")
	}
	return total, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func printMachine(cfg *config) {
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("machine: %d CPUs (nproc), %s; load average at start %s\n", runtime.NumCPU(), cpuModel(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Printf("runs: %d of each command, interleaved; wall time median (interquartile range)\n\n", cfg.runs)
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func (c *benchCase) cmd(tool string) *command {
	i := slices.IndexFunc(c.cmds, func(x *command) bool { return x.tool == tool })
	if i < 0 {
		return nil
	}
	return c.cmds[i]
}
