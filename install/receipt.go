package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"
)

// Receipt states. An install writes StateInstalling before it changes any
// target and StateInstalled when both targets hold the fork; an uninstall
// writes StateUninstalling and removes the receipt when it is done. A receipt
// left in StateInstalling or StateUninstalling records an interrupted run,
// which running install or uninstall again finishes.
const (
	StateInstalling   = "installing"
	StateInstalled    = "installed"
	StateUninstalling = "uninstalling"
)

// Receipt records what install did to a host: what each target held before
// the first install, where that was kept, and what was installed.
type Receipt struct {
	Bcfork  string    `json:"bcfork"`
	State   string    `json:"state"`
	Time    time.Time `json:"time"` // when this state was written
	Flavor  string    `json:"flavor"`
	Version string    `json:"version"`
	Series  string    `json:"series_sha256"`
	// Modified says the fork is not what its series makes of the pinned
	// files (installed with --allow-modified): Flavor, Version and Series
	// are only what its folder claimed.
	Modified bool      `json:"modified,omitempty"`
	Targets  []*Target `json:"targets"`
}

// Target is one installed file. Paths are as on the host, without --root.
type Target struct {
	Name string `json:"name"` // bucardo or bucardo.schema
	Path string `json:"path"`
	// Before is what was there before the first install (null if nothing):
	// what uninstall puts back.
	Before    *File  `json:"before"`
	Backup    string `json:"backup,omitempty"` // copy of Before, byte for byte with its mode and owner
	Installed File   `json:"installed"`
	// Pristine is the unpatched file of the installed release, kept to put
	// back on uninstall where nothing was there before.
	Pristine     *File  `json:"pristine,omitempty"`
	PristinePath string `json:"pristine_path,omitempty"`
	// Replacing lists the sha256s a target may hold while an install is
	// under way besides Before and Installed: the fork being replaced, or a
	// changed file that --force overwrites.
	Replacing []string `json:"replacing,omitempty"`
	Package   string   `json:"package,omitempty"`   // dpkg package that owns Path
	Diversion string   `json:"diversion,omitempty"` // where dpkg diverts the packaged file
	Made      []string `json:"made,omitempty"`      // folders install created, deepest first
}

// knows reports whether d is content an install or uninstall of t may be
// in the middle of replacing: nothing is lost by overwriting it.
func (t *Target) knows(d onDisk) bool {
	if !d.exists {
		return t.Before == nil
	}
	sum := d.file.SHA256
	switch {
	case sum == t.Installed.SHA256, slices.Contains(t.Replacing, sum):
		return true
	case t.Before != nil:
		return sum == t.Before.SHA256
	default:
		return t.Pristine != nil && sum == t.Pristine.SHA256
	}
}

// target returns the receipt's target named name.
func (r *Receipt) target(name string) *Target {
	if r == nil {
		return nil
	}
	for _, t := range r.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// maxReceipt caps the size of a receipt: bcfork writes about 2 KB.
const maxReceipt = 1 << 20

// ReadReceipt reads the receipt in the state folder of o; it returns nil
// and no error when there is none. It refuses (*ReceiptError) a receipt
// that others than root (or the user running bcfork) may have written,
// and one naming paths that bcfork never writes: a target that is not a
// plain absolute path, a backup or pristine copy outside the state folder,
// a folder made that is not above its target. Nothing is then touched.
func ReadReceipt(o Options) (*Receipt, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return readReceipt(o.layout())
}

// readReceipt is ReadReceipt on a layout.
func readReceipt(l layout) (*Receipt, error) {
	path := l.real(l.receipt())
	data, info, err := l.fs.ReadFile(path, maxReceipt)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, StateFile("receipt", path, err)
	}
	if err := l.fs.TrustedFile(path, info); err != nil {
		return nil, &ReceiptError{Path: path, Err: err}
	}
	r, err := decodeReceipt(data, l)
	if err != nil {
		return nil, &ReceiptError{Path: path, Err: err}
	}
	return r, nil
}

// decodeReceipt parses a receipt and checks it against the layout l.
func decodeReceipt(data []byte, l layout) (*Receipt, error) {
	var r Receipt
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	switch r.State {
	case StateInstalling, StateInstalled, StateUninstalling:
	default:
		return nil, fmt.Errorf("unknown state %.40q", r.State)
	}
	if err := r.check(l); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Receipt) encode() []byte {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return append(data, '\n')
}

// clone returns a deep copy of r, so a plan can change it and keep the original.
func (r *Receipt) clone() *Receipt {
	var c Receipt
	if err := json.Unmarshal(r.encode(), &c); err != nil {
		panic(err)
	}
	return &c
}
