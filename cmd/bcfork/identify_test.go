package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/patches"
	"github.com/bcfork/bcfork/upstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fork bcfork installed, copied and given --from, is named by the
// receipt, with where the original is.
func TestIdentifyInstalledFork(t *testing.T) {
	const fork = "2f3a000000000000000000000000000000000000000000000000000000000000"
	app := newApp(nil, nil)
	c := newCall(app, []string{"bcfork", "generate", "--from", "deb", "--out", "x"})
	before := &install.File{SHA256: strings.Repeat("b", 64), Mode: "0755"}
	for _, tc := range []struct {
		name   string
		target install.Target
		want   []string
	}{
		{"diverted", install.Target{Name: "bucardo", Path: "/usr/bin/bucardo", Diversion: "/usr/bin/bucardo.distrib", Before: before},
			[]string{"this is the fork bcfork installed at /usr/bin/bucardo (fork of upstream 5.6.0; bcfork status shows it), not a pristine file; Debian's original is /usr/bin/bucardo.distrib",
				"`bcfork generate --out x --flavor debian --version 5.6.0-4 --from /` reads Debian's packaged files where they are"}},
		{"backed up", install.Target{Name: "bucardo", Path: "/usr/bin/bucardo", Backup: "/var/lib/bcfork/backup/usr/bin/bucardo", Before: before},
			[]string{"the file it replaced is kept in /var/lib/bcfork/backup/usr/bin/bucardo"}},
		{"nothing before", install.Target{Name: "bucardo.schema", Path: "/usr/local/share/bucardo/bucardo.schema"},
			[]string{"nothing was there before install; Debian's own schema is /usr/share/bucardo/bucardo.schema"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.target.Installed = install.File{SHA256: fork, Mode: "0644"}
			writeReceipt(t, root, &tc.target)
			err := identifyInput(&upstream.ChecksumError{File: tc.target.Name, Got: fork, Pin: "upstream/5.6.0/checksums", Source: "dir deb"}, patches.FS, root)
			h := hint(err, c)
			for _, w := range tc.want {
				assert.Contains(t, h, w)
			}
		})
	}
}

// A file neither pinned nor installed keeps the plain checksum hint: for
// generate, which needs a series, the fetch that reads it as master's.
func TestIdentifyUnknown(t *testing.T) {
	err := identifyInput(&upstream.ChecksumError{File: "bucardo", Got: strings.Repeat("0", 64), Pin: "upstream/5.6.0/checksums", Source: "dir deb"}, patches.FS, t.TempDir())
	c := newCall(newApp(nil, nil), []string{"bcfork", "generate", "--from", "deb"})
	if h := hint(err, c); !strings.Contains(h, "`bcfork fetch --from deb --version master --allow-unpinned` reads it as master's") {
		t.Errorf("hint = %q", h)
	}
}

// writeReceipt writes under root the receipt of an install whose target
// t is, the other target a plain one.
func writeReceipt(t *testing.T, root string, target *install.Target) {
	t.Helper()
	other := &install.Target{Name: "bucardo.schema", Path: "/usr/local/share/bucardo/bucardo.schema",
		Installed: install.File{SHA256: strings.Repeat("c", 64), Mode: "0644"}}
	if target.Name == other.Name {
		other = &install.Target{Name: "bucardo", Path: "/usr/bin/bucardo", Installed: install.File{SHA256: strings.Repeat("d", 64), Mode: "0755"}}
	}
	rc := &install.Receipt{State: install.StateInstalled, Flavor: "upstream", Version: "5.6.0", Series: strings.Repeat("e", 64),
		Targets: []*install.Target{target, other}}
	data, err := json.Marshal(rc)
	require.NoError(t, err)
	path := filepath.Join(root, install.DefaultStateDir, "receipt.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	got, err := install.ReadReceipt(install.Options{Root: root})
	require.NoError(t, err, "the test's receipt")
	require.NotNil(t, got)
}
