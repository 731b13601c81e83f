package atomicfile

import (
	"bytes"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkWriteFolder writes a fork folder as generate does: five files,
// the two Bucardo files (their 5.6.0 sizes), their .orig copies and a
// manifest, each synced while the next is written.
func BenchmarkWriteFolder(b *testing.B) {
	script, schema := bytes.Repeat([]byte("x"), 364221), bytes.Repeat([]byte("y"), 101718)
	root := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		err := WriteFolder(filepath.Join(root, strconv.Itoa(n)), false, func(d *Folder) error {
			for _, f := range []struct {
				name string
				data []byte
			}{{"bucardo", script}, {"bucardo.orig", script}, {"bucardo.schema", schema}, {"bucardo.schema.orig", schema}, {"manifest.json", []byte("{}\n")}} {
				if err := d.Create(f.name, f.data, 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteFolderSeries writes a series folder of 500 small patches,
// as rebase.WriteSeries does.
func BenchmarkWriteFolderSeries(b *testing.B) {
	root := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		err := WriteFolder(filepath.Join(root, strconv.Itoa(n)), false, func(d *Folder) error {
			for i := range 500 {
				if err := d.Create(patchName(i), []byte(patchText(i)), 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
