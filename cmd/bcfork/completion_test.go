package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// generated runs bcfork with args and returns its standard output.
func generated(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append([]string{"bcfork"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("bcfork %s: exit %d\n%s", strings.Join(args, " "), code, &stderr)
	}
	return stdout.String()
}

// TestCompletionBash runs the bash completion function on command lines,
// in a folder holding a folder and a file, and checks what it offers.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "bcfork.bash")
	require.NoError(t, os.WriteFile(script, []byte(generated(t, "completion", "bash")), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "forkdir"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rel.tar.gz"), nil, 0o644))
	for _, c := range []struct {
		line string // the words so far; the last one is being completed
		want string // COMPREPLY, one word a line, sorted
	}{
		{"bcfork gen", "generate"},
		{"bcfork un", "uninstall"},
		{"bcfork generate --fl", "--flavor"},
		{"bcfork generate --flavor ", "debian upstream"},
		{"bcfork diff --color a", "always auto"},
		{"bcfork uninstall --p", "--pristine"}, // not the hidden --purge
		{"bcfork install --from ", "forkdir"},
		{"bcfork generate --from r", "rel.tar.gz"},
		{"bcfork diff f", "forkdir"},
		{"bcfork generate --version ", ""},
		{"bcfork help st", "status"},
		{"bcfork instance ", "--help add check exec list remove upgrade"},
		{"bcfork instance add --db", "--dbhost --dbname --dbpass-file --dbport --dbuser"},
		{"bcfork instance add --dbpass-file r", "rel.tar.gz"},
		{"bcfork instance list --root ", "forkdir"},
	} {
		words := strings.Split(c.line, " ")
		shell := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bcfork; printf '%s\n' "${COMPREPLY[@]}" | sort`
		cmd := exec.Command("bash", append([]string{"-c", shell, "bash", script}, words...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		if got := strings.Join(strings.Fields(string(out)), " "); got != c.want {
			t.Errorf("%q completes to %q, want %q", c.line, got, c.want)
		}
	}
}

// TestCompletionSyntax checks the zsh and fish scripts with the shells
// themselves, where they are installed.
func TestCompletionSyntax(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			if _, err := exec.LookPath(sh); err != nil {
				t.Skipf("no %s", sh)
			}
			script := filepath.Join(t.TempDir(), "bcfork."+sh)
			require.NoError(t, os.WriteFile(script, []byte(generated(t, "completion", sh)), 0o644))
			if out, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, out)
			}
		})
	}
}

// The completion scripts and the man page know every visible command and
// flag, since they are generated from their definitions.
func TestDocsCoverCommands(t *testing.T) {
	docs := map[string]string{"man": generated(t, "man")}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		docs[sh] = generated(t, "completion", sh)
	}
	for _, c := range commandDocs(newApp(nil, nil)) {
		for name, doc := range docs {
			words := strings.Fields(c.name)
			if !strings.Contains(doc, words[len(words)-1]) {
				t.Errorf("%s lacks command %s", name, c.name)
			}
			for _, f := range c.flags {
				long := f.long
				if name == "man" {
					long = roffEscape("--" + f.long)
				}
				if !strings.Contains(doc, long) {
					t.Errorf("%s lacks %s --%s", name, c.name, f.long)
				}
			}
		}
	}
}

// TestManRenders checks the page with groff's warnings on, where groff is.
func TestManRenders(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("no groff")
	}
	cmd := exec.Command("groff", "-man", "-ww", "-z")
	cmd.Stdin = strings.NewReader(generated(t, "man"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
}
