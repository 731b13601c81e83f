package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patches"
	"github.com/urfave/cli/v2"
)

// completionOptions are the argument of bcfork completion.
type completionOptions struct {
	shell string
	app   *cli.App
}

func completionCommand() *cli.Command {
	var o completionOptions
	return &cli.Command{
		Name:      "completion",
		Hidden:    true,
		Usage:     "print a shell completion script for bash, zsh or fish",
		UsageText: "bcfork completion bash|zsh|fish",
		ArgsUsage: "SHELL",
		Description: `Prints a completion script generated from bcfork's commands and flags:
commands, their flags, the values of --flavor and --color, files and folders
for the flags that take them. make install puts them where the shells look:

   bash  share/bash-completion/completions/bcfork
   zsh   share/zsh/site-functions/_bcfork
   fish  share/fish/vendor_completions.d/bcfork.fish

Or load one by hand: source <(bcfork completion bash).`,
		Before: o.takeShell,
		Action: action(o.run),
	}
}

// shells maps each shell to the writer of its script.
var shells = map[string]func(io.Writer, []cmdDoc){"bash": writeBash, "zsh": writeZsh, "fish": writeFish}

// takeShell takes the one argument, a shell, and the app to describe.
func (o *completionOptions) takeShell(c *cli.Context) error {
	o.app = c.App
	if c.NArg() != 1 || shells[c.Args().First()] == nil {
		return usagef("completion takes one shell: bash, zsh or fish")
	}
	o.shell = c.Args().First()
	return nil
}

func (o *completionOptions) run(_ context.Context, stdout, _ io.Writer) error {
	shells[o.shell](stdout, commandDocs(o.app))
	return nil
}

// cmdDoc is a command as the completion scripts and the man page see it.
type cmdDoc struct {
	name        string // with its parent's: "generate", "instance add"
	usage       string
	usageText   string
	description string
	args        string   // what it takes besides flags: "DIR" (folders), "NAME"; "" for none
	subs        []string // its subcommands, for a command that has some
	flags       []flagDoc
}

// flagDoc is a flag as the completion scripts and the man page see it.
type flagDoc struct {
	long, short string   // names without dashes; short may be ""
	usage       string   // the usage, its placeholder unquoted
	placeholder string   // the value's name ("DIR", "V"); "" for a flag without value
	values      []string // the values it takes, when they are few
	def         string   // default, if any
	env         []string
}

// kind says what a flag's value is: "dir", "file", "word" or "" (none).
func (f flagDoc) kind() string {
	switch {
	case f.placeholder == "":
		return ""
	case f.placeholder == "DIR":
		return "dir"
	case f.placeholder == "PATH", f.placeholder == "FILE":
		return "file"
	}
	return "word"
}

// commandDocs lists app's visible commands with their visible flags, each
// command followed by its subcommands.
func commandDocs(app *cli.App) []cmdDoc {
	var out []cmdDoc
	for _, c := range app.VisibleCommands() {
		d := commandDoc(c, c.Name)
		for _, sub := range c.VisibleCommands() {
			d.subs = append(d.subs, sub.Name)
		}
		out = append(out, d)
		for _, sub := range c.VisibleCommands() {
			out = append(out, commandDoc(sub, c.Name+" "+sub.Name))
		}
	}
	return out
}

// commandDoc is command c, named name.
func commandDoc(c *cli.Command, name string) cmdDoc {
	d := cmdDoc{name: name, usage: c.Usage, usageText: c.UsageText, description: c.Description}
	switch {
	case name == "diff":
		d.args = "DIR"
	case strings.Contains(c.UsageText, " NAME"):
		d.args = "NAME"
	}
	for _, f := range c.VisibleFlags() {
		if fd, ok := describeFlag(f); ok {
			d.flags = append(d.flags, fd)
		}
	}
	return d
}

// top reports whether c is a command of bcfork itself, not a subcommand.
func (c cmdDoc) top() bool { return !strings.Contains(c.name, " ") }

// flagValues are the values of the flags that take one of a few.
var flagValues = map[string]func() []string{
	"flavor": func() []string { fl, _ := catalog.New(patches.FS).Flavors(); return fl },
	"color":  func() []string { return []string{"auto", "always", "never"} },
}

