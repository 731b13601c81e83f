package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// undefinedFlag is the start of the flag package's error for a flag the
// command does not have: "flag provided but not defined: -name".
const undefinedFlag = "flag provided but not defined: -"

// flagHint is the hint after a flag error of command cmd, named path
// ("generate", "instance add"; nil and "": bcfork's own flags): for a flag
// it does not have, the commands that have it, or the nearest flag it
// has; then where its options are listed.
func flagHint(app *cli.App, cmd *cli.Command, path string, err error) string {
	help := "bcfork --help lists the commands"
	if cmd != nil {
		help = fmt.Sprintf("bcfork %s --help lists its options", path)
	}
	name, ok := strings.CutPrefix(err.Error(), undefinedFlag)
	if !ok || cmd == nil {
		return help
	}
	name = strings.TrimLeft(name, "-")
	if others := commandsWith(app, name); len(others) > 0 {
		return fmt.Sprintf("bcfork %s has no --%s (%s %s); %s", path, name, andList(others), haveOrHas(others), help)
	}
	var names []string
	for _, f := range cmd.VisibleFlags() {
		names = append(names, f.Names()...)
	}
	if near := nearest(name, names); near != "" {
		return fmt.Sprintf("did you mean --%s? %s", near, help)
	}
	return help
}

// commandHint is the hint after an unknown command: the nearest one, if
// any is near, and where the commands are listed.
func commandHint(app *cli.App, name string) string {
	var names []string
	for _, cmd := range app.VisibleCommands() {
		names = append(names, cmd.Name)
	}
	if near := nearest(name, names); near != "" {
		return fmt.Sprintf("did you mean bcfork %s? bcfork --help lists the commands", near)
	}
	return "bcfork --help lists the commands"
}

// subcommandHint is the hint after an unknown subcommand of cmd: the
// nearest one, if any is near, and where they are listed.
func subcommandHint(cmd *cli.Command, name string) string {
	var names []string
	for _, sub := range cmd.VisibleCommands() {
		names = append(names, sub.Name)
	}
	help := fmt.Sprintf("bcfork %s --help lists its commands", cmd.Name)
	if near := nearest(name, names); near != "" {
		return fmt.Sprintf("did you mean bcfork %s %s? %s", cmd.Name, near, help)
	}
	return help
}

// nearest returns the name in names that word most likely misspells: the
// only one it is a prefix of (three letters at least), else the one at the
// smallest edit distance, if that is at most a third of word's length
// (at least 1); "" if none is near.
func nearest(word string, names []string) string {
	var prefixed []string
	for _, n := range names {
		if len(word) >= 3 && strings.HasPrefix(n, word) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", max(1, len(word)/3)+1
	for _, n := range names {
		if d := editDistance(word, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// andList joins words as "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func haveOrHas(words []string) string {
	if len(words) == 1 {
		return "has it"
	}
	return "have it"
}
