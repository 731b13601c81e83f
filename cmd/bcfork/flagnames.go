package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli asks a flag for its names by running a regular expression
// over its name and each alias (cli.FlagNames), and before every action
// it asks each flag of the command whether it is set, which looks up the
// flag by name among all of them (runFlagActions, Context.IsSet): 244
// regexp runs for generate, a quarter of a millisecond of every start.
// The types below are urfave/cli's own flags that work out their names
// once, when first asked, and without the regexp when no name has a comma
// or a space (then it changes nothing); every other method is the
// embedded flag's, so help, completion and parsing see the same flag.

// withNames returns flags with each bool, string, int and string-slice
// flag answering Names from a list it makes once. Hidden bool flags stay
// as they are: urfave/cli's completion recognises them by their type.
func withNames(flags []cli.Flag) []cli.Flag {
	for i, f := range flags {
		switch f := f.(type) {
		case *cli.BoolFlag:
			if !f.Hidden {
				flags[i] = &boolFlag{BoolFlag: f}
			}
		case *cli.StringFlag:
			flags[i] = &stringFlag{StringFlag: f}
		case *cli.IntFlag:
			flags[i] = &intFlag{IntFlag: f}
		case *cli.StringSliceFlag:
			flags[i] = &stringSliceFlag{StringSliceFlag: f}
		}
	}
	return flags
}

type boolFlag struct {
	*cli.BoolFlag
	names []string
}

func (f *boolFlag) Names() []string {
	if f.names == nil {
		f.names = flagNames(f.Name, f.Aliases, f.BoolFlag.Names)
	}
	return f.names
}

type stringFlag struct {
	*cli.StringFlag
	names []string
}

func (f *stringFlag) Names() []string {
	if f.names == nil {
		f.names = flagNames(f.Name, f.Aliases, f.StringFlag.Names)
	}
	return f.names
}

type intFlag struct {
	*cli.IntFlag
	names []string
}

func (f *intFlag) Names() []string {
	if f.names == nil {
		f.names = flagNames(f.Name, f.Aliases, f.IntFlag.Names)
	}
	return f.names
}

type stringSliceFlag struct {
	*cli.StringSliceFlag
	names []string
}

func (f *stringSliceFlag) Names() []string {
	if f.names == nil {
		f.names = flagNames(f.Name, f.Aliases, f.StringSliceFlag.Names)
	}
	return f.names
}

// flagNames is cli.FlagNames(name, aliases), which cuts each name at its
// first comma or space with a regexp: names without either are returned
// as they are, others are left to names, the flag's own Names.
func flagNames(name string, aliases []string, names func() []string) []string {
	if strings.ContainsAny(name, ", ") {
		return names()
	}
	for _, a := range aliases {
		if strings.ContainsAny(a, ", ") {
			return names()
		}
	}
	return append([]string{name}, aliases...)
}

// isBool reports whether f is a bool flag, which takes no value.
func isBool(f cli.Flag) bool {
	switch f.(type) {
	case *cli.BoolFlag, *boolFlag:
		return true
	}
	return false
}
