package install

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
)

// Content kinds a target can hold, as Status names them.
const (
	ContentFork     = "fork"          // the fork the receipt records (or, mid-install, the one it replaces)
	ContentModFork  = "modified fork" // the fork the receipt records, installed with --allow-modified: not its series' fork
	ContentPristine = "pristine"      // an unpatched upstream release
	ContentPackaged = "packaged"      // a distribution package's file
	ContentOriginal = "original"      // what was there before the install, otherwise unknown
	ContentModified = "modified"      // changed since install
	ContentAbsent   = "absent"
	ContentOther    = "other"   // not a regular file: a symbolic link, a folder
	ContentUnknown  = "unknown" // not bcfork's, and no receipt to compare with
	// ContentUnrecorded is a bcfork fork (of any built-in series, see
	// catalog.Marks) when there is no receipt: its receipt was lost, or it
	// was copied by hand.
	ContentUnrecorded = "unrecorded fork"
)

// debianPackage is the Debian package whose files the debian flavor pins.
const debianPackage = "bucardo"

// Report is what Status found on a host.
type Report struct {
	Receipt     *Receipt       `json:"receipt"` // nil when nothing is installed
	ReceiptPath string         `json:"receipt_path"`
	State       string         `json:"state"` // a receipt state, or "not installed"
	Busy        bool           `json:"busy"`  // another bcfork is installing or uninstalling now
	Targets     []TargetStatus `json:"targets"`
	Dpkg        bool           `json:"dpkg"`  // dpkg was asked about owners and diversions
	Drift       []string       `json:"drift"` // how the host differs from the receipt; empty if it does not
	// Lost says, when there is no receipt, that the backup folder holds
	// backups all the same: the receipt of an install was lost. Nil
	// otherwise.
	Lost *LostReceiptError `json:"lost_receipt"`
}

// NotInstalled is Report.State when there is no receipt.
const NotInstalled = "not installed"

