package instance

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestPgpassEscape(t *testing.T) {
	if got := pgpassEscape(`a:b\c`); got != `a\:b\\c` {
		t.Errorf("got %q", got)
	}
}

// TestRunnerEnv: a child never gets a password in its environment, and
// gets its own HOME.
func TestRunnerEnv(t *testing.T) {
	t.Setenv("PGPASSWORD", "leak")
	t.Setenv("TMPDIR", t.TempDir()) // where the password file goes
	r := &runner{acct: Account{Name: "bucardo", UID: os.Getuid(), GID: os.Getgid(), Home: "/var/lib/bucardo"}}
	cleanup, err := r.withPassword("bucardo", "s3:cret")
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Join(r.env(), "\n")
	if strings.Contains(env, "leak") || strings.Contains(env, "s3") || !strings.Contains(env, "HOME=/var/lib/bucardo") || !strings.Contains(env, "PGPASSFILE=") {
		t.Errorf("environment:\n%s", env)
	}
	data, err := os.ReadFile(r.passfile)
	if err != nil || string(data) != "*:*:*:bucardo:s3\\:cret\n" {
		t.Errorf("password file: %q, %v", data, err)
	}
	fi, _ := os.Stat(r.passfile)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v", fi.Mode().Perm())
	}
	path := r.passfile
	cleanup()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) || r.passfile != "" {
		t.Errorf("password file left after cleanup: %v", err)
	}
}

// TestRunnerSwitchesUser: as root, children run as the account, with its
// group only; as another user, bcfork refuses.
func TestRunnerSwitchesUser(t *testing.T) {
	r := &runner{acct: Account{Name: "nobody", UID: 65534, GID: 65534, Home: "/nonexistent"}}
	cmd, err := r.command(context.Background(), "/", "id")
	if os.Geteuid() != 0 {
		if !errors.Is(err, ErrNotRoot) {
			t.Errorf("not root: %v, want ErrNotRoot", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "uid=" + strconv.Itoa(65534)
	if !strings.HasPrefix(string(out), want) || strings.Contains(string(out), "(root)") {
		t.Errorf("id: %s, want %s and no root group", out, want)
	}
}
