package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// call is the command line that failed, for hints: they name only flags
// its command has, and give commands that work as typed.
type call struct {
	app  *cli.App
	cmd  *cli.Command // nil when the arguments name no command
	path string       // the command's name, with its parent's: "generate", "instance add"
	args []string     // the arguments after the command's name
}

// newCall reads args (as os.Args, "bcfork" first) against app's commands.
// A command is always the first argument (bcfork has no global flags but
// --help and --version), a subcommand the second.
func newCall(app *cli.App, args []string) call {
	c := call{app: app}
	if len(args) < 2 || app.Command(args[1]) == nil {
		return c
	}
	c.cmd, c.path, c.args = app.Command(args[1]), args[1], args[2:]
	if len(args) > 2 && c.cmd.Command(args[2]) != nil {
		c.cmd, c.path, c.args = c.cmd.Command(args[2]), args[1]+" "+args[2], args[3:]
	}
	return c
}

// name is the command's name, with its parent's; "" for none.
func (c call) name() string { return c.path }

// flag returns the command's flag with name (or alias) name, nil if none.
func (c call) flag(name string) cli.Flag {
	if c.cmd == nil {
		return nil
	}
	for _, f := range c.cmd.Flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// has reports whether the command has flag name.
func (c call) has(name string) bool { return c.flag(name) != nil }

// value returns the last value given to flag name on the command line
// (--name V, --name=V, -name V), "" if none.
func (c call) value(name string) string {
	v := ""
	c.walk(func(f cli.Flag, arg []string) {
		if f != nil && slices.Contains(f.Names(), name) && len(arg) == 2 {
			v = arg[1]
		}
	})
	return v
}

// line is the command line again, as a shell command: without the flags
// named in drop (with their values), then the arguments add.
func (c call) line(drop []string, add ...string) string {
	out := append([]string{"bcfork"}, strings.Fields(c.name())...)
	c.walk(func(f cli.Flag, arg []string) {
		if f == nil || !slices.ContainsFunc(f.Names(), func(n string) bool { return slices.Contains(drop, n) }) {
			out = append(out, arg...)
		}
	})
	return shellJoin(append(out, add...))
}

// walk calls fn with each argument of the command line: a flag with its
// value (--name V is one, as is --name=V), or a lone argument (f nil).
func (c call) walk(fn func(f cli.Flag, arg []string)) {
	for i := 0; i < len(c.args); i++ {
		a := c.args[i]
		name, value, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := c.flag(name)
		switch {
		case !strings.HasPrefix(a, "-") || a == "-" || f == nil:
			fn(nil, []string{a})
		case inline:
			fn(f, []string{"--" + name, value})
		case takesValue(f) && i+1 < len(c.args):
			fn(f, []string{"--" + name, c.args[i+1]})
			i++
		default:
			fn(f, []string{"--" + name})
		}
	}
}

// takesValue reports whether flag f takes a value: all but the booleans.
func takesValue(f cli.Flag) bool {
	return !isBool(f)
}

// commandsWith lists the commands that have flag name.
func commandsWith(app *cli.App, name string) []string {
	var out []string
	for _, cmd := range app.Commands {
		if (call{cmd: cmd, path: cmd.Name}).has(name) {
			out = append(out, cmd.Name)
		}
	}
	return out
}
