package instance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/atomicfile"
)

// writeFile replaces real path with data atomically, with mode, owned by
// acct if not nil (else by whoever runs bcfork: root on a host).
func writeFile(path string, data []byte, mode fs.FileMode, acct *Account) error {
	if err := atomicfile.Write(path, data, mode); err != nil {
		return wrap("writing", path, err)
	}
	if acct != nil {
		if err := os.Chown(path, acct.UID, acct.GID); err != nil {
			return wrap("writing", path, err)
		}
	}
	return nil
}

// wrap says what failed on path, naming it once.
func wrap(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s %q: %w", op, path, err)
}

// mkdir creates real folder path (its parent must exist), owned by acct
// if not nil.
func mkdir(path string, acct *Account) error {
	if err := os.Mkdir(path, 0o755); err != nil {
		return wrap("creating folder", path, err)
	}
	if acct != nil {
		if err := os.Chown(path, acct.UID, acct.GID); err != nil {
			return wrap("creating folder", path, err)
		}
	}
	return atomicfile.Sync(filepath.Dir(path))
}

// removeFile removes real path; a missing file is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return wrap("removing", path, err)
	}
	return nil
}

// removeIfEmpty removes real folder path if it is empty; it reports
// whether the folder is gone.
func removeIfEmpty(path string) bool {
	err := os.Remove(path)
	return err == nil || errors.Is(err, fs.ErrNotExist)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// readFile returns the content of real path and whether it exists.
func readFile(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("reading", path, err)
	}
	return data, true, nil
}

// removeStrays removes the temporary files a write of real path p that
// was killed may have left beside it: hidden files named after it, as
// atomicfile names them.
func removeStrays(p string) error {
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".*"))
	if err != nil {
		return err
	}
	for _, m := range matches {
		if err := removeFile(m); err != nil {
			return err
		}
	}
	return nil
}