// TargetStatus is what one target holds.
type TargetStatus struct {
	Name        string     `json:"name"`
	Path        string     `json:"path"` // real path, with --root
	Content     string     `json:"content"`
	Description string     `json:"description"`
	Version     string     `json:"version,omitempty"`
	Series      string     `json:"series_sha256,omitempty"`
	Package     string     `json:"package,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
	Mode        string     `json:"mode,omitempty"`      // octal, e.g. "0755"
	Owner       string     `json:"owner,omitempty"`     // numeric, "uid:gid"
	Diversion   *Diversion `json:"diversion,omitempty"` // as dpkg has it; nil if none or dpkg not asked
	// Uninstall is what a plain Uninstall does with the target: UndoRestore
	// (something was there before install) or UndoRemove (nothing was).
	// "" when there is no receipt.
	Uninstall string `json:"uninstall,omitempty"`
}

// Drifted reports whether the host differs from its receipt, or an install
// or uninstall was interrupted.
func (r *Report) Drifted() bool { return len(r.Drift) > 0 }

// Status reports what each target holds, its diversion, and the receipt,
// and how the host has drifted from the receipt, or that the receipt is
// lost (backups, but no receipt). It changes nothing. A lock file that
// install would refuse (a *LockError: a link, a FIFO, a folder) is an
// error, as a receipt it cannot read is.
func Status(ctx context.Context, o Options) (*Report, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	l := o.layout()
	r := &Report{ReceiptPath: l.real(l.receipt()), State: NotInstalled, Dpkg: o.Dpkg != nil, Drift: []string{}}
	if r.Receipt, err = readReceipt(l); err != nil {
		return nil, err
	}
	busy, err := busy(o)
	if err != nil {
		return nil, fmt.Errorf("asking whether another bcfork is at work: %w", err)
	}
	if r.Receipt != nil {
		r.State = r.Receipt.State
		r.Busy = busy
		if r.State != StateInstalled && !r.Busy {
			r.Drift = append(r.Drift, fmt.Sprintf("an %s was interrupted: run bcfork install to finish it or bcfork uninstall to undo it", r.State[:len(r.State)-3]))
		}
	} else if err := r.lost(l); err != nil {
		return nil, err
	}
	paths := o.targetPaths(r.Receipt)
	for _, name := range bucardo.Names {
		ts, err := r.target(ctx, o, name, paths[name])
		if err != nil {
			return nil, err
		}
		r.Targets = append(r.Targets, ts)
	}
	return r, nil
}

// lost notes backups in the state folder l when there is no receipt.
func (r *Report) lost(l layout) error {
	err := l.lostReceipt()
	if errors.As(err, &r.Lost) {
		r.Drift = append(r.Drift, r.Lost.what())
		return nil
	}
	return err
}

// target works out what one target holds, and how it drifted.
func (r *Report) target(ctx context.Context, o Options, name, path string) (TargetStatus, error) {
	ts := TargetStatus{Name: name, Path: o.layout().real(path)}
	t := r.Receipt.target(name)
	ts.Uninstall = undo(t)
	d, err := r.look(ctx, o, &ts, path, t)
	if err != nil {
		return ts, err
	}
	if ts.Diversion, err = diversion(ctx, o, path); err != nil {
		return ts, err
	}
	r.drift(t, &ts, d)
	return ts, nil
}

// undo is what a plain uninstall does with t; "" for no target.
func undo(t *Target) string {
	switch {
	case t == nil:
		return ""
	case t.Before == nil:
		return UndoRemove
	}
	return UndoRestore
}

// look reads the target and names what it holds.
func (r *Report) look(ctx context.Context, o Options, ts *TargetStatus, host string, t *Target) (onDisk, error) {
	d, err := o.layout().read(ts.Path)
	var nr *NotRegularError
	if errors.As(err, &nr) {
		ts.Content, ts.Description = ContentOther, nr.Kind+", not a regular file"
		return onDisk{exists: true}, nil
	}
	if err != nil || !d.exists {
		ts.Content, ts.Description = ContentAbsent, "absent"
		return d, err
	}
	ts.SHA256, ts.Mode = d.file.SHA256, d.file.Mode
	ts.Owner = fmt.Sprintf("%d:%d", d.file.UID, d.file.GID)
	p, err := identify(o, d.file.SHA256)
	if err == nil && !r.known(ts, t, d.file.SHA256, p) {
		err = r.unknown(ctx, o, ts, host, t, d, p)
	}
	return d, err
}

// pinned is what the pins of the patches tree say a file is.
type pinned struct {
	release string // the upstream release whose pristine file it is
	pkg     string // the Debian package, name and version, whose file it is
}

// identify names the file with sha256 sum by the pins, newest first.
func identify(o Options, sum string) (pinned, error) {
	files, err := o.Pins.Identify(sum)
	if err != nil {
		return pinned{}, fmt.Errorf("naming a target by the pins: %w", err)
	}
	var p pinned
	for _, f := range files {
		switch {
		case f.Flavor == catalog.Upstream && p.release == "":
			p.release = f.Version
		case f.Flavor == catalog.Debian && p.pkg == "":
			p.pkg = debianPackage + " " + f.Version
		}
	}
	return p, nil
}

// diversion returns the dpkg diversion of host path; nil if none or dpkg is not asked.
func diversion(ctx context.Context, o Options, host string) (*Diversion, error) {
	if o.Dpkg == nil {
		return nil, nil
	}
	div, err := o.Dpkg.Diversion(ctx, host)
	if err != nil || div.By == "" {
		return nil, err
	}
	return &div, nil
}

// known names content with sha256 sum that bcfork knows without asking
// dpkg: a fork in the receipt, or a pristine release.
func (r *Report) known(ts *TargetStatus, t *Target, sum string, p pinned) bool {
	rc := r.Receipt
	switch {
	case t != nil && sum == t.Installed.SHA256 && rc.Modified:
		ts.Content, ts.Description = ContentModFork, describeFork(rc.Flavor, rc.Version, rc.Series, true)
	case t != nil && sum == t.Installed.SHA256:
		ts.Content, ts.Version, ts.Series = ContentFork, rc.Version, rc.Series
		ts.Description = describeFork(rc.Flavor, rc.Version, rc.Series, false)
	case t != nil && slices.Contains(t.Replacing, sum) && (t.Before == nil || sum != t.Before.SHA256):
		ts.Content, ts.Description = ContentFork, "the fork being replaced by an interrupted install"
	case p.release != "":
		ts.Content, ts.Version = ContentPristine, p.release
		ts.Description = "pristine upstream " + ts.Version
	case t != nil && t.Pristine != nil && sum == t.Pristine.SHA256:
		ts.Content, ts.Version = ContentPristine, rc.Version
		ts.Description = fmt.Sprintf("pristine %s %s", rc.Flavor, rc.Version)
	default:
		return false
	}
	return true
}

// unknown names content that is not a fork or pristine: a package's file,
// the one from before the install, or something else.
func (r *Report) unknown(ctx context.Context, o Options, ts *TargetStatus, host string, t *Target, d onDisk, p pinned) error {
	pkg, err := packaged(ctx, o, host, d, p)
	fork := false
	if err == nil && pkg == "" && r.Receipt == nil {
		fork, err = o.seriesFork(ts.Name, d.data)
	}
	switch {
	case err != nil:
		return err
	case pkg != "":
		ts.Content, ts.Package = ContentPackaged, pkg
		ts.Description = "packaged file of " + pkg
	case t != nil && t.Before != nil && d.file.SHA256 == t.Before.SHA256:
		ts.Content, ts.Description = ContentOriginal, "the file that was there before the install"
	case r.Receipt != nil:
		ts.Content, ts.Description = ContentModified, "modified since install"
	case fork:
		ts.Content, ts.Description = ContentUnrecorded, "a bcfork fork (no receipt)"
	default:
		ts.Content, ts.Description = ContentUnknown, "not bcfork's fork, nor a known release"
	}
	return nil
}

// packaged names the package whose file d is: asking dpkg who ships host
// path and checking dpkg's md5sum, else by the debian flavor's pins.
func packaged(ctx context.Context, o Options, host string, d onDisk, p pinned) (string, error) {
	if o.Dpkg != nil {
		pkg, err := o.Dpkg.Owner(ctx, host)
		if err != nil {
			return "", err
		}
		if pkg != "" && packagedMD5(o.layout(), pkg, host) == md5hex(d.data) {
			return pkg, nil
		}
	}
	return p.pkg, nil
}

// drift notes how the target differs from the receipt.
func (r *Report) drift(t *Target, ts *TargetStatus, d onDisk) {
	if t == nil || r.Receipt.State != StateInstalled {
		return
	}
	switch {
	case !d.exists:
		r.Drift = append(r.Drift, fmt.Sprintf("%q is gone", ts.Path))
	case !d.has(&t.Installed) && ts.Content == ContentModified:
		r.Drift = append(r.Drift, fmt.Sprintf("%q changed since install", ts.Path))
	case !d.has(&t.Installed):
		r.Drift = append(r.Drift, fmt.Sprintf("%q changed since install: it is now %s", ts.Path, ts.Description))
	case d.file.Mode != t.Installed.Mode:
		r.Drift = append(r.Drift, fmt.Sprintf("%q has mode %s, installed as %s", ts.Path, d.file.Mode, t.Installed.Mode))
	case d.file.UID != t.Installed.UID || d.file.GID != t.Installed.GID:
		r.Drift = append(r.Drift, fmt.Sprintf("%q has owner %s, installed as %d:%d", ts.Path, ts.Owner, t.Installed.UID, t.Installed.GID))
	}
	if t.Diversion != "" && r.Dpkg && (ts.Diversion == nil || ts.Diversion.By != Local || ts.Diversion.To != t.Diversion) {
		r.Drift = append(r.Drift, fmt.Sprintf("the dpkg diversion of %q to %q is gone: a package upgrade may overwrite the fork", t.Path, t.Diversion))
	}
}
