package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// Exit codes, documented in the help text (exitCodes).
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitConflict    = 3
	ExitChecksum    = 4
	ExitDrift       = 5
	ExitCheck       = 6 // instance check found a problem
	ExitChanged     = 7 // rebase: carried, but not every patch unchanged
	ExitNew         = 8 // watch: upstream has something new, and the series carries onto it
	ExitNewConflict = 9 // watch: upstream has something new, and the series conflicts

	// When a signal ends bcfork: 128 plus the signal's number, as shells
	// report a process a signal killed (see withSignals).
	ExitInterrupted = 130 // SIGINT (Ctrl-C)
	ExitTerminated  = 143 // SIGTERM
)

// The meaning of the exit codes of the maintainers' commands, for their help.
const (
	exitChangedText     = "7 the series was carried and written, but not every patch unchanged (offset, merged, resolved or dropped): review it"
	exitNewText         = "8 upstream has a new release or new commits"
	exitNewConflictText = "9 upstream has a new release or new commits, and the series conflicts with at least one"
)

// exitCodes says what each exit code means. It is the one list of them:
// bcfork --help prints it, and a test checks that doc.go and README.md
// show the same.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{ExitOK, "success"},
	{ExitFailure, "failure"},
	{ExitUsage, "usage error"},
	{ExitConflict, "a patch does not apply, or a merge conflicts"},
	{ExitChecksum, "a checksum does not match its pin (files are not the pristine release)"},
	{ExitDrift, "install, uninstall, status, instance upgrade: a target changed since install or a file since bcfork wrote it for an instance (left alone without --force), the host drifted from the receipt or the instance record, the receipt is lost (backups or a bcfork fork in place, but no receipt), or an install was interrupted"},
	{ExitCheck, "instance check: a database two instances replicate, or a Bucardo.pm of another release than the fork"},
	{ExitChanged, "rebase: the series was carried and written, but not every patch unchanged (offset, merged, resolved or dropped): review it"},
	{ExitNew, "watch: upstream has a new release or new commits, and the series carries onto all of it"},
	{ExitNewConflict, "watch: upstream has a new release or new commits, and the series conflicts with at least one"},
	{ExitInterrupted, "interrupted: Ctrl-C stops the work in hand, a second Ctrl-C quits at once"},
	{ExitTerminated, "terminated: SIGTERM stops the work in hand, and bcfork exits within half a second whatever it is doing"},
}

// exitCodeList is exitCodes as lines "CODE  MEANING" after indent, the
// codes right-aligned, the meanings wrapped at width columns.
func exitCodeList(indent string, width int) string {
	var b strings.Builder
	b.Grow(len(exitCodes) * 2 * width)
	for n, e := range exitCodes {
		if n > 0 {
			b.WriteByte('\n')
		}
		start := b.Len()
		fmt.Fprintf(&b, "%s%3d ", indent, e.code)
		first := true
		for word := range strings.FieldsSeq(e.meaning) {
			if !first && b.Len()-start+1+len(word) > width {
				b.WriteByte('\n')
				start = b.Len()
				b.WriteString(indent)
				b.WriteString("    ")
			}
			first = false
			b.WriteByte(' ')
			b.WriteString(word)
		}
	}
	return b.String()
}

// exitCode maps an error to bcfork's documented exit codes.
func exitCode(err error) int {
	var (
		coder   cli.ExitCoder
		apply   *patch.ApplyError
		exec    *instance.ExitError
		check   checkProblems
		watched *newUpstreamError
	)
	switch {
	case err == nil:
		return ExitOK
	case isUsage(err):
		return ExitUsage
	case errors.As(err, new(*changedError)):
		return ExitChanged
	case errors.As(err, &watched):
		return watched.code()
	case errors.As(err, &coder):
		return coder.ExitCode()
	case errors.As(err, &exec):
		return exec.Code // instance exec: bucardo's own exit status
	case errors.As(err, &check):
		return ExitCheck
	case errors.As(err, &apply):
		return ExitConflict
	case errors.Is(err, generator.ErrModified):
		return ExitChecksum // install --from: not what the series makes of the pinned files
	case isHost(err) && errors.Is(err, install.ErrDrift):
		return ExitDrift // a target changed since install, or status found drift
	case isHost(err) && errors.As(err, new(*instance.ChangedError)):
		return ExitDrift // instance upgrade: a file changed since bcfork wrote it
	case errors.Is(err, rebase.ErrConflict), errors.Is(err, rebase.ErrUnresolved):
		return ExitConflict // a rebase stopped, or markers remain
	case errors.Is(err, upstream.ErrChecksum):
		return ExitChecksum
	case errors.Is(err, upstream.ErrInvalid):
		return ExitUsage // a malformed option
	}
	return ExitFailure
}

// message is err's text as bcfork prints it. The libraries' errors speak
// of values (a folder, a source, Force); where such a value came from a
// flag, bcfork's text names the flag.
func message(err error) string {
	msg := err.Error()
	reword := func(lib, cli string) { msg = strings.Replace(msg, lib, cli, 1) }
	var (
		se *upstream.SourceError
		rf *upstream.ReleaseFolderError
		fe *upstream.FlavorError
		me *install.ModifiedError
	)
	if errors.As(err, &se) {
		reword(se.Error(), fmt.Sprintf("reading --from %q: %v", se.Path, se.Err))
	}
	if errors.As(err, &rf) {
		reword(rf.Error(), fmt.Sprintf("folder %q holds no bucardo script; did you mean --from %s?", rf.Dir, rf.Release))
	}
	if errors.As(err, &fe) {
		reword(fe.Error(), fmt.Sprintf("flavor %s: the files come from the %s package; use --from DIR (see patches/%s/README.md)", fe.Flavor, fe.Packager(), fe.Flavor))
	}
	if errors.As(err, &me) {
		reword(me.Error(), "changed since bcfork installed it, not touching without --force: "+quoteAll(me.Paths))
	}
	if errors.Is(err, atomicfile.ErrExists) {
		reword(atomicfile.ErrExists.Error(), atomicfile.ErrExists.Error()+" (use --force to replace it)")
	}
	return msg
}

// quoteAll quotes each path and joins them with commas.
func quoteAll(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = strconv.Quote(p)
	}
	return strings.Join(q, ", ")
}

// hint gives the next step after err of the command line c, printed
// after it as "bcfork: hint: ..."; "" when there is none.
func hint(err error, c call) string {
	withCall := func(h func(error, call) string) func(error) string {
		return func(err error) string { return h(err, c) }
	}
	for _, h := range []func(error) string{seriesHint, withCall(hostHint), withCall(rebaseHint), refreshHint, withCall(upstreamHint), instanceHint} {
		if s := h(err); s != "" {
			return s
		}
	}
	return ""
}
