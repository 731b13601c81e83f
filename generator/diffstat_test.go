package generator_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/gittest"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patch"
)

// TestDiffstatNumstatReal generates the real forks (upstream 5.6.0 from
// the release tarball, Debian's 5.6.0-4 from the package's files) and
// checks each file's diffstat, counted from the regions the series
// changed, against git diff --numstat of the pristine file and the fork,
// and against a diff of the whole files.
func TestDiffstatNumstatReal(t *testing.T) {
	t.Run("upstream/5.6.0", func(t *testing.T) {
		checkDiffstat(t, pristinetest.Files(t), "upstream/5.6.0")
	})
	t.Run("debian/5.6.0-4", func(t *testing.T) {
		dir := pristinetest.DebianFiles(t)
		files := map[string][]byte{}
		for _, n := range bucardo.Names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			files[n] = b
		}
		checkDiffstat(t, files, "debian/5.6.0-4")
	})
}

func checkDiffstat(t *testing.T, files map[string][]byte, series string) {
	s, err := patch.ReadSeries(os.DirFS("../patches"), series)
	if err != nil {
		t.Fatal(err)
	}
	f, err := generator.Generate(generator.Options{Files: files, Series: s})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range f.Diffstat() {
		added, removed := gittest.Numstat(t, f.Pristine[st.Name], f.Files[st.Name])
		if st.Added != added || st.Removed != removed {
			t.Errorf("%s: diffstat +%d -%d, git diff --numstat +%d -%d", st.Name, st.Added, st.Removed, added, removed)
		}
		if a, r := patch.LineChanges(f.Pristine[st.Name], f.Files[st.Name]); st.Added != a || st.Removed != r {
			t.Errorf("%s: diffstat +%d -%d, whole-file diff +%d -%d", st.Name, st.Added, st.Removed, a, r)
		}
		if st.Added+st.Removed == 0 {
			t.Errorf("%s: the series changes nothing?", st.Name)
		}
	}
}

// TestGenerateTakesKnownSums checks that Generate records the sha256 the
// caller computed when it verified the inputs, instead of hashing them
// again, and hashes those it was not given.
func TestGenerateTakesKnownSums(t *testing.T) {
	s, err := patch.ReadSeries(os.DirFS("testdata/one"), ".")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{bucardo.Script: []byte("one\ntwo\nthree\n"), bucardo.Schema: []byte("schema\n")}
	known := map[string]string{bucardo.Script: "sum as verified by upstream"}
	f, err := generator.Generate(generator.Options{Files: files, SHA256: known, Series: s})
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := f.Manifest.Input(bucardo.Script); in.SHA256 != known[bucardo.Script] {
		t.Errorf("input sum %q, want the one given", in.SHA256)
	}
	if in, _ := f.Manifest.Input(bucardo.Schema); in.SHA256 != generator.SHA256(files[bucardo.Schema]) {
		t.Errorf("input sum %q, want the file's", in.SHA256)
	}
}
