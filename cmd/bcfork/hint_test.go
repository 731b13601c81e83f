package main

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

func TestNearest(t *testing.T) {
	names := []string{"versions", "fetch", "generate", "diff", "install", "uninstall", "status", "rebase"}
	for _, c := range []struct{ word, want string }{
		{"genrate", "generate"},
		{"gen", "generate"},
		{"instal", "install"},
		{"unistall", "uninstall"},
		{"stat", "status"},
		{"version", "versions"},
		{"dif", "diff"},
		{"frobnicate", ""},
		{"x", ""},
		{"in", ""},
	} {
		if got := nearest(c.word, names); got != c.want {
			t.Errorf("nearest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"genrate", "generate", 1}, {"abc", "abc", 0}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// sourceErrors are the errors of getting the pristine files that every
// command that gets them may end with.
var sourceErrors = []error{
	fmt.Errorf("x: %w", upstream.ErrUnreachable),
	fmt.Errorf("x: %w", upstream.ErrTimeout),
	fmt.Errorf("x: %w", upstream.ErrOffline),
	fmt.Errorf("x: %w", upstream.ErrTooLarge),
	fmt.Errorf("x: %w", upstream.ErrUnpinned),
	fmt.Errorf("x: %w", upstream.ErrNotFound),
	fmt.Errorf("x: %w", upstream.ErrBadToken),
	&upstream.RateLimitError{Reset: time.Now().Add(time.Hour)},
	&upstream.RateLimitError{Token: true},
	&upstream.CommitError{Tag: "5.6.0", Pin: "upstream/5.6.0/commit"},
	&upstream.ChecksumError{Pin: "upstream/5.6.0/checksums", Source: "github bucardo/bucardo@5.6.0"},
	&upstream.ChecksumError{Source: "github bucardo/bucardo@5.6.0"},
	&upstream.FlavorError{Flavor: catalog.Debian},
	&inputError{err: errors.New("x"), file: "bucardo", pinned: &catalog.File{Flavor: catalog.Debian, Version: "5.6.0-4", Name: "bucardo"}},
}

var (
	quotedCommand = regexp.MustCompile("`(bcfork [^`]*)`")
	anyQuoted     = regexp.MustCompile("`[^`]*`")
	flagWord      = regexp.MustCompile(`(^|[\s(])(--[a-z][a-z-]*)`)
)

// Every hint after a source error, for every command, and after a link
// or a file that is not a regular one below the root, for every command
// on the host: each command it quotes is one bcfork has, with flags that
// command has (and a value where one is needed); each flag it names
// outside a quoted command is one of the command that failed. So versions
// never suggests --from, nor uninstall --bin.
func TestHintsWorkAsTyped(t *testing.T) {
	app := newApp(nil, nil)
	for _, cmd := range app.Commands {
		args := []string{"bcfork", cmd.Name}
		if (call{cmd: cmd}).has("version") {
			args = append(args, "--version", "5.6.0")
		}
		c := newCall(app, args)
		if !c.has("github-api") {
			continue // gets no pristine files
		}
		for _, err := range sourceErrors {
			var fe *upstream.FlavorError
			var ie *inputError
			if errors.As(err, &fe) && !c.has("flavor") || errors.As(err, &ie) && !c.has("from") {
				continue // not an error this command can end with
			}
			checkHint(t, app, c, err)
		}
	}
	for _, c := range hostCalls(app) {
		for _, err := range pathErrors {
			if hint(err, c) == "" {
				t.Errorf("bcfork %s, after %v: no hint", c.name(), err)
			}
			checkHint(t, app, c, err)
		}
	}
}

// pathErrors are errors about a path below the root that install,
// uninstall, status and the instance commands may all end with.
var pathErrors = []error{
	hostErr(fmt.Errorf("reading %q: %w", "/usr/bin/bucardo", &beneath.LinkError{Path: "/usr/bin", Target: "/opt/bin", Root: "/"})),
	hostErr(&install.NotRegularError{Path: "/usr/bin/bucardo", Kind: "a folder"}),
	hostErr(fmt.Errorf("reading the version of %q: %w", "/usr/bin/bucardo",
		beneath.TrimPath("/usr/bin/bucardo", &beneath.NotRegularError{Path: "/usr/bin/bucardo", Mode: fs.ModeNamedPipe}))),
	hostErr(fmt.Errorf("reading %q: %w", "/usr/bin/bucardo",
		beneath.TrimPath("/usr/bin/bucardo", &beneath.LinkError{Path: "/usr/bin/bucardo", Target: "/opt/bucardo", Root: "/"}))),
	hostErr(fmt.Errorf("installing: %w", &install.LockError{Path: "/var/lib/bcfork/lock",
		Err: beneath.TrimPath("/var/lib/bcfork/lock", &beneath.NotRegularError{Path: "/var/lib/bcfork/lock", Mode: fs.ModeNamedPipe})})),
	hostErr(install.StateFile("receipt", "/var/lib/bcfork/receipt.json", &beneath.NotRegularError{Path: "/var/lib/bcfork/receipt.json", Mode: fs.ModeDir})),
	hostErr(install.StateFile("the instance record", "/var/lib/bcfork/instances.json", &beneath.TooLargeError{Path: "/var/lib/bcfork/instances.json", Size: 2 << 20, Max: 1 << 20})),
}

// TestStateFileHint: after a receipt or an instance record that is not a
// regular file, a link or too large, every command says to look at what
// is there and move it out of the way, and names no flag: no --bin or
// --schema, which name targets, not bcfork's own files. A link in a
// folder above it, or another failure, is not said to be the file.
func TestStateFileHint(t *testing.T) {
	app := newApp(nil, nil)
	for _, file := range []struct{ what, path, then string }{
		{"receipt", "/var/lib/bcfork/receipt.json", "bcfork then knows of no install"},
		{"the instance record", "/var/lib/bcfork/instances.json", "bcfork then knows of no instance"},
	} {
		for _, inner := range []error{
			&beneath.NotRegularError{Path: file.path, Mode: fs.ModeNamedPipe},
			&beneath.NotRegularError{Path: file.path, Mode: fs.ModeDir},
			&beneath.LinkError{Path: file.path, Target: "/tmp/x", Root: "/"},
			&beneath.TooLargeError{Path: file.path, Size: 2 << 20, Max: 1 << 20},
		} {
			err := hostErr(fmt.Errorf("uninstalling: %w", install.StateFile(file.what, file.path, inner)))
			for _, c := range hostCalls(app) {
				h := hint(err, c)
				if !strings.Contains(h, fmt.Sprintf("look at what is at %q (ls -l) and move it out of the way", file.path)) ||
					!strings.Contains(h, file.then) || strings.Contains(h, "--") {
					t.Errorf("bcfork %s, after %v: hint %q", c.name(), err, h)
				}
			}
		}
		above := install.StateFile(file.what, file.path, &beneath.LinkError{Path: "/var/lib", Target: "/srv/lib", Root: "/"})
		if h := hint(hostErr(above), newCall(app, []string{"bcfork", "uninstall"})); strings.Contains(h, "look at what is at") {
			t.Errorf("after %v: hint %q", above, h)
		}
	}
}

// TestStateLinkHint: after a link on the way to the state folder or a
// file in it (the folder itself, or one above it), every command says to
// put the folder itself where that link is, naming it, and names no
// --bin or --schema, which name targets, not the state folder.
func TestStateLinkHint(t *testing.T) {
	app := newApp(nil, nil)
	for _, link := range []string{"/var/lib/bcfork", "/var/lib", "/var"} {
		le := &beneath.LinkError{Path: link, Target: "/srv/x", Root: "/"}
		for _, err := range []error{
			install.StateFile("receipt", "/var/lib/bcfork/receipt.json", le),
			install.StateFile("the instance record", "/var/lib/bcfork/instances.json", le),
			fmt.Errorf("installing: %w", &install.StateLinkError{Op: "creating the state folder", Path: "/var/lib/bcfork", Err: le}),
		} {
			err = hostErr(err)
			for _, c := range hostCalls(app) {
				h := hint(err, c)
				if !strings.Contains(h, fmt.Sprintf("put the folder itself where the link %q is", link)) ||
					strings.Contains(h, "--bin") || strings.Contains(h, "--schema") {
					t.Errorf("bcfork %s, after %v: hint %q", c.name(), err, h)
				}
			}
		}
	}
	// a link on the way to a target keeps the hint that names --bin and --schema
	target := hostErr(fmt.Errorf("installing: %w", &beneath.LinkError{Path: "/usr/bin", Target: "/opt/bin", Root: "/"}))
	if h := hint(target, newCall(app, []string{"bcfork", "install"})); !strings.Contains(h, "--bin, --schema") {
		t.Errorf("after %v: hint %q", target, h)
	}
}

// TestLockHint: after a lock file bcfork cannot open, every command that
// takes the lock, or asks status whether another holds it, says to move
// it out of the way, not to name other targets or folders.
func TestLockHint(t *testing.T) {
	app := newApp(nil, nil)
	for _, inner := range []error{
		&beneath.NotRegularError{Path: "/var/lib/bcfork/lock", Mode: fs.ModeDir},
		&beneath.LinkError{Path: "/var/lib/bcfork/lock", Target: "/tmp/x", Root: "/"},
	} {
		err := hostErr(&install.LockError{Path: "/var/lib/bcfork/lock", Err: beneath.TrimPath("/var/lib/bcfork/lock", inner)})
		for _, c := range hostCalls(app) {
			h := hint(err, c)
			if !strings.Contains(h, `move what is at "/var/lib/bcfork/lock" out of the way`) || strings.Contains(h, "--") {
				t.Errorf("bcfork %s, after %v: hint %q", c.name(), err, h)
			}
		}
	}
}

// hostCalls are the commands that act on the host: install, uninstall,
// status and each instance command.
func hostCalls(app *cli.App) []call {
	var calls []call
	for _, name := range []string{"install", "uninstall", "status"} {
		calls = append(calls, newCall(app, []string{"bcfork", name}))
	}
	for _, sub := range app.Command("instance").Subcommands {
		calls = append(calls, newCall(app, []string{"bcfork", "instance", sub.Name}))
	}
	return calls
}

// checkHint checks the hint after err of the command line c: each command
// it quotes is one bcfork has, with its own flags; each flag it names
// outside a quoted command is one c's command has.
func checkHint(t *testing.T, app *cli.App, c call, err error) {
	t.Helper()
	h := hint(err, c)
	for _, m := range quotedCommand.FindAllStringSubmatch(h, -1) {
		for _, line := range strings.Split(m[1], " && ") {
			checkCommandLine(t, app, line, h)
		}
	}
	prose := anyQuoted.ReplaceAllString(h, "")
	for _, m := range flagWord.FindAllStringSubmatch(prose, -1) {
		if !c.has(strings.TrimPrefix(m[2], "--")) {
			t.Errorf("bcfork %s, after %v: the hint names %s, which %s lacks:\n%s", c.name(), err, m[2], c.name(), h)
		}
	}
}

// checkCommandLine checks that line is a bcfork command with its own
// flags, each with a value where it takes one.
func checkCommandLine(t *testing.T, app *cli.App, line, h string) {
	t.Helper()
	if strings.ContainsAny(line, `'"\$`) {
		t.Errorf("quoting in %q: check it by hand\n%s", line, h)
		return
	}
	c := newCall(app, strings.Fields(line))
	if c.cmd == nil {
		t.Errorf("%q: no such command\n%s", line, h)
		return
	}
	c.walk(func(f cli.Flag, arg []string) {
		switch {
		case f == nil && strings.HasPrefix(arg[0], "-"):
			t.Errorf("%q: bcfork %s has no %s\n%s", line, c.cmd.Name, arg[0], h)
		case f == nil && c.cmd.Name != "diff":
			t.Errorf("%q: bcfork %s takes no argument %q\n%s", line, c.cmd.Name, arg[0], h)
		case f != nil && takesValue(f) && len(arg) != 2:
			t.Errorf("%q: %s needs a value\n%s", line, arg[0], h)
		}
	})
}

var aptSourceCmd = regexp.MustCompile("`apt-get source --download-only bucardo(=[^`]*)?`")

// TestAptSourceAsksForTheVersion: apt-get source fetches the version the
// Debian release in the apt sources ships, which need not be the one a
// hint's orig tarball is of; so every hint that quotes it asks for a
// Debian version of the tarball's release (pkg=version), and says where
// the versions are listed.
func TestAptSourceAsksForTheVersion(t *testing.T) {
	app := newApp(nil, nil)
	var calls [][]string
	for _, v := range []string{"5.6.0", "5.5.0", "9.9.9"} {
		for _, name := range []string{"fetch", "generate", "diff", "install"} {
			calls = append(calls, []string{"bcfork", name, "--version", v})
		}
		calls = append(calls, []string{"bcfork", "rebase", "--version", v, "--onto", "5.6.0"},
			[]string{"bcfork", "rebase", "--version", "5.4.1", "--onto", v})
	}
	seen := 0
	for _, args := range calls {
		c := newCall(app, args)
		for _, err := range offlineErrors {
			for _, err := range []error{err, &oldFilesError{err}} {
				h := hint(err, c)
				if !strings.Contains(h, "apt-get source") {
					continue
				}
				seen++
				what := fmt.Sprintf("%s, after %v", strings.Join(args, " "), err)
				m := aptSourceCmd.FindStringSubmatch(h)
				tarballs := origTar.FindAllString(h, -1)
				if m == nil || len(tarballs) == 0 {
					t.Errorf("%s: no apt-get source command or no orig tarball:\n%s", what, h)
					continue
				}
				v := strings.TrimSuffix(strings.TrimPrefix(tarballs[0], "bucardo_"), ".orig.tar.gz")
				switch {
				case m[1] == "":
					t.Errorf("%s: apt-get source asks for no version, so it fetches the one the Debian release ships, not %s's:\n%s", what, v, h)
				case m[1] == "=VERSION" && !strings.Contains(h, "a Debian version of "+v):
					t.Errorf("%s: VERSION is not said to be of %s:\n%s", what, v, h)
				case m[1] != "=VERSION" && !strings.HasPrefix(m[1], "="+v+"-"):
					t.Errorf("%s: apt-get source asks for %s, not a Debian version of %s:\n%s", what, m[1][1:], v, h)
				}
				if !strings.Contains(h, "`apt-cache showsrc bucardo`") {
					t.Errorf("%s: the hint does not say where the versions are listed:\n%s", what, h)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no hint quotes apt-get source")
	}
}
