package main

import (
	"flag"
	"fmt"
	"os"
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
			env.Setenv("GORACE", noRaceSleep(os.Getenv("GORACE")))
			return setupFakeGitHub(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakefork":     cmdFakeFork,
			"fakegithub":   cmdFakeGitHub,
			"fakehost":     cmdFakeHost,
			"mkfork":       cmdMkfork,
			"mode":         cmdMode,
			"receiptstate": cmdReceiptState,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // [root]: the test runs as root
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}
