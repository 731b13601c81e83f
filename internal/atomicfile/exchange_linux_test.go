package atomicfile

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExchange(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	folder(t, a, "new")
	folder(t, b, "old")
	require.NoError(t, exchange(a, b))
	checkOnly(t, b, "new")
	checkOnly(t, a, "old")
	assert.Error(t, exchange(filepath.Join(root, "missing"), b), "exchange with a missing name")
}
