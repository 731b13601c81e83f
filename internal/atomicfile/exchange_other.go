//go:build !linux

package atomicfile

import "errors"

// exchange would swap the names a and b in one atomic step; this system
// has no such call (macOS's renamex_np RENAME_SWAP is not used yet), so
// ReplaceDir renames the old folder aside instead.
func exchange(a, b string) error { return errors.ErrUnsupported }
