package rebase

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func numbered(n int, edit int, line string) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i == edit {
			b.WriteString(line)
			continue
		}
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return []byte(b.String())
}

// TestAdvanceVerifies: each patch is verified as it is carried, as Verify
// would verify it, and Verify reports the first that failed: a text that
// does not apply at its stated line, and one that applies but does not give
// the files carried.
func TestAdvanceVerifies(t *testing.T) {
	files := map[string][]byte{bucardo.Script: numbered(30, 0, ""), bucardo.Schema: numbered(5, 0, "")}
	edited := map[string][]byte{bucardo.Script: numbered(30, 15, "line 15 edited\n"), bucardo.Schema: files[bucardo.Schema]}
	other := map[string][]byte{bucardo.Script: numbered(30, 15, "line 15 other\n"), bucardo.Schema: files[bucardo.Schema]}
	raw := append([]byte("Description: test\n\n"), patch.Diff(bucardo.Script, files[bucardo.Script], edited[bucardo.Script])...)
	p, err := patch.Parse("0001-a.patch", raw)
	require.NoError(t, err)
	moved := bytes.Replace(raw, []byte("@@ -12,7 +12,7 @@"), []byte("@@ -13,7 +13,7 @@"), 1)
	require.NotEqual(t, string(raw), string(moved), "no @@ -12,7 +12,7 @@ to move:\n%s", raw)
	for _, c := range []struct {
		name   string
		raw    []byte
		want   map[string][]byte
		reason string
	}{
		{"good", raw, edited, ""},
		{"offset", moved, edited, "applies at offset -1"},
		{"other result", raw, other, `"bucardo" differs from the merged file`},
	} {
		r := &Rebase{Series: &patch.Series{Patches: []*patch.Patch{p}}, Old: files, New: files}
		require.NoError(t, r.prepare(), c.name)
		r.advance(edited, c.want, Carried{Name: p.Name, Status: Moved, Raw: c.raw})
		err := r.Verify()
		if c.reason == "" {
			assert.NoError(t, err, c.name)
			continue
		}
		var ve *VerifyError
		require.ErrorAs(t, err, &ve, c.name)
		assert.Equal(t, p.Name, ve.Patch, c.name)
		assert.Contains(t, ve.Reason, c.reason, c.name)
	}
}
