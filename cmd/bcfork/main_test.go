package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite testscript files with the actual output (cmp against stdout/stderr)")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"bcfork": func() { os.Exit(Main()) },
	})
}

// TestScript runs the CLI scripts in testdata/script, one behaviour per file.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			env.Setenv("BCFORK_CACHE_DIR", env.WorkDir+"/.bcfork-cache")
			env.Setenv("XDG_CACHE_HOME", env.WorkDir+"/.cache")
			env.Setenv("GITHUB_TOKEN", "")
			env.Setenv("BCFORK_GITHUB_TOKEN", "")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("SOURCE_DATE_EPOCH", "1796083200") // 2026-12-01: the Last-Update of rewritten patches
			env.Setenv("GORACE", noRaceSleep(os.Getenv("GORACE")))
			return setupFakeGitHub(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":     cmdExitCode,
			"fakefork":     cmdFakeFork,
			"fakegithub":   cmdFakeGitHub,
			"fakehost":     cmdFakeHost,
			"hintcmd":      cmdHintCmd,
			"mkfork":       cmdMkfork,
			"mode":         cmdMode,
			"oldunit":      cmdOldUnit,
			"receiptset":   cmdReceiptSet,
			"receiptstate": cmdReceiptState,
			"remanifest":   cmdRemanifest,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // [root]: the test runs as root
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdExitCode runs a program and fails the script unless it exits with
// code N; what the program wrote is the script's stdout and stderr, as
// after exec:
//
//	exitcode 4 bcfork fetch --version 9.9.7
//	stderr 'checksum mismatch'
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARG...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("usage: exitcode N PROGRAM [ARG...]: %q is not a number", args[0])
	}
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}
