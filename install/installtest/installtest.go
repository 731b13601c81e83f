// Package installtest writes small synthetic fork folders for tests of install and of the bcfork command.
package installtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patch"
)

// Fork holds the files of a synthetic fork folder.
type Fork struct {
	Version        string
	Script, Schema []byte // forked
	ScriptOrig     []byte // pristine
	SchemaOrig     []byte
}

// New returns a synthetic fork of version. Pad adds that many bytes of
// comment to the script, to make files bigger.
func New(version string, pad int) *Fork {
	filler := ""
	if pad > 0 {
		filler = "# " + strings.Repeat("x", pad) + "\n"
	}
	orig := fmt.Sprintf("#!/usr/bin/env perl\n# synthetic Bucardo script for bcfork tests\npackage main;\nour $VERSION = '%s';\n%smy $BDSN = 'dbi:Pg:dbname=bucardo';\n", version, filler)
	return &Fork{
		Version:    version,
		ScriptOrig: []byte(orig),
		Script:     []byte(strings.Replace(orig, "dbname=bucardo'", "dbname=' . $dbname", 1)),
		SchemaOrig: []byte(fmt.Sprintf("-- synthetic bucardo.schema %s\nCREATE DATABASE bucardo;\n", version)),
		Schema:     []byte(fmt.Sprintf("-- synthetic bucardo.schema %s\n\\if :{?bucardo_dbname} \\else \\set bucardo_dbname bucardo \\endif\nCREATE DATABASE :\"bucardo_dbname\";\n", version)),
	}
}

// Write writes the fork folder dir: bucardo, bucardo.schema, their .orig
// pristine copies and manifest.json.
func (f *Fork) Write(dir string) error {
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{bucardo.Script, f.Script, 0o755},
		{bucardo.Schema, f.Schema, 0o644},
		{bucardo.Script + generator.OrigSuffix, f.ScriptOrig, 0o644},
		{bucardo.Schema + generator.OrigSuffix, f.SchemaOrig, 0o644},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, file := range files {
		if err := os.WriteFile(filepath.Join(dir, file.name), file.data, file.mode); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(f.Manifest(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, generator.ManifestName), data, 0o644)
}

// Tree returns the files of a patches tree (paths relative to its top)
// holding the series that makes the fork of the pristine files, and the
// pins of the pristine files: with it, generator.Verify finds the fork
// folder to be the series' fork.
func (f *Fork) Tree() map[string][]byte {
	dir := path.Join(catalog.Upstream, f.Version)
	pristine := map[string][]byte{bucardo.Script: f.ScriptOrig, bucardo.Schema: f.SchemaOrig}
	diff := append(patch.Diff(bucardo.Script, f.ScriptOrig, f.Script), patch.Diff(bucardo.Schema, f.SchemaOrig, f.Schema)...)
	return map[string][]byte{
		path.Join(dir, patch.SeriesName):      []byte("synthetic.patch\n"),
		path.Join(dir, "synthetic.patch"):     append([]byte("Description: synthetic fork for bcfork tests\n\n"), diff...),
		path.Join(dir, catalog.ChecksumsFile): []byte(catalog.ChecksumLines(pristine)),
	}
}

// WriteTree adds Tree to the patches tree in folder dir.
func (f *Fork) WriteTree(dir string) error {
	for name, data := range f.Tree() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// series returns the hash of Tree's series.
func (f *Fork) series() string {
	tree := fstest.MapFS{}
	for name, data := range f.Tree() {
		tree[name] = &fstest.MapFile{Data: data}
	}
	s, err := patch.ReadSeries(tree, path.Join(catalog.Upstream, f.Version))
	if err != nil {
		panic(err) // the synthetic series always parses
	}
	return s.Hash()
}

// Manifest returns the manifest of the fork folder.
func (f *Fork) Manifest() *generator.Manifest {
	sum := func(name string, data []byte, mode string) generator.FileSum {
		return generator.FileSum{Name: name, Size: int64(len(data)), Mode: mode, SHA256: generator.SHA256(data)}
	}
	return &generator.Manifest{
		Bcfork:  "test",
		Flavor:  "upstream",
		Version: f.Version,
		Source:  generator.Source{Kind: "dir", Location: "synthetic"},
		Series:  f.series(),
		Inputs:  []generator.FileSum{sum(bucardo.Script, f.ScriptOrig, "0644"), sum(bucardo.Schema, f.SchemaOrig, "0644")},
		Outputs: []generator.FileSum{sum(bucardo.Script, f.Script, "0755"), sum(bucardo.Schema, f.Schema, "0644")},
		Patches: []patch.Result{},
	}
}

// Write writes a synthetic fork folder of version to dir.
func Write(dir, version string) error { return New(version, 0).Write(dir) }

// WriteWithTree writes a synthetic fork folder of version to dir, and its
// series and pins into the patches tree in folder tree.
func WriteWithTree(dir, tree, version string) error {
	f := New(version, 0)
	if err := f.Write(dir); err != nil {
		return err
	}
	return f.WriteTree(tree)
}
