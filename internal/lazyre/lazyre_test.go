package lazyre

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNewCompilesOnceWhenUsed(t *testing.T) {
	re := New(`^a+$`)
	first := re()
	assert.Same(t, first, re(), "one compiled expression for every call")
	assert.True(t, first.MatchString("aaa"))
	assert.False(t, first.MatchString("ab"))
}

func TestNewPanicsOnUseOfABadExpression(t *testing.T) {
	re := New(`(`) // no panic here: nothing is compiled yet
	assert.Panics(t, func() { re() })
}
