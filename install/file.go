package install

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/beneath"
)

// File describes one file's content and attributes.
type File struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Mode   string `json:"mode"` // permission bits in octal, e.g. "0755"
	UID    int    `json:"uid"`
	GID    int    `json:"gid"`
}

// onDisk is what a path holds now.
type onDisk struct {
	exists bool
	data   []byte
	file   File
	info   fs.FileInfo
}

// maxFile caps what bcfork reads of a target or a kept copy: Bucardo's
// files are under 400 KB.
const maxFile = 64 << 20

// read returns what the real path holds; a missing path is not an error.
// No link below the root is followed.
func (l layout) read(path string) (onDisk, error) {
	info, err := l.fs.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return onDisk{}, nil
	}
	if err != nil {
		return onDisk{}, wrap("reading", path, err)
	}
	if !info.Mode().IsRegular() {
		return onDisk{}, &NotRegularError{Path: path, Kind: l.kind(path, info)}
	}
	data, info, err := l.fs.ReadFile(path, maxFile)
	if err != nil {
		return onDisk{}, wrap("reading", path, err)
	}
	return onDisk{exists: true, data: data, file: describe(data, info), info: info}, nil
}

// kind names what a path that is not a regular file is.
func (l layout) kind(path string, info fs.FileInfo) string {
	switch info.Mode().Type() {
	case fs.ModeSymlink:
		to, _ := l.fs.Readlink(path)
		return fmt.Sprintf("a symbolic link to %q", to)
	case fs.ModeDir:
		return "a folder"
	}
	return fmt.Sprintf("a special file (%s)", info.Mode().Type())
}

func describe(data []byte, info fs.FileInfo) File {
	f := File{SHA256: generator.SHA256(data), Size: int64(len(data)), Mode: modeString(info.Mode())}
	f.UID, f.GID, _ = beneath.Owner(info)
	return f
}

// holds reports whether d has exactly f's content, mode and owner.
func (d onDisk) holds(f *File) bool {
	return d.has(f) && d.file.Mode == f.Mode && d.file.UID == f.UID && d.file.GID == f.GID
}

// has reports whether d has f's content, whatever its mode.
func (d onDisk) has(f *File) bool {
	return d.exists && f != nil && d.file.SHA256 == f.SHA256
}

// modeString renders the permission, setuid, setgid and sticky bits in octal.
func modeString(m fs.FileMode) string {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return fmt.Sprintf("%04o", bits)
}

// parseMode is the inverse of modeString.
func parseMode(s string) (fs.FileMode, error) {
	bits, err := strconv.ParseUint(s, 8, 32)
	if err != nil || bits > 0o7777 {
		return 0, fmt.Errorf("bad file mode %q", s)
	}
	m := fs.FileMode(bits & 0o777)
	if bits&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if bits&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if bits&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m, nil
}

func sha(data []byte) string { return generator.SHA256(data) }
