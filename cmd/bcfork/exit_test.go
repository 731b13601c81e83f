package main

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("x"), ExitFailure},
		{usagef("x"), ExitUsage},
		{cli.Exit("x", 7), 7},
		{fmt.Errorf("generating: %w", &patch.ApplyError{Patch: "p"}), ExitConflict},
		{hostErr(&install.ModifiedError{Paths: []string{"/usr/bin/bucardo"}}), ExitDrift},
		{&install.ModifiedError{}, ExitFailure}, // drift only from install, uninstall, status
		{hostErr(&instance.ChangedError{Files: []string{`"/etc/systemd/system/bucardo@.service" is gone`}}), ExitDrift},
		{&instance.ChangedError{}, ExitFailure}, // drift only from instance upgrade
		{&rebase.ConflictError{}, ExitConflict},
		{&rebase.MarkerError{}, ExitConflict},
		{fmt.Errorf("getting 5.6.0: %w", &upstream.ChecksumError{}), ExitChecksum},
		{&upstream.CommitError{}, ExitChecksum},
		{&upstream.FlavorError{Flavor: "debian"}, ExitUsage},
		{fmt.Errorf("%w: repository %q", upstream.ErrInvalid, "x"), ExitUsage},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// The libraries' errors do not name flags; message says them as the CLI
// always has.
func TestMessage(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "plain"},
		{&upstream.SourceError{Path: "missing.tar.gz", Err: syscall.ENOENT},
			`reading --from "missing.tar.gz": no such file or directory`},
		{fmt.Errorf("getting 5.6.0: %w", &upstream.ReleaseFolderError{Dir: "src", Release: "src/Bucardo-5.6.0"}),
			`getting 5.6.0: folder "src" holds no bucardo script; did you mean --from src/Bucardo-5.6.0?`},
		{&upstream.FlavorError{Flavor: "debian"},
			"flavor debian: the files come from the Debian package; use --from DIR (see patches/debian/README.md)"},
		{hostErr(fmt.Errorf("uninstalling: %w", &install.ModifiedError{Paths: []string{"/a", "/b"}})),
			`uninstalling: changed since bcfork installed it, not touching without --force: "/a", "/b"`},
		{fmt.Errorf("writing %q: %w", "out", atomicfile.ErrExists),
			`writing "out": output folder exists (use --force to replace it)`},
	} {
		if got := message(c.err); got != c.want {
			t.Errorf("message(%v)\n got %s\nwant %s", c.err, got, c.want)
		}
	}
}
