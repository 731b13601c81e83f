package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// Exit codes, documented in the help text (exitCodes).
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitConflict = 3
	ExitChecksum = 4
	ExitDrift    = 5
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
	{ExitDrift, "install, uninstall, status: a target changed since install (left alone without --force), the host drifted from the receipt, or an install was interrupted"},
}

// exitCodeList is exitCodes as lines "CODE  MEANING" after indent, the
// meanings wrapped at width columns.
func exitCodeList(indent string, width int) string {
	var lines []string
	for _, e := range exitCodes {
		line := fmt.Sprintf("%s%d ", indent, e.code)
		for i, word := range strings.Fields(e.meaning) {
			if i > 0 && len(line)+1+len(word) > width {
				lines = append(lines, line)
				line = indent + "  "
			}
			line += " " + word
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// exitCode maps an error to bcfork's documented exit codes.
func exitCode(err error) int {
	var (
		coder cli.ExitCoder
		apply *patch.ApplyError
	)
	switch {
	case err == nil:
		return ExitOK
	case isUsage(err):
		return ExitUsage
	case errors.As(err, &coder):
		return coder.ExitCode()
	case errors.As(err, &apply):
		return ExitConflict
	case isHost(err) && errors.Is(err, install.ErrDrift):
		return ExitDrift // a target changed since install, or status found drift
	case errors.Is(err, rebase.ErrConflict), errors.Is(err, rebase.ErrUnresolved):
		return ExitConflict // a rebase stopped, or markers remain
	case errors.Is(err, upstream.ErrChecksum):
		return ExitChecksum
	case errors.Is(err, upstream.ErrInvalid):
		return ExitUsage // a malformed option
	}
	return ExitFailure
}

// hint gives the next step after err, printed after it as "bcfork: hint: ...";
// "" when there is none.
func hint(err error) string {
	for _, h := range []func(error) string{seriesHint, hostHint, rebaseHint, upstreamHint} {
		if s := h(err); s != "" {
			return s
		}
	}
	return ""
}
