package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/bcfork/bcfork/internal/catalog"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Main runs bcfork with os.Args and returns the process exit code. The
// first SIGINT or SIGTERM stops the work in hand; a second SIGINT, or a
// SIGTERM left unanswered, ends the process (see withSignals).
func Main() int {
	crashOnFatal()
	return withSignals(func(ctx context.Context) int {
		return run(ctx, os.Args, os.Stdout, os.Stderr)
	}, os.Stderr, os.Exit)
}

// run is Main with its inputs made explicit, for tests. A panic is an
// internal error: it exits 1, never 2, with a hint to report it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			code = internalError(stderr, r)
		}
	}()
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return ExitOK
	}
	code = exitCode(err)
	fmt.Fprintf(stderr, "bcfork: %s\n", printable(message(err)))
	c := newCall(app, args)
	h := hint(err, c)
	if h == "" && code == ExitUsage {
		h = usageHint(err, c)
	}
	for _, line := range strings.Split(h, "\n") {
		if line != "" {
			fmt.Fprintf(stderr, "bcfork: hint: %s\n", printable(line))
		}
	}
	return code
}

// crashOnFatal makes a crash of the Go runtime itself (out of memory),
// which would exit 2 like a usage error, abort with SIGABRT instead.
func crashOnFatal() { debug.SetTraceback("crash") }

// internalError reports a panic, a bug in bcfork, and returns ExitFailure.
func internalError(stderr io.Writer, r any) int {
	fmt.Fprintf(stderr, "bcfork: internal error: %v\n", r)
	fmt.Fprintf(stderr, "bcfork: hint: this is a bug in bcfork %s: please report it with the command you ran and what follows\n%s", buildVersion(), debug.Stack())
	return ExitFailure
}

// usageHint is the usage error's own hint, else a pointer at the help of
// the command c ran, else at bcfork's.
func usageHint(err error, c call) string {
	var (
		u   usageError
		amb *catalog.AmbiguousError
	)
	switch {
	case errors.As(err, &u) && u.hint != "":
		return u.hint
	case errors.As(err, &amb):
		return ambiguousHint(amb, c)
	case c.cmd != nil:
		return fmt.Sprintf("bcfork %s --help lists its options", c.name())
	}
	return "bcfork --help lists the commands"
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:                 "bcfork",
		Usage:                "run several Bucardo daemons on one host with a reproducible fork",
		Version:              buildVersion(),
		HideVersion:          true, // --version is bcfork's own: it prints the series too
		Flags:                []cli.Flag{versionFlag},
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Description:          appDescription(),
		Commands:             commands(),
		Action:               runNoCommand,
		// Errors are printed once, by run, with their hint and exit code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
	}
}

// onUsageError turns urfave/cli's flag errors into usage errors, which run
// prints once with a hint (the nearest flag, or the commands that have
// it), without a page of help.
func onUsageError(c *cli.Context, err error, _ bool) error {
	path, sub := strings.CutPrefix(c.Command.HelpName, c.App.Name+" ")
	if !sub {
		return usageError{err: err, hint: flagHint(c.App, nil, "", err)} // bcfork's own flags
	}
	return usageError{err: err, hint: flagHint(c.App, c.Command, path, err)}
}

// runNoCommand is bcfork without a known command: help for "bcfork" and
// "bcfork help [COMMAND]", a usage error for anything else.
func runNoCommand(c *cli.Context) error {
	args := c.Args().Slice()
	switch {
	case c.Bool(versionFlag.Name) && len(args) == 0:
		return printVersion(c.App.Writer)
	case len(args) == 0, len(args) == 1 && args[0] == "help":
		return cli.ShowAppHelp(c)
	case args[0] != "help":
		return usageError{err: fmt.Errorf("unknown command %q", args[0]), hint: commandHint(c.App, args[0])}
	case len(args) > 2:
		return usagef("help takes one command, got %q", args[1:])
	case c.App.Command(args[1]) == nil:
		return usageError{err: fmt.Errorf("unknown command %q", args[1]), hint: commandHint(c.App, args[1])}
	}
	return cli.ShowCommandHelp(c, args[1])
}

// commands lists bcfork's commands in the order help shows them.
func commands() []*cli.Command {
	cmds := []*cli.Command{
		versionsCommand(),
		fetchCommand(),
		generateCommand(),
		diffCommand(),
		installCommand(),
		uninstallCommand(),
		statusCommand(),
		rebaseCommand(),
		refreshCommand(),
		lintCommand(),
		watchCommand(),
		instanceCommand(),
		completionCommand(),
		manCommand(),
	}
	for _, cmd := range cmds {
		cmd.Flags = withNames(cmd.Flags)
		cmd.OnUsageError = onUsageError
		cmd.HideHelpCommand = true // "bcfork help COMMAND" is the help command
		if len(cmd.Subcommands) == 0 && cmd.Before == nil {
			cmd.Before = noArguments // flags only, unless the command checks its arguments
		}
		for _, sub := range cmd.Subcommands {
			sub.Flags = withNames(sub.Flags)
			sub.OnUsageError = onUsageError
			if sub.Before == nil {
				sub.Before = noArguments // those that take NAME check it themselves
			}
		}
	}
	return cmds
}

// action adapts run, which takes its inputs explicitly, to urfave/cli:
// run's options are bound to the command's flags, so it gets only what the
// flags do not carry.
func action(run func(ctx context.Context, stdout, stderr io.Writer) error) cli.ActionFunc {
	return func(c *cli.Context) error { return run(c.Context, c.App.Writer, c.App.ErrWriter) }
}

// noArguments refuses positional arguments, which no command takes but
// the instance commands that name an instance.
func noArguments(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("%s takes no arguments, got %q", c.Command.Name, c.Args().Slice())
	}
	return nil
}

// appDescription is the text of bcfork --help, the exit codes included.
func appDescription() string {
	return appIntro + "\n\nExit codes:\n" + exitCodeList("   ", 78) + "\n\ninstance exec exits with bucardo's own exit status.\n\n" + appCrashes
}

const appCrashes = `An internal error (a bug in bcfork) exits 1 and says "internal error"; a
crash of the Go runtime itself (out of memory) aborts with SIGABRT: neither
ever exits 2. An install or uninstall cut short by a signal leaves each
target whole, old or new: run it again to finish it.`

const appIntro = `bcfork fetches the pristine bucardo script and bucardo.schema of a Bucardo
release, verifies them against pinned checksums, applies a stored patch series
that makes the name of Bucardo's config database a parameter, and installs
the result so that several Bucardo daemons can run on one host.

Run "bcfork COMMAND --help" (or "bcfork help COMMAND") for a command's options.`

// versionFlag is bcfork --version.
var versionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version, the built-in series and their pins"}

// usageError marks an error in how bcfork was called, with a hint when
// it knows a better one than the command's help.
type usageError struct {
	err  error
	hint string
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}
