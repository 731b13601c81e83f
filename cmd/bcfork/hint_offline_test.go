package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/upstream"
	"github.com/stretchr/testify/require"
)

var (
	tagTar     = regexp.MustCompile(`/archive/refs/tags/([^ ]*)\.tar\.gz`)
	debVersion = regexp.MustCompile("`bcfork [^`]*--flavor debian --version ([^ `]*)")
)

// TestOfflineRoutesOfTheVersionAsked: the routes to the files without
// GitHub's API (fetch, generate, diff, install) are to the version asked
// for, never to another's files: Debian's orig tarball and package only
// for a release Debian shipped (the package only where bcfork has a
// debian series of it), else that release's own tarball with --from,
// else for a snapshot or a commit a checkout or GitHub's tarball of it.
// The commands quoted take the series from the patches tree given. The
// version is the one the command resolved (install without
// --version: the host's), else --version, else the newest series of the
// patches tree given with --patches.
func TestOfflineRoutesOfTheVersionAsked(t *testing.T) {
	app := newApp(nil, nil)
	tree := t.TempDir()
	for _, v := range []string{"5.6.0", "9.9.9"} { // and no debian series
		require.NoError(t, os.MkdirAll(filepath.Join(tree, "upstream", v), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(tree, "upstream", v, "series"), nil, 0o644))
	}
	for _, tc := range []struct {
		args     []string // after the command's name
		resolved string   // the version the command resolved, "" if the hint has only the command line
		want     string   // the version the routes must be to
		debian   string   // the Debian version of the package route, "" for none
		route    string   // what the hint must say, for every command
		from     string   // the --from the quoted command takes, "" for none
	}{
		{args: []string{"--version", "5.6.0"}, want: "5.6.0", debian: "5.6.0-4", from: "bucardo_5.6.0.orig.tar.gz"},
		{args: []string{"--version", "5.5.0"}, want: "5.5.0", from: "bucardo_5.5.0.orig.tar.gz"},
		{args: []string{"--version", "5.6.0", "--patches", tree}, want: "5.6.0", from: "bucardo_5.6.0.orig.tar.gz"}, // the tree has no debian/5.6.0-4
		{args: []string{"--version", "9.9.9", "--patches", tree}, want: "9.9.9", from: "9.9.9.tar.gz",
			route: "a release tarball or folder of 9.9.9 works, e.g. GitHub's tarball of the tag: `curl -LO https://github.com/bucardo/bucardo/archive/refs/tags/9.9.9.tar.gz`"},
		{args: []string{"--patches", tree}, want: "9.9.9", from: "9.9.9.tar.gz"}, // the newest of the tree
		{args: []string{"--version", "5.7.0", "--repo", "me/bucardo"}, want: "5.7.0", from: "5.7.0.tar.gz",
			route: "https://github.com/me/bucardo/archive/refs/tags/5.7.0.tar.gz"},
		{resolved: "5.5.0", want: "5.5.0", from: "bucardo_5.5.0.orig.tar.gz"}, // install: the host's Bucardo.pm
		{args: []string{"--version", "master-d9919c8"}, want: "master-d9919c8",
			route: "master-d9919c8 is no release, and no release tarball holds its files: give --from a checkout of commit d9919c8"},
		{args: []string{"--version", "d9919c804d2c84a25e9bd8895908e80932609160"}, want: "d9919c804d2c84a25e9bd8895908e80932609160",
			route: "https://github.com/bucardo/bucardo/archive/d9919c804d2c84a25e9bd8895908e80932609160.tar.gz"},
	} {
		for _, name := range []string{"fetch", "generate", "diff", "install"} {
			if name == "fetch" && tc.resolved == "" && len(tc.args) < 2 {
				continue // fetch needs --version
			}
			c := newCall(app, append([]string{"bcfork", name}, tc.args...))
			for _, err := range offlineErrors {
				if tc.resolved != "" {
					err = &filesError{version: tc.resolved, err: err}
				}
				h := hint(err, c)
				what := fmt.Sprintf("bcfork %s %s, after %v", name, strings.Join(tc.args, " "), err)
				checkHint(t, app, c, err)
				for _, tar := range origTar.FindAllString(h, -1) {
					if tar != "bucardo_"+tc.want+".orig.tar.gz" || !strings.HasPrefix(tc.from, "bucardo_") {
						t.Errorf("%s: the hint names Debian's %s, want the files of %s:\n%s", what, tar, tc.want, h)
					}
				}
				if !strings.HasPrefix(tc.from, "bucardo_") && strings.Contains(h, "apt-get") {
					t.Errorf("%s: the hint names apt-get, but Debian ships no orig tarball of %s:\n%s", what, tc.want, h)
				}
				for _, m := range tagTar.FindAllStringSubmatch(h, -1) {
					if m[1] != tc.want {
						t.Errorf("%s: the hint names GitHub's tarball of tag %s, want the files of %s:\n%s", what, m[1], tc.want, h)
					}
				}
				if m := debVersion.FindStringSubmatch(h); (m == nil) != (tc.debian == "") || m != nil && m[1] != tc.debian {
					t.Errorf("%s: the hint's route by Debian's package is %v, want %q:\n%s", what, m, tc.debian, h)
				}
				if !strings.Contains(h, tc.route) {
					t.Errorf("%s: the hint does not say %q:\n%s", what, tc.route, h)
				}
				if tc.from != "" && !strings.Contains(h, " --from "+tc.from+"`") && !strings.Contains(h, " --from "+tc.from+" && bcfork install ") {
					t.Errorf("%s: the hint quotes no command taking --from %s:\n%s", what, tc.from, h)
				}
			}
		}
	}
}

// TestMovedTagRoute: after a release's tag was moved, GitHub's tarball of
// the tag is of another commit than the one pinned: the route is to
// GitHub's tarball of the pinned commit, for each command and rebase
// side, unless Debian ships the release's tarball.
func TestMovedTagRoute(t *testing.T) {
	app := newApp(nil, nil)
	const pinned = "6ead8e7816560480d303749aba016de850242d8f"
	for _, tc := range []struct {
		args []string
		err  func(error) error
	}{
		{[]string{"bcfork", "fetch", "--version", "9.9.9"}, nil},
		{[]string{"bcfork", "generate", "--version", "9.9.9"}, nil},
		{[]string{"bcfork", "install", "--version", "9.9.9"}, nil},
		{[]string{"bcfork", "rebase", "--version", "5.6.0", "--onto", "9.9.9"}, nil},
		{[]string{"bcfork", "rebase", "--version", "9.9.9", "--onto", "5.6.0"}, func(err error) error { return &oldFilesError{err} }},
	} {
		c := newCall(app, tc.args)
		var err error = &upstream.CommitError{Want: pinned, Got: strings.Repeat("5", 40), Source: "github bucardo/bucardo@9.9.9", Pin: "upstream/9.9.9/commit", Tag: "9.9.9"}
		if tc.err != nil {
			err = tc.err(err)
		}
		h := hint(err, c)
		checkHint(t, app, c, err)
		if !strings.Contains(h, "GitHub's tarball of the pinned commit") || !strings.Contains(h, "https://github.com/bucardo/bucardo/archive/"+pinned+".tar.gz") || strings.Contains(h, "refs/tags") {
			t.Errorf("%s, after %v: hint:\n%s", strings.Join(tc.args, " "), err, h)
		}
	}
}
