package install

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patches"
)

// Options configure Install, Uninstall and Status. The zero value works on
// the real root with the default targets and does not ask dpkg.
type Options struct {
	Root     string // prefix for every path below (packaging, tests); "" is the real root
	StateDir string // host path of the receipt, backups and lock; DefaultStateDir if ""
	Bin      string // host path of the script; the receipt's, else DefaultBin, if ""
	Schema   string // host path of the schema; the receipt's, else DefaultSchema, if ""

	Force  bool // overwrite or restore over targets changed since install; ignore a version mismatch
	DryRun bool // plan only: change nothing
	// Pristine makes Uninstall write the pristine original of the installed
	// release where nothing was there before install, instead of removing
	// the fork (for hosts that installed Bucardo from upstream's tarball).
	Pristine bool

	// Modified records that the fork installed is not what its series makes
	// of the pinned files (generator.Verify said so, and the user allowed
	// it): Status then calls it a modified fork, never the series' fork.
	Modified bool

	// Module is the host's Bucardo.pm (see FindModule). Install refuses a
	// fork of another version unless Force. Nil: not checked.
	Module *Module
	// Dpkg, when not nil, is asked who owns each target, and diverts
	// packaged targets. Nil under --root or without dpkg.
	Dpkg Dpkg
	// Pins is the patches tree whose pins name files by their sha256, so
	// Status can tell a pristine upstream release or Debian's packaged
	// file. Nil is the built-in tree (patches.FS).
	Pins *catalog.Catalog

	// Guard, when not nil, is asked by Uninstall before it changes
	// anything, holding the lock; its error stops the uninstall. bcfork
	// uninstall refuses this way while Bucardo instances use the fork.
	Guard func() error

	FS     FS               // nil is the real filesystem below Root (OS)
	Now    func() time.Time // nil is time.Now
	Bcfork string           // bcfork's version, recorded in the receipt
}

func (o Options) withDefaults() (Options, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Pins == nil {
		o.Pins = builtin
	}
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	if o.Root != "" {
		abs, err := filepath.Abs(o.Root)
		if err != nil {
			return o, fmt.Errorf("root %q: %w", o.Root, err)
		}
		o.Root = abs
	}
	if o.Root == "/" {
		o.Root = ""
	}
	if o.FS == nil {
		o.FS = OS{Root: o.Root}
	}
	for _, p := range []string{o.StateDir, o.Bin, o.Schema} {
		if p != "" && !filepath.IsAbs(p) {
			return o, fmt.Errorf("%q: paths must be absolute (Root prefixes them)", p)
		}
	}
	return o, nil
}

// builtin is the built-in patches tree, whose series' marks are read once.
var builtin = catalog.New(patches.FS)

// seriesFork reports whether data, the target name, is a fork of one of
// the series of the built-in tree or of Pins (catalog.Marks): a bcfork
// fork, whatever receipt records it, if any.
func (o Options) seriesFork(name string, data []byte) (bool, error) {
	trees := []*catalog.Catalog{builtin}
	if o.Pins != builtin {
		trees = append(trees, o.Pins)
	}
	for _, c := range trees {
		m, err := c.Marks()
		if err != nil {
			return false, fmt.Errorf("recognising a fork: %w", err)
		}
		if m.Fork(name, data) {
			return true, nil
		}
	}
	return false, nil
}

func (o Options) layout() layout {
	return layout{root: o.Root, state: filepath.Clean(o.StateDir), fs: beneath.New(o.Root)}
}

// targetPaths returns the host paths of the script and the schema: those
// given, else the receipt's, else the defaults.
func (o Options) targetPaths(rc *Receipt) map[string]string {
	paths := map[string]string{bucardo.Script: DefaultBin, bucardo.Schema: DefaultSchema}
	if rc != nil {
		for _, t := range rc.Targets {
			paths[t.Name] = t.Path
		}
	}
	if o.Bin != "" {
		paths[bucardo.Script] = filepath.Clean(o.Bin)
	}
	if o.Schema != "" {
		paths[bucardo.Schema] = filepath.Clean(o.Schema)
	}
	return paths
}

// Result says what Install or Uninstall did, or with DryRun would do.
type Result struct {
	Actions []string // in order
	Notes   []string // what was skipped and why, and other things to know
	NoOp    bool     // nothing needed doing
	Receipt *Receipt // the receipt as written; nil after an uninstall
	// Targets says what Uninstall did, or would do, with each target.
	Targets []Undone
}

// What Uninstall does with a target, as Undone and TargetStatus name it.
const (
	UndoRestore  = "restore"  // put back what was there before install
	UndoRemove   = "remove"   // remove the fork: nothing was there before install
	UndoPristine = "pristine" // write the pristine original where nothing was (Options.Pristine)
)

// Undone is what Uninstall did, or would do, with one target.
type Undone struct {
	Name string `json:"name"`
	Path string `json:"path"` // real path, with Root
	Undo string `json:"undo"` // UndoRestore, UndoRemove or UndoPristine
}
