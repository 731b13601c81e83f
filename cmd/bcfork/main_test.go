package main

import (
	"flag"
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
			"fakegithub":   cmdFakeGitHub,
			"mkfork":       cmdMkfork,
			"mode":         cmdMode,
			"receiptstate": cmdReceiptState,
		},
	})
}
