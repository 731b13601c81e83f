package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBackground(t *testing.T) {
	failed := errors.New("failed")
	get := background(func() (int, error) { return 7, failed })
	for range 2 {
		v, err := get()
		assert.Equal(t, 7, v)
		assert.Same(t, failed, err)
	}
	get = background(func() (int, error) { panic("bug") })
	assert.PanicsWithValue(t, "bug", func() { get() }, "f's panic, raised in the caller")
}
