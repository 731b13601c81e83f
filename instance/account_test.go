package instance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPasswdAccount(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "etc/passwd")
	if _, err := lookupAccount(root, "bucardo"); !errors.Is(err, ErrNoUser) {
		t.Errorf("no passwd file: %v, want ErrNoUser", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	data := "root:x:0:0:root:/root:/bin/bash\nbucardo:x:104:109:bucardo:/var/lib/bucardo:/bin/bash\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := lookupAccount(root, "bucardo")
	want := Account{Name: "bucardo", UID: 104, GID: 109, Home: "/var/lib/bucardo"}
	if err != nil || a != want {
		t.Errorf("got %+v, %v; want %+v", a, err, want)
	}
	if _, err := lookupAccount(root, "nobody"); !errors.Is(err, ErrNoUser) {
		t.Errorf("a missing user: %v, want ErrNoUser", err)
	}
}
