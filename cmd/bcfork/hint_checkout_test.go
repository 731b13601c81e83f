package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckoutHintsRunAsTyped reads, with each command that takes --from
// and --allow-unpinned, a folder whose script says 5.6.0 but whose files
// are of no series (a checkout of master at a commit not pinned), in a
// patches tree with one master series and in one with two. Each command
// quoted in the hint is then run as typed, and must succeed: with two
// master-* series, --version master is refused as ambiguous, and with one
// it names a series whose pins the files fail as well, so only fetch,
// which takes master as a label, may be offered it.
func TestCheckoutHintsRunAsTyped(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "bucardo"), []byte("#!/usr/bin/env perl\n# a checkout of master\npackage bucardo;\nour $VERSION = '5.6.0';\n1;\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "bucardo.schema"), []byte("-- a checkout of master\n"), 0o644))
	app := newApp(nil, nil)
	for name, series := range map[string][]string{"one master series": nil, "two master series": {"master-1a2b3c4"}} {
		t.Run(name, func(t *testing.T) {
			tree := masterTree(t, series...)
			var ran []string
			for _, cmd := range app.Commands {
				c := call{app: app, cmd: cmd, path: cmd.Name}
				if !c.has("from") || !c.has("allow-unpinned") || cmd.Name == "rebase" || cmd.Name == "install" {
					continue // rebase takes two sources, install a fork folder
				}
				ran = append(ran, cmd.Name)
				args := []string{"bcfork", cmd.Name, "--from", src, "--patches", tree, "--no-cache"}
				if c.has("out") {
					args = append(args, "--out", filepath.Join(t.TempDir(), "out"))
				}
				var stdout, stderr bytes.Buffer
				require.Equal(t, ExitChecksum, run(context.Background(), args, &stdout, &stderr), "%s: stderr:\n%s", cmd.Name, &stderr)
				lines := quotedCommand.FindAllStringSubmatch(stderr.String(), -1)
				require.NotEmpty(t, lines, "%s: no command in the hint:\n%s", cmd.Name, &stderr)
				for _, m := range lines {
					for _, line := range strings.Split(m[1], " && ") {
						var out, errOut bytes.Buffer
						code := run(context.Background(), strings.Fields(line), &out, &errOut)
						require.Zero(t, code, "%s: the hint's `%s`: stderr:\n%s", cmd.Name, line, &errOut)
					}
				}
			}
			require.Subset(t, ran, []string{"fetch", "generate", "diff"})
		})
	}
}

// masterTree copies the patches tree and adds the series extra, each a
// copy of master-d9919c8 pinned to another commit.
func masterTree(t *testing.T, extra ...string) string {
	t.Helper()
	tree := t.TempDir()
	up := filepath.Join(tree, "upstream")
	require.NoError(t, os.CopyFS(up, os.DirFS(filepath.Join(patchesDir, "upstream"))))
	for _, s := range extra {
		dir := filepath.Join(up, s)
		require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join(up, "master-d9919c8"))))
		commit := strings.TrimPrefix(s, "master-")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "commit"), []byte(commit+strings.Repeat("0", 40-len(commit))+"\n"), 0o644))
	}
	return tree
}
