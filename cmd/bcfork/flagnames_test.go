package main

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// flagNames gives what cli.FlagNames gives, with and without commas and
// spaces in the names.
func TestFlagNamesAsUrfave(t *testing.T) {
	for _, c := range []struct {
		name    string
		aliases []string
	}{
		{"from", nil},
		{"version", []string{"v"}},
		{"a, b", nil},
		{"a", []string{"b c", "d"}},
		{"a,b", []string{"x\ny, z"}},
		{"", []string{""}},
	} {
		want := cli.FlagNames(c.name, c.aliases)
		got := flagNames(c.name, c.aliases, func() []string { return cli.FlagNames(c.name, c.aliases) })
		if !slices.Equal(got, want) {
			t.Errorf("flagNames(%q, %q) = %q, want %q", c.name, c.aliases, got, want)
		}
	}
}

// Every flag of every command has the names urfave/cli would give it,
// and all but hidden bool flags answer them from the cache.
func TestCommandFlagNames(t *testing.T) {
	check := func(path string, flags []cli.Flag) {
		for _, f := range flags {
			var want []string
			switch f := f.(type) {
			case *boolFlag:
				want = f.BoolFlag.Names()
			case *stringFlag:
				want = f.StringFlag.Names()
			case *intFlag:
				want = f.IntFlag.Names()
			case *stringSliceFlag:
				want = f.StringSliceFlag.Names()
			case *cli.BoolFlag:
				if !f.Hidden {
					t.Errorf("%s: bool flag %q is not wrapped", path, f.Name)
				}
				continue
			default:
				t.Errorf("%s: flag %q of type %T is not wrapped", path, f.Names(), f)
				continue
			}
			if got := f.Names(); !slices.Equal(got, want) {
				t.Errorf("%s: flag names %q, want %q", path, got, want)
			}
		}
	}
	for _, cmd := range newApp(nil, nil).Commands {
		check(cmd.Name, cmd.Flags)
		for _, sub := range cmd.Subcommands {
			check(cmd.Name+" "+sub.Name, sub.Flags)
		}
	}
}
