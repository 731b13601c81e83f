package install

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
			must(t, os.Remove(bin))
			must(t, c.make(bin))
			before := snapshot(t, root)

			_, err := Install(ctx, writeFork(t, "5.6.0"), o)
			var nr *NotRegularError
			if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) {
				t.Fatalf("install over %s: %v", c.name, err)
			}
			eq(t, err.Error(), fmt.Sprintf("%q is %s, not a regular file: bcfork replaces only regular files", bin, c.kind), "message")
			noDiff(t, before, withoutState(snapshot(t, root)), "install over "+c.name)

			st, err := Status(ctx, o)
			must(t, err)
			eq(t, st.Targets[0].Content, ContentOther, "content")
			eq(t, st.Targets[0].Description, c.kind+", not a regular file", "description")
			eq(t, st.Drifted(), false, "drift without a receipt")

			must(t, os.Remove(bin))
			put(t, root, DefaultBin, origScript, 0o750)
			_, err = Install(ctx, writeFork(t, "5.6.0"), o)
			must(t, err)
			must(t, os.Remove(bin))
			must(t, c.make(bin))
			st, err = Status(ctx, o)
			must(t, err)
			eq(t, strings.Join(st.Drift, "; "), fmt.Sprintf("%q changed since install: it is now %s, not a regular file", bin, c.kind), "drift")
			_, err = Uninstall(ctx, o)
			eq(t, errors.Is(err, ErrNotRegular), true, fmt.Sprint("uninstall: ", err))
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
	must(t, err)
	bin := filepath.Join(root, DefaultBin)
	must(t, os.Lchown(bin, 1234, 5678))

	st, err := Status(ctx, o)
	must(t, err)
	eq(t, strings.Join(st.Drift, "; "), fmt.Sprintf("%q has owner 1234:5678, installed as 0:0", bin), "drift")
	eq(t, st.Targets[0].Owner, "1234:5678", "owner")

	res, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	eq(t, res.NoOp, false, "reinstall puts the owner back")
	st, err = Status(ctx, o)
	must(t, err)
	eq(t, st.Drifted(), false, "drift after reinstall: "+strings.Join(st.Drift, "; "))
}

// TestStatusJSON pins the JSON form of a status report (bcfork status
// --json), which monitoring reads: fields may be added, never renamed or
// removed. Run with -update to rewrite testdata/status.golden after adding one.
func TestStatusJSON(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	put(t, root, DefaultBin, "#!/bin/sh\necho edited\n", 0o755)
	st, err := Status(ctx, o)
	must(t, err)
	data, err := json.MarshalIndent(st, "", "  ")
	must(t, err)
	got := strings.ReplaceAll(string(data), root, "$ROOT")
	got = regexp.MustCompile(`"(uid|gid)": \d+`).ReplaceAllString(got, `"$1": 0`)
	got = regexp.MustCompile(`"owner": "\d+:\d+"`).ReplaceAllString(got, `"owner": "0:0"`) + "\n"
	golden := filepath.Join("testdata", "status.golden")
	if *update {
		must(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	must(t, err)
	if got != string(want) {
		t.Errorf("status JSON differs from %s (go test -run TestStatusJSON -update rewrites it):\n%s", golden, got)
	}
}
