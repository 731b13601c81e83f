package install

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// A backup is the only copy of what an install replaced, and only the
// receipt says what it is a copy of. Without the receipt, an install
// would take the fork in place for the original and write it over the
// backup; so install and uninstall refuse while the backup folder holds
// backups and there is no receipt, and status reports them.

// ErrLostReceipt marks a state folder that holds backups of an install
// but no receipt. It matches ErrDrift.
var ErrLostReceipt error = lostErr{}

type lostErr struct{}

func (lostErr) Error() string { return "the install receipt is lost" }
func (lostErr) Unwrap() error { return ErrDrift }

// LostReceiptError is returned by Install and Uninstall when there is no
// receipt but the backup folder holds backups (the copies --force kept
// aside, which stay after uninstall, are not backups): perhaps the only
// copies of what an install replaced, which nothing accounts for any
// more. Nothing was touched. It matches ErrLostReceipt and ErrDrift.
type LostReceiptError struct {
	Receipt string   `json:"receipt_path"` // real path of the missing receipt
	Dir     string   `json:"backup_dir"`   // real path of the backup folder
	Backups []string `json:"backups"`      // real paths, at most maxListed
	More    bool     `json:"more"`         // there are more than Backups
}

func (e *LostReceiptError) Error() string {
	return fmt.Sprintf("%v: %s", ErrLostReceipt, e.what())
}

// what says what was found: a sentence of status's drift too.
func (e *LostReceiptError) what() string {
	list := quoteAll(e.Backups)
	if e.More {
		list += " and more"
	}
	return fmt.Sprintf("no receipt at %q, but %q holds backups of an install, perhaps the only copies of what it replaced: %s", e.Receipt, e.Dir, list)
}

func (e *LostReceiptError) Unwrap() error { return ErrLostReceipt }

// ForkInPlaceError is returned by Install without Force when there is no
// receipt and a target already holds the very fork being installed, or
// another bcfork fork (of another version or series, or edited; see
// catalog.Marks): install would keep a fork as the original that
// uninstall puts back. Nothing was touched. It matches ErrDrift.
//
// Uninstall returns it too (Op "uninstall", the targets in Others, no
// Fork, Flavor nor Version) when there is no receipt and no backups but a
// target holds a bcfork fork: there is nothing to put back, and the host
// is not as before any install.
type ForkInPlaceError struct {
	Op      string   // "uninstall", or "" for install
	Receipt string   // real path of the missing receipt
	Paths   []string // real paths of the targets that hold the fork being installed
	Others  []string // real paths of the targets that hold another bcfork fork
	Fork    string   // what the fork is, as messages say it
	Flavor  string   // the fork's flavor
	Version string   // the fork's version
}

func (e *ForkInPlaceError) Error() string {
	if e.Op == "uninstall" {
		return fmt.Sprintf("%s %s a bcfork fork, but no receipt at %q says what it replaced: uninstall has nothing to put back, and the fork stays",
			quoteAll(e.Others), holds(e.Others), e.Receipt)
	}
	var what []string
	if len(e.Paths) > 0 {
		what = append(what, fmt.Sprintf("%s already %s the %s", quoteAll(e.Paths), holds(e.Paths), e.Fork))
	}
	if len(e.Others) > 0 {
		what = append(what, fmt.Sprintf("%s already %s another bcfork fork", quoteAll(e.Others), holds(e.Others)))
	}
	return fmt.Sprintf("%s, but no receipt says what it replaced: install would keep the fork as the original that uninstall puts back",
		strings.Join(what, "; "))
}

// holds is the verb for paths.
func holds(paths []string) string {
	if len(paths) == 1 {
		return "holds"
	}
	return "hold"
}

func (e *ForkInPlaceError) Unwrap() error { return ErrDrift }

const (
	maxListed = 10 // backups a LostReceiptError lists
	maxDepth  = 64 // folders below the backup folder that lostReceipt looks into
)

// lostReceipt returns a *LostReceiptError when the backup folder holds
// backups; the caller found no receipt, and there is none after the scan
// either. It follows no link and reads only folders, each capped
// (beneath.MaxEntries).
func (l layout) lostReceipt() error {
	beforeBackupScan()
	dir := l.real(filepath.Join(l.state, "backup"))
	e := &LostReceiptError{Receipt: l.real(l.receipt()), Dir: dir}
	if err := l.backups(dir, 0, e); err != nil && !errors.Is(err, errFull) {
		return statePath("looking for backups in", dir, err)
	}
	if len(e.Backups) == 0 {
		return nil
	}
	// Status and uninstall look without the lock, and a first install may
	// have written its receipt and backups since the caller found none:
	// install writes the receipt before its first backup and uninstall
	// removes it after its last, so backups with no receipt before the
	// scan nor after it are no install's or uninstall's at work.
	if rc, err := readReceipt(l); err != nil || rc != nil {
		return err
	}
	return e
}

// beforeBackupScan runs before lostReceipt scans the backup folder: a
// test sets it to run an install between its caller's read of the receipt
// and the scan.
var beforeBackupScan = func() {}

// errFull stops the walk once maxListed backups are found and one more.
var errFull = errors.New("enough backups listed")

// backups adds to e the backups in folder dir, depth folders below the
// backup folder. A folder too deep to look into counts as a backup.
func (l layout) backups(dir string, depth int, e *LostReceiptError) error {
	entries, err := l.fs.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no backup folder, or one that just went
	}
	if err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, d := range entries {
		path := filepath.Join(dir, d.Name())
		switch {
		case d.IsDir() && depth < maxDepth: // a folder, not a link to one
			err = l.backups(path, depth+1, e)
		case keptCopy(d.Name()):
		case len(e.Backups) == maxListed:
			e.More = true
			err = errFull
		default:
			e.Backups = append(e.Backups, path)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// keptCopy reports whether name is that of a copy --force kept of a
// changed target (layout.replaced): not a backup, and it stays after
// uninstall.
func keptCopy(name string) bool {
	i := strings.LastIndex(name, ".replaced-")
	if i <= 0 {
		return false
	}
	sum := name[i+len(".replaced-"):]
	return len(sum) == 12 && !strings.ContainsFunc(sum, func(r rune) bool { return !strings.ContainsRune("0123456789abcdef", r) })
}

// forkInPlace returns a *ForkInPlaceError for Uninstall when a target
// holds a bcfork fork (catalog.Marks); the caller found no receipt and no
// backups. A target that is no regular file is no fork bcfork can tell.
func forkInPlace(o Options, l layout) error {
	paths := o.targetPaths(nil)
	var forks []string
	for _, name := range bucardo.Names {
		path := l.real(paths[name])
		d, err := l.read(path)
		var nr *NotRegularError
		switch {
		case errors.As(err, &nr):
			continue
		case err != nil:
			return err
		case !d.exists:
			continue
		}
		fork, err := o.seriesFork(name, d.data)
		if err != nil {
			return err
		}
		if fork {
			forks = append(forks, path)
		}
	}
	if forks == nil {
		return nil
	}
	return &ForkInPlaceError{Op: "uninstall", Receipt: l.real(l.receipt()), Others: forks}
}
