package patch_test

import (
	"errors"
	"fmt"
	"os"
	"testing/fstest"

	"github.com/bcfork/bcfork/patch"
)

// A hunk applies where its @@ line says or, as here, at the nearest place
// its old lines are: the patch was made for a file with one more line at
// the top, so its hunk applies one line earlier (offset -1).
func ExampleApply() {
	p, err := patch.Parse("0001-dbname.patch", []byte(`Description: take the database name from $dbname
---
--- a/bucardo
+++ b/bucardo
@@ -2,3 +2,3 @@
 sub install {
-    my $BDSN = 'dbi:Pg:dbname=bucardo';
+    my $BDSN = "dbi:Pg:dbname=$dbname";
 }
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	files := map[string][]byte{"bucardo": []byte("sub install {\n    my $BDSN = 'dbi:Pg:dbname=bucardo';\n}\n")}
	fork, results, err := patch.Apply(files, &patch.Series{Patches: []*patch.Patch{p}}, patch.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", fork["bucardo"])
	for _, r := range results {
		for _, h := range r.Hunks {
			fmt.Printf("%s: %s %s offset %d\n", r.Name, h.File, h.Header, h.Offset)
		}
	}
	// Output:
	// sub install {
	//     my $BDSN = "dbi:Pg:dbname=$dbname";
	// }
	// 0001-dbname.patch: bucardo @@ -2,3 +2,3 @@ offset -1
}

// A hunk whose old lines are nowhere in the file fails with an
// *ApplyError that says where it expected what, and the files are left
// as they were.
func ExampleApply_error() {
	p, _ := patch.Parse("0001-x.patch", []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n"))
	files := map[string][]byte{"bucardo": []byte("one\nzwei\n")}
	_, _, err := patch.Apply(files, &patch.Series{Patches: []*patch.Patch{p}}, patch.ApplyOptions{})
	var ae *patch.ApplyError
	if errors.As(err, &ae) {
		fmt.Printf("%s, hunk %d, line %d: want %q, found %q\n", ae.Patch, ae.Hunk, ae.Line, ae.Want, ae.Got)
	}
	// Output:
	// 0001-x.patch, hunk 1, line 2: want "two", found "zwei"
}

func ExampleDiff() {
	a := []byte("CREATE DATABASE bucardo;\n\\c bucardo bucardo\n")
	b := []byte("CREATE DATABASE :\"bucardo_dbname\";\n\\c :\"bucardo_dbname\" bucardo\n")
	os.Stdout.Write(patch.Diff("bucardo.schema", a, b))
	// Output:
	// --- a/bucardo.schema
	// +++ b/bucardo.schema
	// @@ -1,2 +1,2 @@
	// -CREATE DATABASE bucardo;
	// -\c bucardo bucardo
	// +CREATE DATABASE :"bucardo_dbname";
	// +\c :"bucardo_dbname" bucardo
}

// Where both sides changed the same lines, Merge writes diff3 conflict
// markers and reports each conflict.
func ExampleMerge() {
	base := []byte("a\nb\nc\n")
	ours := []byte("a\nB (ours)\nc\n")
	theirs := []byte("a\nB (theirs)\nc\n")
	merged, conflicts := patch.Merge(base, ours, theirs)
	fmt.Printf("%s", merged)
	for _, c := range conflicts {
		fmt.Printf("conflict at line %d of the merged text\n", c.MergedStart)
	}
	// Output:
	// a
	// <<<<<<< ours
	// B (ours)
	// ||||||| base
	// b
	// =======
	// B (theirs)
	// >>>>>>> theirs
	// c
	// conflict at line 2 of the merged text
}

// ReadSeries reads a quilt folder from any fs.FS: the patches tree
// embedded in bcfork, a folder on disk (os.DirFS) or, here, a map.
func ExampleReadSeries() {
	fsys := fstest.MapFS{
		"upstream/1.0/series": {Data: []byte("# applied in this order\n0001-one.patch\n0002-two.patch\n")},
		"upstream/1.0/0001-one.patch": {Data: []byte(
			"Description: one\nAuthor: A <a@example.org>\n---\n--- a/bucardo\n+++ b/bucardo\n@@ -1 +1 @@\n-1\n+one\n")},
		"upstream/1.0/0002-two.patch": {Data: []byte(
			"Description: two\n---\n--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n one\n-2\n+two\n")},
	}
	s, err := patch.ReadSeries(fsys, "upstream/1.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range s.Patches {
		fmt.Printf("%s: %s\n", p.Name, p.Header.Description)
	}
	fork, _, err := patch.Apply(map[string][]byte{"bucardo": []byte("1\n2\n")}, s, patch.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", fork["bucardo"])
	// Output:
	// 0001-one.patch: one
	// 0002-two.patch: two
	// one
	// two
}
