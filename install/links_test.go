package install

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// isOnce asserts that err is want and names path, quoted, once.
func isOnce(t *testing.T, what string, err, want error, path string) {
	t.Helper()
	if assert.ErrorIs(t, err, want, what) {
		assert.Equal(t, 1, strings.Count(err.Error(), strconv.Quote(path)), "%s: %q names %s once", what, err, path)
	}
}