func describeFlag(f cli.Flag) (flagDoc, bool) {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok || slices.Contains(f.Names(), "help") {
		return flagDoc{}, false
	}
	d := flagDoc{env: df.GetEnvVars()}
	for _, n := range f.Names() {
		if len(n) == 1 {
			d.short = n
		} else if d.long == "" {
			d.long = n
		}
	}
	d.placeholder, d.usage = unquote(df.GetUsage())
	if df.TakesValue() {
		if d.placeholder == "" {
			d.placeholder = "VALUE"
		}
		d.def = df.GetValue()
		if values := flagValues[d.long]; values != nil {
			d.values = values()
		}
	}
	return d, true
}

// unquote returns the placeholder a usage marks `like this`, and the usage
// without the marks.
func unquote(usage string) (string, string) {
	before, rest, ok := strings.Cut(usage, "`")
	if !ok {
		return "", usage
	}
	name, after, ok := strings.Cut(rest, "`")
	if !ok {
		return "", usage
	}
	return name, before + name + after
}

// names is the flag's names with dashes, long first.
func (f flagDoc) names() []string {
	out := []string{"--" + f.long}
	if f.short != "" {
		out = append(out, "-"+f.short)
	}
	return out
}

// topNames lists the names of bcfork's own commands.
func topNames(cmds []cmdDoc) []string {
	var names []string
	for _, c := range cmds {
		if c.top() {
			names = append(names, c.name)
		}
	}
	return names
}

func writeBash(w io.Writer, cmds []cmdDoc) {
	names := strings.Join(topNames(cmds), " ")
	fmt.Fprintf(w, `# bash completion for bcfork; generated by "bcfork completion bash"

_bcfork() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "%s help --help --version" -- "$cur")
        return
    fi
    case $cmd in
`, names)
	for _, c := range cmds {
		if c.subs != nil {
			fmt.Fprintf(w, `    %s)
        if ((COMP_CWORD == 2)); then
            mapfile -t COMPREPLY < <(compgen -W "%s --help" -- "$cur")
            return
        fi
        cmd+=" ${COMP_WORDS[2]}"
        ;;
`, c.name, strings.Join(c.subs, " "))
		}
	}
	fmt.Fprint(w, "    esac\n    case $cmd in\n")
	for _, c := range cmds {
		if c.subs != nil {
			continue
		}
		fmt.Fprintf(w, "    %q)\n        case $prev in\n", c.name)
		var flags []string
		for _, f := range c.flags {
			flags = append(flags, f.names()[0])
			if f.kind() != "" {
				fmt.Fprintf(w, "        %s) _bcfork_value %s; return ;;\n", strings.Join(f.names(), "|"), bashValue(f))
			}
		}
		fmt.Fprintf(w, "        esac\n        _bcfork_args %q %q\n        ;;\n", strings.Join(append(flags, "--help"), " "), c.args)
	}
	fmt.Fprintf(w, `    help)
        ((COMP_CWORD == 2)) && mapfile -t COMPREPLY < <(compgen -W "%s" -- "$cur")
        ;;
    esac
}

# _bcfork_value KIND [WORD...]: complete the value of a flag: a folder,
# a file, one of the words, or nothing (any word).
_bcfork_value() {
    case $1 in
    dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    words) shift; mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur") ;;
    esac
}

# _bcfork_args FLAGS ARGS: complete a flag, else an argument: folders for
# DIR, nothing for a NAME or when the command takes none.
_bcfork_args() {
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
    elif [[ $2 == DIR ]]; then
        _bcfork_value dir
    fi
}

complete -F _bcfork bcfork
`, names)
}

// bashValue is the _bcfork_value arguments for flag f.
func bashValue(f flagDoc) string {
	switch {
	case f.values != nil:
		return "words " + strings.Join(f.values, " ")
	case f.kind() == "word":
		return "word"
	}
	return f.kind()
}

