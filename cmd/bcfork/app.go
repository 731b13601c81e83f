package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Main runs bcfork with os.Args and returns the process exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args, os.Stdout, os.Stderr)
}

// run is Main with its inputs made explicit, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	fmt.Fprintf(stderr, "bcfork: %v\n", err)
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "bcfork: hint: %s\n", h)
	}
	return code
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:                 "bcfork",
		Usage:                "run several Bucardo daemons on one host with a reproducible fork",
		Version:              buildVersion(),
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Description:          appDescription,
		Commands:             commands(),
		// Errors are printed once, by run, with their hint and exit code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
	}
}

// commands lists bcfork's commands in the order help shows them.
func commands() []*cli.Command {
	return []*cli.Command{
		versionsCommand(),
		fetchCommand(),
		generateCommand(),
		diffCommand(),
		installCommand(),
		uninstallCommand(),
		statusCommand(),
		rebaseCommand(),
	}
}

const appDescription = `bcfork fetches the pristine bucardo script and bucardo.schema of a Bucardo
release, verifies them against pinned checksums, applies a stored patch series
that makes the name of Bucardo's config database a parameter, and installs
the result so that several Bucardo daemons can run on one host.

Exit codes:
   0  success
   1  failure
   2  usage error
   3  a patch does not apply, or a merge conflicts
   4  a checksum does not match its pin (files are not the pristine release)
   5  install, uninstall, status: a target changed since install (left alone
      without --force), the host drifted from the receipt, or an install was
      interrupted`

// buildVersion reports the module version bcfork was built from.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && v == "(devel)" {
			v += " " + s.Value
		}
	}
	return v
}

// usageError marks an error in how bcfork was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}
