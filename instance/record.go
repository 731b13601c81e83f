package instance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/beneath"
)

// Instance states in the record. Add records the instance as adding before
// it writes anything, and as added when it is done; remove records it as
// removing before it undoes anything. An instance left adding or removing
// was interrupted: remove finishes it.
const (
	StateAdding   = "adding"
	StateAdded    = "added"
	StateRemoving = "removing"
)

// Record lists the instances bcfork manages and what it wrote for them.
// It lives beside the install receipt, in bcfork's state folder.
type Record struct {
	Instances []*Instance `json:"instances"`
	// Unit is the template unit all instances share: written with the
	// first instance, removed with the last.
	Unit *File `json:"unit,omitempty"`
}

// Instance is one Bucardo daemon bcfork manages.
type Instance struct {
	Name     string     `json:"name"`
	State    string     `json:"state"`
	Time     time.Time  `json:"time"` // when this state was written
	RC       string     `json:"rc"`   // host path of its rc file
	Database Connection `json:"database"`
	// CreatedDatabase is true when bcfork created the config database.
	CreatedDatabase bool `json:"created_database"`
	// Files are the files bcfork wrote for it (rc file, tmpfiles.d and
	// logrotate entries); Dirs the folders it created, in order.
	Files []File   `json:"files"`
	Dirs  []string `json:"dirs"`
}

// Connection is how bucardo reaches a database: host and port are as
// given ("" for libpq's defaults).
type Connection struct {
	Name string `json:"name"`
	Host string `json:"host"`
	Port string `json:"port"`
	User string `json:"user,omitempty"`
}

// File is a file bcfork wrote, host path and content sum.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Mode   string `json:"mode"` // e.g. "0640"
	Owner  string `json:"owner,omitempty"`
	// Replacing lists the sha256s the file may hold while bcfork instance
	// upgrade rewrites it, besides SHA256 (what it writes): what an older
	// bcfork wrote, or a changed file that --force replaces (kept in the
	// state folder first). Empty when no upgrade is under way.
	Replacing []string `json:"replacing,omitempty"`
}

func newFile(path string, data []byte, mode fs.FileMode, owner string) File {
	return File{Path: path, SHA256: sum(data), Mode: fmt.Sprintf("%04o", mode), Owner: owner}
}

// knows reports whether content with sha256 sum s is what bcfork wrote
// in f, or what an upgrade under way replaces: nothing is lost by
// overwriting or removing it.
func (f File) knows(s string) bool {
	return s == f.SHA256 || slices.Contains(f.Replacing, s)
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// find returns the instance named name, or nil.
func (r *Record) find(name string) *Instance {
	for _, in := range r.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

func (r *Record) drop(name string) {
	r.Instances = slices.DeleteFunc(r.Instances, func(in *Instance) bool { return in.Name == name })
}

// Names lists the instances' names, in the record's order.
func (r *Record) Names() []string {
	var names []string
	for _, in := range r.Instances {
		names = append(names, in.Name)
	}
	return names
}

// readRecord reads the record; no file is an empty record. It refuses
// (*RecordError) a record that others than root (or the user running
// bcfork) may have written, in a folder they may write, as install
// refuses such a receipt, and one that names what add never writes.
func (o Options) readRecord() (*Record, error) {
	path := o.recordPath()
	data, info, err := o.fs().ReadFile(path, maxRecord)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Record{}, nil
	case err != nil:
		return nil, install.StateFile("the instance record", path, err)
	}
	if err := o.fs().TrustedFile(path, info); err != nil {
		return nil, &RecordError{Path: path, Err: err}
	}
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("reading the instance record %q: %w", path, err)
	}
	if err := r.check(); err != nil {
		return nil, &RecordError{Path: path, Err: fmt.Errorf("%w: %v", ErrBadRecord, err)}
	}
	return &r, nil
}

// ErrBadRecord marks an instance record that names what add never writes:
// remove deletes what the record lists, so an edited record must not steer
// it anywhere else. Nothing is then touched.
var ErrBadRecord = errors.New("it names paths bcfork never writes")

// ErrUntrusted marks an instance record, or a state folder, that others
// than root (or the user running bcfork) may have written: the same test
// as install's for its receipt (install.ErrUntrusted is the same error).
var ErrUntrusted = beneath.ErrUntrusted

// RecordError is returned for an instance record bcfork refuses to act on:
// one others may have written (errors.Is(err, ErrUntrusted)) or one naming
// what add never writes (ErrBadRecord). Nothing was touched.
type RecordError struct {
	Path string // real path of the record
	Err  error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("refusing the instance record %q: %v", e.Path, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// check refuses a record whose instances are not named as add names them,
// or list files or folders add never writes.
func (r *Record) check() error {
	if r.Unit != nil && r.Unit.Path != UnitPath {
		return fmt.Errorf("the unit is %q, not %q", r.Unit.Path, UnitPath)
	}
	seen := map[string]bool{}
	for _, in := range r.Instances {
		if err := CheckName(in.Name); err != nil {
			return err
		}
		switch {
		case seen[in.Name]:
			return fmt.Errorf("instance %s is listed twice", in.Name)
		case in.State != StateAdding && in.State != StateAdded && in.State != StateRemoving:
			return fmt.Errorf("instance %s: unknown state %.40q", in.Name, in.State)
		case in.RC != RCPath(in.Name):
			return fmt.Errorf("instance %s: its rc file is %q, not %q", in.Name, in.RC, RCPath(in.Name))
		}
		seen[in.Name] = true
		own := []string{RCPath(in.Name), tmpfilesPath(in.Name), logrotatePath(in.Name)}
		for _, f := range in.Files {
			if !slices.Contains(own, f.Path) {
				return fmt.Errorf("instance %s: %q is no file of an instance", in.Name, f.Path)
			}
		}
		for _, d := range in.Dirs {
			if !madeDir(d) {
				return fmt.Errorf("instance %s: %q is no folder add makes", in.Name, d)
			}
		}
	}
	return nil
}

// madeDir reports whether host folder d is one add may create: a folder it
// writes in, or one above such a folder, or an instance's run or log folder.
func madeDir(d string) bool {
	if d != filepath.Clean(d) || !filepath.IsAbs(d) || d == "/" {
		return false
	}
	if parent := filepath.Dir(d); (parent == RunParent || parent == LogParent) && CheckName(filepath.Base(d)) == nil {
		return true
	}
	for _, f := range []string{RCDir, RunParent, LogParent, TmpfilesDir, LogrotateDir, filepath.Dir(UnitPath)} {
		if f == d || strings.HasPrefix(f, d+"/") {
			return true
		}
	}
	return false
}

// writeRecord replaces the record atomically; an empty record removes the
// file. It first removes what a killed write left.
func (o Options) writeRecord(r *Record) error {
	path := o.recordPath()
	if err := o.removeStrays(path); err != nil {
		return err
	}
	if len(r.Instances) == 0 && r.Unit == nil {
		if err := o.removeFile(path); err != nil {
			return fmt.Errorf("removing the instance record: %w", err)
		}
		return nil
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := o.writeFile(path, append(data, '\n'), 0o644, nil); err != nil {
		return fmt.Errorf("writing the instance record: %w", err)
	}
	return nil
}