func writeZsh(w io.Writer, cmds []cmdDoc) {
	fmt.Fprint(w, `#compdef bcfork
# zsh completion for bcfork; generated by "bcfork completion zsh"

_bcfork() {
  local -a commands subcommands
  commands=(
`)
	for _, c := range cmds {
		if c.top() {
			fmt.Fprintf(w, "    %s\n", zshQuote(c.name+":"+c.usage))
		}
	}
	fmt.Fprintf(w, `  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'bcfork command' commands
    _arguments '(- *)--help[show help]' '(- *)'{-v,--version}%s
    return
  fi
  local cmd=${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
`, zshQuote("["+zshEscape(versionFlag.Usage)+"]"))
	for _, c := range cmds {
		if c.subs == nil {
			continue
		}
		fmt.Fprintf(w, "  %s)\n    subcommands=(\n", c.name)
		for _, sub := range cmds {
			if rest, ok := strings.CutPrefix(sub.name, c.name+" "); ok {
				fmt.Fprintf(w, "      %s\n", zshQuote(rest+":"+sub.usage))
			}
		}
		fmt.Fprintf(w, `    )
    if (( CURRENT == 2 )); then
      _describe -t commands 'bcfork %s command' subcommands
      return
    fi
    cmd+=" ${words[2]}"
    shift words
    (( CURRENT-- ))
    ;;
`, c.name)
	}
	fmt.Fprint(w, "  esac\n  case $cmd in\n")
	for _, c := range cmds {
		if c.subs != nil {
			continue
		}
		fmt.Fprintf(w, "  %s)\n    _arguments -s \\\n", zshQuote(c.name))
		for _, f := range c.flags {
			fmt.Fprintf(w, "      %s \\\n", zshSpec(f))
		}
		if c.args == "DIR" {
			fmt.Fprint(w, "      '::fork folder:_files -/' \\\n")
		}
		fmt.Fprint(w, "      '(- *)--help[show help]'\n    ;;\n")
	}
	fmt.Fprint(w, `  help)
    _describe -t commands 'bcfork command' commands
    ;;
  esac
}

if [[ $funcstack[1] == _bcfork ]]; then
  _bcfork "$@"
else
  compdef _bcfork bcfork
fi
`)
}

// zshSpec is flag f as an _arguments spec.
func zshSpec(f flagDoc) string {
	desc := "[" + zshEscape(f.usage) + "]"
	var spec string
	if f.short != "" {
		spec = fmt.Sprintf("'(-%s --%s)'{-%s,--%s}%s", f.short, f.long, f.short, f.long, zshQuote(desc))
	} else {
		spec = zshQuote("--" + f.long + desc)
	}
	switch {
	case f.values != nil:
		return spec + zshQuote(":"+f.placeholder+":("+strings.Join(f.values, " ")+")")
	case f.kind() == "dir":
		return spec + zshQuote(":"+f.placeholder+":_files -/")
	case f.kind() == "file":
		return spec + zshQuote(":"+f.placeholder+":_files")
	case f.kind() == "word":
		return spec + zshQuote(":"+f.placeholder+": ")
	}
	return spec
}

// zshEscape escapes what _arguments reads in a description.
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

// zshQuote quotes s for zsh in single quotes.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeFish(w io.Writer, cmds []cmdDoc) {
	fmt.Fprintf(w, `# fish completion for bcfork; generated by "bcfork completion fish"

complete -c bcfork -f
complete -c bcfork -n __fish_use_subcommand -l help -s h -d 'show help'
complete -c bcfork -n __fish_use_subcommand -l version -s v -d %s
complete -c bcfork -n __fish_use_subcommand -a help -d 'show the help of a command'
`, fishQuote(versionFlag.Usage))
	subs := map[string][]string{}
	for _, c := range cmds {
		subs[c.name] = c.subs
	}
	for _, c := range cmds {
		parent, sub, isSub := strings.Cut(c.name, " ")
		cond := "__fish_seen_subcommand_from " + c.name
		switch {
		case isSub:
			fmt.Fprintf(w, "complete -c bcfork -n %s -a %s -d %s\n",
				fishQuote("__fish_seen_subcommand_from "+parent+"; and not __fish_seen_subcommand_from "+strings.Join(subs[parent], " ")), sub, fishQuote(c.usage))
			cond = "__fish_seen_subcommand_from " + parent + "; and __fish_seen_subcommand_from " + sub
		default:
			fmt.Fprintf(w, "\ncomplete -c bcfork -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.usage))
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c bcfork -n %s -l %s", fishQuote(cond), f.long)
			if f.short != "" {
				line += " -s " + f.short
			}
			switch {
			case f.values != nil:
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			case f.kind() == "dir":
				line += " -x -a '(__fish_complete_directories)'"
			case f.kind() == "file":
				line += " -r -F"
			case f.kind() == "word":
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.usage))
		}
		if c.args == "DIR" {
			fmt.Fprintf(w, "complete -c bcfork -n %s -x -a '(__fish_complete_directories)'\n", fishQuote(cond))
		}
	}
	fmt.Fprintf(w, "\ncomplete -c bcfork -n '__fish_seen_subcommand_from help' -x -a %s\n", fishQuote(strings.Join(topNames(cmds), " ")))
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
