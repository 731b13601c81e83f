package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// Exit codes, documented in the help text.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitConflict = 3
	ExitChecksum = 4
	ExitDrift    = 5
)

// exitCode maps an error to bcfork's documented exit codes.
func exitCode(err error) int {
	var coder cli.ExitCoder
	switch {
	case err == nil:
		return ExitOK
	case isUsage(err):
		return ExitUsage
	case errors.As(err, &coder):
		return coder.ExitCode()
	}
	for _, m := range exitMappers {
		if code := m(err); code != 0 {
			return code
		}
	}
	return ExitFailure
}

// exitMappers let each package's errors pick their exit code; see errors_*.go.
var exitMappers []func(error) int

// hints give the next step for an error, printed after it as "bcfork: hint: ...".
var hinters []func(error) string

func hint(err error) string {
	for _, h := range hinters {
		if s := h(err); s != "" {
			return s
		}
	}
	return ""
}
