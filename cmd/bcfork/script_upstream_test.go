package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/bcfork/bcfork/upstream"
	"github.com/rogpeppe/go-internal/testscript"
)

type fakeGitHubKey struct{}

// Every script gets a fake GitHub API (BCFORK_GITHUB_API points at it), so
// no script reaches the internet. It serves bucardo/bucardo with tags 9.9.9,
// 9.9.7 and 9.10.0 and a branch master, all synthetic files (see
// fakegithub.Files; 9.9.9's pins are in the fixture patches tree of the
// fetch_*.txtar scripts, its commit is 6ead8e7816560480d303749aba016de850242d8f,
// fakegithub.TagCommit), and the command fakegithub inspects and steers it.
func setupFakeGitHub(env *testscript.Env) error {
	srv := fakegithub.New()
	env.Defer(srv.Close)
	for _, v := range []string{"9.9.7", "9.9.9", "9.10.0"} {
		srv.AddTag(upstream.DefaultRepo, v, fakegithub.Files(v))
	}
	srv.SetBranch(upstream.DefaultRepo, "master", fakegithub.Files("9.10.0"))
	env.Setenv("BCFORK_GITHUB_API", srv.URL)
	env.Values[fakeGitHubKey{}] = srv
	return nil
}

// cmdFakeGitHub steers the fake GitHub API:
//
//	fakegithub requests        print "N requests", one line per request (with its
//	                           Authorization and If-None-Match headers, if any),
//	                           then forget them
//	fakegithub tag TAG DIR     serve DIR/bucardo and DIR/bucardo.schema as tag TAG
//	                           (moving TAG if it exists); print "commit SHA"
//	fakegithub branch NAME DIR point branch NAME at DIR's files
//	fakegithub fail N STATUS   answer the next N requests with STATUS
//	fakegithub ratelimit       answer every request with a rate limit that resets in an hour
func cmdFakeGitHub(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! fakegithub")
	}
	srv, _ := ts.Value(fakeGitHubKey{}).(*fakegithub.Server)
	if srv == nil || len(args) == 0 {
		ts.Fatalf("usage: fakegithub requests|tag|branch|fail|ratelimit ...")
	}
	switch {
	case args[0] == "requests" && len(args) == 1:
		printRequests(ts, srv)
	case args[0] == "tag" && len(args) == 3:
		fmt.Fprintf(ts.Stdout(), "commit %s\n", srv.AddTag(upstream.DefaultRepo, args[1], readFixture(ts, args[2])))
	case args[0] == "branch" && len(args) == 3:
		srv.SetBranch(upstream.DefaultRepo, args[1], readFixture(ts, args[2]))
	case args[0] == "fail" && len(args) == 3:
		srv.Fail(atoi(ts, args[1]), atoi(ts, args[2]))
	case args[0] == "ratelimit" && len(args) == 1:
		srv.RateLimit(time.Now().Add(time.Hour))
	default:
		ts.Fatalf("unknown: fakegithub %q", args)
	}
}

func printRequests(ts *testscript.TestScript, srv *fakegithub.Server) {
	reqs := srv.Requests()
	fmt.Fprintf(ts.Stdout(), "%d requests\n", len(reqs))
	for _, r := range reqs {
		line := r.String()
		if r.Authorization != "" {
			line += " (Authorization: " + r.Authorization + ")"
		}
		if r.IfNoneMatch != "" {
			line += " (If-None-Match)"
		}
		fmt.Fprintln(ts.Stdout(), line)
	}
	srv.ClearRequests()
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("fakegithub: %q is not a number", s)
	}
	return n
}

func readFixture(ts *testscript.TestScript, dir string) map[string][]byte {
	files := map[string][]byte{}
	for _, name := range bucardo.Names {
		b, err := os.ReadFile(filepath.Join(ts.MkAbs(dir), name))
		ts.Check(err)
		files[name] = b
	}
	return files
}

// hintcmd FILE [WORD] writes to FILE, as a shell script, the first command
// quoted `like this` in the hints of the last command's standard error
// that starts with "bcfork " (or with WORD), so that a script can run a
// hint as it is printed: exec sh FILE.
func cmdHintCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: hintcmd FILE [WORD]")
	}
	start := "bcfork "
	if len(args) == 2 {
		start = args[1] + " "
	}
	for _, line := range strings.Split(ts.ReadFile("stderr"), "\n") {
		h, ok := strings.CutPrefix(line, "bcfork: hint: ")
		if !ok {
			continue
		}
		for _, m := range hintQuoted.FindAllStringSubmatch(h, -1) {
			if strings.HasPrefix(m[1], start) {
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(m[1]+"\n"), 0o644))
				return
			}
		}
	}
	ts.Fatalf("no hint quotes a command starting with %q", start)
}

var hintQuoted = regexp.MustCompile("`([^`]+)`")
