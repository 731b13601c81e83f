package instance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
)

// OSUser is the OS user every instance runs as.
const OSUser = "bucardo"

// Account is the OS user bucardo and psql run as.
type Account struct {
	Name string
	UID  int
	GID  int
	Home string
}

// Owner is the account as "uid:gid".
func (a Account) Owner() string { return fmt.Sprintf("%d:%d", a.UID, a.GID) }

// ErrNoUser is returned when the OS user bucardo does not exist.
var ErrNoUser = errors.New("no OS user bucardo")

// lookupAccount finds user name: in root's /etc/passwd under a root, else
// as the host resolves users. Bucardo never runs as root on the host.
func lookupAccount(root, name string) (Account, error) {
	if root != "" {
		return passwdAccount(beneath.New(root), filepath.Join(root, "/etc/passwd"), name)
	}
	u, err := user.Lookup(name)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		return Account{}, fmt.Errorf("%w (%s): bucardo runs as its own OS user, never root", ErrNoUser, err)
	}
	if err != nil {
		return Account{}, fmt.Errorf("looking up the OS user %s: %w", name, err)
	}
	a := Account{Name: name, Home: u.HomeDir}
	a.UID, _ = strconv.Atoi(u.Uid)
	a.GID, _ = strconv.Atoi(u.Gid)
	if a.UID == 0 {
		return Account{}, fmt.Errorf("the OS user %s is root (uid 0): bucardo must not run as root", name)
	}
	return a, nil
}

// passwdAccount reads user name from the passwd file at real path below
// root.
func passwdAccount(root beneath.Root, path, name string) (Account, error) {
	data, _, err := root.ReadFile(path, maxPasswd)
	if errors.Is(err, fs.ErrNotExist) {
		return Account{}, fmt.Errorf("%w: %q does not exist", ErrNoUser, path)
	}
	if err != nil {
		return Account{}, fmt.Errorf("looking up the OS user %s: %w", name, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 7 || fields[0] != name {
			continue
		}
		uid, err1 := strconv.Atoi(fields[2])
		gid, err2 := strconv.Atoi(fields[3])
		if err1 != nil || err2 != nil {
			return Account{}, fmt.Errorf("%q: bad uid or gid for %s", path, name)
		}
		return Account{Name: name, UID: uid, GID: gid, Home: fields[5]}, nil
	}
	if err := sc.Err(); err != nil {
		return Account{}, fmt.Errorf("reading %q: %w", path, err)
	}
	return Account{}, fmt.Errorf("%w in %q", ErrNoUser, path)
}
