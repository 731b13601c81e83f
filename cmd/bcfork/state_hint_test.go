package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/bcfork/bcfork/instance/instancetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateCommands are the commands that read bcfork's state files, as run
// by TestStateFileHints (--root goes after the command's name).
var stateCommands = []struct {
	name string
	args []string
}{
	{"install", []string{"--from", "FORK", "--patches", "PATCHES"}},
	{"uninstall", nil},
	{"status", nil},
	{"instance add", []string{"b"}},
	{"instance check", nil},
	{"instance list", nil},
	{"instance exec", []string{"a", "--", "status"}},
	{"instance remove", []string{"a"}}, // last: it works where it reads nothing wrong
}

// TestStateFileHints runs each command that reads bcfork's state files
// (install, uninstall, status and the instance commands) with a FIFO, a
// folder or a link out of the root where the receipt, the instance
// record or the lock is. Each command that reads that file fails (exit
// 1), names it, changes nothing, and its hint says what to do about
// bcfork's own file: look at what is there and move it out of the way,
// never name other targets with --bin or --schema nor see what the
// targets hold. Each command that does not read it works.
func TestStateFileHints(t *testing.T) {
	bcfork, err := exec.LookPath("bcfork") // the test binary, set up by testscript.Main
	require.NoError(t, err)
	for _, file := range []struct {
		name    string
		hint    []string // with %q for the file's path
		readers []string // the commands that read it
	}{
		{"receipt.json", []string{
			"bcfork: hint: bcfork writes its receipt as a regular file: look at what is at %q (ls -l) and move it out of the way;\n",
			"bcfork: hint: bcfork then knows of no install: put back a copy of the receipt, or restore the targets by hand from the backups in the state folder\n",
		}, []string{"install", "uninstall", "status", "instance add", "instance check", "instance exec"}},
		{instance.RecordName, []string{
			"bcfork: hint: bcfork writes its instance record as a regular file: look at what is at %q (ls -l) and move it out of the way;\n",
			"bcfork: hint: bcfork then knows of no instance: put back a copy of the record, or remove the instances' files by hand\n",
		}, []string{"uninstall", "status", "instance add", "instance check", "instance list", "instance exec", "instance remove"}},
		{"lock", []string{
			"bcfork: hint: bcfork keeps the lock as an empty regular file, which it makes when none is there:\n",
			"bcfork: hint: with no bcfork at work, move what is at %q out of the way, then run the command again\n",
		}, []string{"install", "uninstall", "status", "instance add", "instance remove"}},
	} {
		for _, kind := range []string{"fifo", "folder", "link"} {
			t.Run(file.name+"/"+kind, func(t *testing.T) {
				h := newFakeInstanceHost(t)
				work := filepath.Dir(h.root)
				fork, patches := filepath.Join(work, "fork-again"), filepath.Join(work, "patches")
				require.NoError(t, instancetest.WriteForkAndTree(fork, patches))
				run := func(name string, args ...string) (int, string) {
					line := append(strings.Fields(name), "--root", h.root)
					for _, a := range args {
						line = append(line, strings.NewReplacer("FORK", fork, "PATCHES", patches).Replace(a))
					}
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a FIFO read would block
					defer cancel()
					cmd := exec.CommandContext(ctx, bcfork, line...)
					cmd.Env = h.env
					out, err := cmd.CombinedOutput()
					if _, ok := err.(*exec.ExitError); err != nil && !ok {
						t.Fatalf("bcfork %s: %v", strings.Join(line, " "), err)
					}
					return cmd.ProcessState.ExitCode(), string(out)
				}
				code, out := run("instance add", "a")
				require.Zero(t, code, "instance add a:\n%s", out)
				path := filepath.Join(h.root, install.DefaultStateDir, file.name)
				putInPlace(t, path, kind)
				for _, c := range stateCommands {
					before := h.tree(t)
					code, out := run(c.name, c.args...)
					if !slices.Contains(file.readers, c.name) {
						assert.Zero(t, code, "bcfork %s, which does not read %s:\n%s", c.name, file.name, out)
						continue
					}
					assert.Equal(t, ExitFailure, code, "bcfork %s: exit code:\n%s", c.name, out)
					assert.Equal(t, before, h.tree(t), "bcfork %s changed the host", c.name)
					assert.Contains(t, errorLine(out), strconv.Quote(path), "bcfork %s: the error names the %s", c.name, file.name)
					for _, w := range file.hint {
						if strings.Contains(w, "%q") {
							w = fmt.Sprintf(w, path)
						}
						assert.Contains(t, out, w, "bcfork %s: the hint", c.name)
					}
					for _, wrong := range []string{"--bin", "--schema", "what each target holds"} {
						assert.NotContains(t, out, wrong, "bcfork %s: the hint", c.name)
					}
				}
			})
		}
	}
}

// putInPlace puts a FIFO, an empty folder or a link out of the root to a
// copy of it (kind) where the file at path is, or would be.
func putInPlace(t *testing.T, path, kind string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	require.NoError(t, os.Remove(path))
	switch kind {
	case "fifo":
		require.NoError(t, syscall.Mkfifo(path, 0o644))
	case "folder":
		require.NoError(t, os.Mkdir(path, 0o755))
	case "link":
		outside := filepath.Join(t.TempDir(), filepath.Base(path))
		require.NoError(t, os.WriteFile(outside, data, 0o644))
		require.NoError(t, os.Symlink(outside, path))
	}
}

// errorLine is the first line of out that bcfork wrote as its error.
func errorLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "bcfork: ") && !strings.HasPrefix(line, "bcfork: hint: ") {
			return line
		}
	}
	return ""
}
