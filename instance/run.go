package instance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNotRoot is returned when bcfork may not switch to the OS user bucardo.
var ErrNotRoot = errors.New("bucardo and psql run as the OS user bucardo: bcfork must run as root (or as bucardo)")

// runner runs bucardo and psql as the OS user bucardo, never as root.
type runner struct {
	acct     Account
	psql     string // psql program
	passfile string // PGPASSFILE for the children; "" for the account's ~/.pgpass
}

// command returns prog with args, to run as the account in dir.
func (r *runner) command(ctx context.Context, dir, prog string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = r.env()
	switch euid := os.Geteuid(); {
	case euid == r.acct.UID:
	case euid != 0:
		return nil, ErrNotRoot
	default:
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(r.acct.UID), Gid: uint32(r.acct.GID), Groups: []uint32{uint32(r.acct.GID)},
		}}
	}
	return cmd, nil
}

// env is bcfork's environment for a child running as the account: its
// own HOME and user name, and no password in it.
func (r *runner) env() []string {
	drop := map[string]bool{"HOME": true, "USER": true, "LOGNAME": true, "PGPASSWORD": true, "PGPASSFILE": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+r.acct.Home, "USER="+r.acct.Name, "LOGNAME="+r.acct.Name)
	if r.passfile != "" {
		env = append(env, "PGPASSFILE="+r.passfile)
	}
	return env
}

// withPassword gives the children a password file for user, readable by
// the account only, until the returned cleanup runs. No password: nothing.
func (r *runner) withPassword(user, password string) (func(), error) {
	if password == "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "bcfork-pgpass-")
	if err != nil {
		return nil, fmt.Errorf("writing a password file: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "pgpass")
	line := fmt.Sprintf("*:*:*:%s:%s\n", pgpassEscape(user), pgpassEscape(password))
	err = os.Chmod(dir, 0o700) // MkdirTemp's 0700 less the umask
	if err == nil {
		err = writeSecret(path, []byte(line))
	}
	for _, p := range []string{path, dir} {
		if err == nil {
			err = os.Chown(p, r.acct.UID, r.acct.GID)
		}
	}
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("writing a password file: %w", err)
	}
	r.passfile = path
	return func() { r.passfile = ""; cleanup() }, nil
}

// writeSecret writes data to the new file name with mode 0600, whatever
// the umask.
func writeSecret(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	return errors.Join(err, f.Close())
}

// pgpassEscape escapes a .pgpass field.
func pgpassEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ":", `\:`).Replace(s)
}

// ConnectError is returned when psql cannot connect to PostgreSQL.
type ConnectError struct {
	DB  Connection
	Msg string // psql's message
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to PostgreSQL (%s): %s", e.DB.describe(), e.Msg)
}

// describe says where a connection goes, for messages.
func (c Connection) describe() string {
	host, port, user := c.Host, c.Port, c.User
	if host == "" {
		host = "local socket"
	}
	if port == "" {
		port = "default port"
	}
	if user == "" {
		user = OSUser
	}
	return fmt.Sprintf("database %s on %s, %s, as %s", c.Name, host, port, user)
}

// query runs sql with psql in database db of c's server and returns what
// it prints, unaligned and without headers.
func (r *runner) query(ctx context.Context, c Connection, db, sql string) (string, error) {
	args := []string{"-X", "-A", "-t", "-q", "-w", "-v", "ON_ERROR_STOP=1"}
	for _, o := range [][2]string{{"-h", c.Host}, {"-p", c.Port}, {"-U", c.User}} {
		if o[1] != "" {
			args = append(args, o[0], o[1])
		}
	}
	args = append(args, "-d", db, "-c", sql)
	cmd, err := r.command(ctx, "/", r.psql, args...)
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return "", &ConnectError{DB: Connection{Name: db, Host: c.Host, Port: c.Port, User: c.User}, Msg: firstLine(stderr.String())}
	case err != nil:
		return "", fmt.Errorf("psql in database %s: %w: %s", db, err, firstLine(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// BucardoError is returned when a bucardo command fails.
type BucardoError struct {
	Args   []string // after --bucardorc FILE
	Code   int
	Output string // what it printed, trimmed
}

func (e *BucardoError) Error() string {
	msg := fmt.Sprintf("bucardo %s failed (exit %d)", strings.Join(e.Args, " "), e.Code)
	if e.Output != "" {
		msg += ":\n" + e.Output
	}
	return msg
}

// bucardo runs the script bin with rc file rc in dir and returns its output.
func (r *runner) bucardo(ctx context.Context, bin, rc, dir string, args ...string) (string, error) {
	cmd, err := r.command(ctx, dir, bin, append([]string{"--bucardorc", rc}, args...)...)
	if err != nil {
		return "", err
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "", &BucardoError{Args: args, Code: exit.ExitCode(), Output: lastLines(string(out), 10)}
	}
	if err != nil {
		return "", fmt.Errorf("running bucardo %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimPrefix(line, "psql: error: ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
