package install

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the actual output")

// TestTargetNotRegular: a target that is a symbolic link or a folder is not
// replaced (nothing changes), status names it instead of failing, and a
// target turned into one after install is drift that uninstall refuses.
func TestTargetNotRegular(t *testing.T) {
	for _, c := range []struct {
		name, kind string
		make       func(path string) error
	}{
		{"symlink", `a symbolic link to "bucardo.real"`, func(p string) error { return os.Symlink("bucardo.real", p) }},
		{"folder", "a folder", func(p string) error { return os.Mkdir(p, 0o755) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			root, o := hostWithOriginals(t)
			bin := filepath.Join(root, DefaultBin)
			require.NoError(t, os.Remove(bin))
			require.NoError(t, c.make(bin))
			before := snapshot(t, root)

			_, err := Install(ctx, writeFork(t, "5.6.0"), o)
			var nr *NotRegularError
			require.ErrorAs(t, err, &nr)
			require.ErrorIs(t, err, ErrNotRegular)
			assert.EqualError(t, err, fmt.Sprintf("%q is %s, not a regular file: bcfork replaces only regular files", bin, c.kind))
			assert.Equal(t, before, withoutState(snapshot(t, root)), "install over "+c.name)

			st, err := Status(ctx, o)
			require.NoError(t, err)
			assert.Equal(t, ContentOther, st.Targets[0].Content, "content")
			assert.Equal(t, c.kind+", not a regular file", st.Targets[0].Description, "description")
			assert.False(t, st.Drifted(), "drift without a receipt")

			require.NoError(t, os.Remove(bin))
			put(t, root, DefaultBin, origScript, 0o750)
			_, err = Install(ctx, writeFork(t, "5.6.0"), o)
			require.NoError(t, err)
			require.NoError(t, os.Remove(bin))
			require.NoError(t, c.make(bin))
			st, err = Status(ctx, o)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%q changed since install: it is now %s, not a regular file", bin, c.kind), strings.Join(st.Drift, "; "), "drift")
			_, err = Uninstall(ctx, o)
			assert.ErrorIs(t, err, ErrNotRegular, "uninstall")
			wantExists(t, filepath.Join(root, DefaultStateDir, "receipt.json"), true)
		})
	}
}

// TestOwnerDrift: a target whose owner changed since install is drift;
// install puts the owner back without --force, since the content is the fork.
func TestOwnerDrift(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file another owner")
	}
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	bin := filepath.Join(root, DefaultBin)
	require.NoError(t, os.Lchown(bin, 1234, 5678))

	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%q has owner 1234:5678, installed as 0:0", bin), strings.Join(st.Drift, "; "), "drift")
	assert.Equal(t, "1234:5678", st.Targets[0].Owner, "owner")

	res, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	assert.False(t, res.NoOp, "reinstall puts the owner back")
	st, err = Status(ctx, o)
	require.NoError(t, err)
	assert.False(t, st.Drifted(), "drift after reinstall: "+strings.Join(st.Drift, "; "))
}

// TestStatusGolden pins the JSON form of a status report (bcfork status
// --json), which monitoring reads: fields may be added, never renamed or
// removed. make golden (go test -update) rewrites testdata/status.golden
// after adding one.
func TestStatusGolden(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	put(t, root, DefaultBin, "#!/bin/sh\necho edited\n", 0o755)
	st, err := Status(ctx, o)
	require.NoError(t, err)
	data, err := json.MarshalIndent(st, "", "  ")
	require.NoError(t, err)
	got := strings.ReplaceAll(string(data), root, "$ROOT")
	got = regexp.MustCompile(`"(uid|gid)": \d+`).ReplaceAllString(got, `"$1": 0`)
	got = regexp.MustCompile(`"owner": "\d+:\d+"`).ReplaceAllString(got, `"owner": "0:0"`) + "\n"
	golden := filepath.Join("testdata", "status.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "status JSON differs from %s (make golden rewrites it)", golden)
}
