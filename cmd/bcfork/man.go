package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

func manCommand() *cli.Command {
	var app *cli.App
	return &cli.Command{
		Name:      "man",
		Hidden:    true,
		Usage:     "print the manual page bcfork(1), in roff",
		UsageText: "bcfork man > bcfork.1",
		Description: `Prints the manual page, generated from bcfork's commands, their help and
flags; make install puts it in share/man/man1/bcfork.1. Read it without
installing: bcfork man | man -l -`,
		Before: func(c *cli.Context) error { app = c.App; return noArguments(c) },
		Action: action(func(_ context.Context, stdout, _ io.Writer) error {
			writeMan(stdout, app)
			return nil
		}),
	}
}

// manEnv lists the environment variables that no flag names.
var manEnv = []struct{ name, what string }{
	{"BCFORK_GITHUB_TOKEN, GITHUB_TOKEN", "a GitHub token, sent to the GitHub API (60 requests an hour without one, 5000 with)"},
	{"BCFORK_CACHE_DIR", "the cache folder; default $XDG_CACHE_HOME/bcfork, else ~/.cache/bcfork"},
	{"NO_COLOR", "set: bcfork diff does not colour its output on a terminal"},
}

// writeMan writes the manual page of app: name, synopsis, description,
// each command with its help and flags, exit status, environment, files.
func writeMan(w io.Writer, app *cli.App) {
	fmt.Fprintf(w, ".TH BCFORK 1 \"\" \"bcfork %s\" \"User Commands\"\n", roffEscape(app.Version))
	fmt.Fprintf(w, ".SH NAME\nbcfork \\- %s\n", roffEscape(app.Usage))
	fmt.Fprint(w, ".SH SYNOPSIS\n.nf\n\\fBbcfork\\fR \\fICOMMAND\\fR [\\fIoptions\\fR]\n\\fBbcfork help\\fR \\fICOMMAND\\fR\n\\fBbcfork \\-\\-version\\fR\n.fi\n")
	fmt.Fprint(w, ".SH DESCRIPTION\n")
	writeText(w, appIntro)
	fmt.Fprint(w, ".SH COMMANDS\n")
	var env []string // NAME, then what it does, by pairs
	for _, c := range commandDocs(app) {
		writeManCommand(w, c)
		for _, f := range c.flags {
			for _, e := range f.env {
				if !slices.Contains(env, e) {
					env = append(env, e, "the default of --"+f.long)
				}
			}
		}
	}
	fmt.Fprint(w, ".SH \"EXIT STATUS\"\n")
	for _, e := range exitCodes {
		fmt.Fprintf(w, ".TP\n%d\n%s\n", e.code, roffEscape(e.meaning))
	}
	fmt.Fprint(w, ".SH ENVIRONMENT\n")
	for i := 0; i < len(env); i += 2 {
		fmt.Fprintf(w, ".TP\n%s\n%s\n", roffEscape(env[i]), roffEscape(env[i+1]))
	}
	for _, e := range manEnv {
		fmt.Fprintf(w, ".TP\n%s\n%s\n", roffEscape(e.name), roffEscape(e.what))
	}
	fmt.Fprint(w, `.SH FILES
.TP
/var/lib/bcfork/receipt.json
what install did: the targets, what each held before, the fork installed
.TP
/var/lib/bcfork/backup/
the files install replaced, byte for byte, for uninstall; only the receipt
says what each is a copy of, so without it install and uninstall refuse
while backups are here
.TP
/var/lib/bcfork/lock
keeps two install or uninstall runs apart
.SH "SEE ALSO"
bucardo(1), dpkg\-divert(1), https://github.com/bucardo/bucardo
`)
}

// writeManCommand writes one command: synopsis, help, flags.
func writeManCommand(w io.Writer, c cmdDoc) {
	fmt.Fprintf(w, ".SS \"bcfork %s\"\n%s\n.PP\n.nf\n", c.name, roffEscape(c.usage))
	for _, l := range strings.Split(strings.Trim(c.usageText, "\n"), "\n") {
		fmt.Fprintf(w, "%s\n", roffEscape(l))
	}
	fmt.Fprint(w, ".fi\n")
	writeText(w, c.description)
	for _, f := range c.flags {
		fmt.Fprintf(w, ".TP\n%s\n%s%s\n", manFlag(f), roffEscape(f.usage), manDefault(f))
	}
}

// manFlag is a flag's names and placeholder, in bold and italics.
func manFlag(f flagDoc) string {
	var names []string
	for _, n := range f.names() {
		names = append(names, `\fB`+roffEscape(n)+`\fR`)
	}
	s := strings.Join(names, ", ")
	if f.placeholder != "" {
		s += ` \fI` + roffEscape(f.placeholder) + `\fR`
	}
	return s
}

func manDefault(f flagDoc) string {
	if f.def == "" || f.def == "0" {
		return ""
	}
	return " (default: " + roffEscape(f.def) + ")"
}

// writeText writes help text: paragraphs filled by roff, and indented
// lines (tables, examples) kept as they are.
func writeText(w io.Writer, text string) {
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		lines := strings.Split(block, "\n")
		fmt.Fprint(w, ".PP\n")
		indented := false
		for _, l := range lines {
			if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
				indented = true
			}
		}
		if !indented {
			fmt.Fprintf(w, "%s\n", roffEscape(strings.Join(lines, "\n")))
			continue
		}
		fmt.Fprint(w, ".nf\n")
		for _, l := range lines {
			fmt.Fprintf(w, "%s\n", roffEscape(l))
		}
		fmt.Fprint(w, ".fi\n")
	}
}

// roffEscape escapes text for roff: backslashes, dashes, and a leading
// dot or quote that roff would take for a request.
func roffEscape(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
