package install

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Dpkg is what install asks of Debian's package manager. Paths are as on
// the host.
type Dpkg interface {
	// Owner returns the package that ships path, or "" if none does.
	Owner(ctx context.Context, path string) (string, error)
	// Diversion returns the diversion of path; the zero Diversion if none.
	Diversion(ctx context.Context, path string) (Diversion, error)
	// AddDiversion records a local diversion of path to to, without moving
	// any file: install links the packaged file there itself, so that path
	// is never missing.
	AddDiversion(ctx context.Context, path, to string) error
	// RemoveDiversion removes the local diversion of path to to, without
	// moving any file.
	RemoveDiversion(ctx context.Context, path, to string) error
}

// Diversion is a dpkg diversion of a file.
type Diversion struct {
	To string `json:"to"` // where the packaged file goes
	By string `json:"by"` // "LOCAL", or the package that diverts it
}

// Local is the Diversion.By of a local diversion, as dpkg-divert lists it.
const Local = "LOCAL"

// ErrNoDpkg is returned by NewDpkg on hosts without dpkg.
var ErrNoDpkg = errors.New("dpkg not found")

// NewDpkg returns the host's dpkg, run through dpkg-query and dpkg-divert.
func NewDpkg() (Dpkg, error) {
	for _, name := range []string{"dpkg-query", "dpkg-divert"} {
		if _, err := exec.LookPath(name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoDpkg, err)
		}
	}
	return hostDpkg{}, nil
}

type hostDpkg struct{}

func (hostDpkg) Owner(ctx context.Context, path string) (string, error) {
	out, err := exec.CommandContext(ctx, "dpkg-query", "-S", path).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return "", nil // no package ships path
	}
	if err != nil {
		return "", fmt.Errorf("dpkg-query -S %q: %w", path, err)
	}
	return parseOwner(out, path), nil
}

// parseOwner reads dpkg -S output: "pkg[, pkg]: path" lines, among
// diversion lines.
func parseOwner(out []byte, path string) string {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		pkgs, p, ok := strings.Cut(sc.Text(), ": ")
		if !ok || p != path || strings.Contains(pkgs, "diversion ") {
			continue
		}
		first, _, _ := strings.Cut(pkgs, ",")
		return strings.TrimSpace(first)
	}
	return ""
}

func (hostDpkg) Diversion(ctx context.Context, path string) (Diversion, error) {
	by, err := divert(ctx, "--listpackage", path)
	if err != nil || by == "" {
		return Diversion{}, err
	}
	to, err := divert(ctx, "--truename", path)
	if err != nil {
		return Diversion{}, err
	}
	return Diversion{To: to, By: by}, nil
}

func (hostDpkg) AddDiversion(ctx context.Context, path, to string) error {
	_, err := divert(ctx, "--local", "--no-rename", "--divert", to, "--add", path)
	return err
}

func (hostDpkg) RemoveDiversion(ctx context.Context, path, to string) error {
	_, err := divert(ctx, "--local", "--no-rename", "--divert", to, "--remove", path)
	return err
}

func divert(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "dpkg-divert", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("dpkg-divert %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// packagedMD5 looks up the md5 dpkg recorded for host path p of package pkg
// in the dpkg database under the root of l; "" if it has none.
func packagedMD5(l layout, pkg, p string) string {
	info := l.real("/var/lib/dpkg/info")
	files := l.glob(filepath.Join(info, pkg+":*.md5sums"))
	files = append([]string{filepath.Join(info, pkg+".md5sums")}, files...)
	want := strings.TrimPrefix(p, "/")
	for _, f := range files {
		data, _, err := l.fs.ReadFile(f, maxFile)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			sum, name, ok := strings.Cut(line, "  ")
			if ok && name == want {
				return sum
			}
		}
	}
	return ""
}

func md5hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}
