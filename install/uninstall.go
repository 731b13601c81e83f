package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/bcfork/bcfork/internal/beneath"
)

// Uninstall puts back what Install replaced, sha256-checked, with its mode
// and owner, absence included: where nothing was there before it removes
// the fork (and the folders install created, if empty), or with Pristine
// writes the pristine original of the installed release. A target
// changed since install is left alone unless Force. It removes the dpkg
// diversions, the backups and, last, the receipt; with no receipt there is
// nothing to do, unless backups or a bcfork fork are in place (see
// nothing). Like Install, it can stop anywhere and be run again.
func Uninstall(ctx context.Context, o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	l := o.layout()
	rc, err := readReceipt(l)
	switch {
	case err != nil:
		return nil, err
	case rc == nil:
		return nothing(o)
	case o.DryRun:
		if err := guard(o); err != nil {
			return nil, err
		}
		u, err := planUninstall(ctx, rc, o, true)
		if err != nil {
			return nil, err
		}
		return &Result{Actions: u.planned(), Notes: u.notes, Targets: u.undone}, nil
	}
	unlock, err := lock(o)
	if err != nil {
		return nil, fmt.Errorf("uninstalling: %w", err)
	}
	defer unlock()
	return uninstallLocked(ctx, o)
}

// uninstallLocked reads the receipt again, now that it holds the lock, and
// undoes it.
func uninstallLocked(ctx context.Context, o Options) (*Result, error) {
	l := o.layout()
	rc, err := readReceipt(l)
	if err != nil {
		return nil, err
	}
	if rc == nil {
		return &Result{NoOp: true, Notes: []string{nothingNote(l)}}, nil
	}
	if err := guard(o); err != nil {
		return nil, err
	}
	u, err := planUninstall(ctx, rc, o, true)
	if err != nil {
		return nil, err
	}
	actions, done, err := u.run()
	if err != nil {
		return nil, u.undo(err, done)
	}
	return &Result{Actions: actions, Notes: u.notes, Targets: u.undone}, nil
}

// guard asks o.Guard whether the uninstall may go on.
func guard(o Options) error {
	if o.Guard == nil {
		return nil
	}
	if err := o.Guard(); err != nil {
		return fmt.Errorf("uninstalling: %w", err)
	}
	return nil
}

// undo puts the receipt back as it was when an uninstall failed before it
// changed a target; done is how many steps had run to completion.
func (u *uninstallPlan) undo(cause error, done int) error {
	if u.changed {
		return &IncompleteError{Op: "uninstall", Err: cause}
	}
	s := &steps{fs: u.fs, root: u.root}
	for _, l := range temps(u.l, u.rc) {
		s.removeQuiet(l)
	}
	path := u.l.real(u.l.receipt())
	s.write("", path, u.orig.encode(), ownFile("0644"))
	if _, _, err := s.run(); err != nil && done > 0 {
		return &IncompleteError{Op: "uninstall", Err: cause}
	}
	return fmt.Errorf("uninstalling: %w (nothing was changed)", cause)
}

// nothing is Uninstall with no receipt: it only removes what an install
// may have left before it wrote its receipt and changed anything: a
// temporary receipt and pristine originals. With backups in the state
// folder it refuses (*LostReceiptError), and so it does when a target
// holds a bcfork fork (*ForkInPlaceError): it removes nothing.
func nothing(o Options) (*Result, error) {
	l := o.layout()
	if err := l.lostReceipt(); err != nil {
		return nil, err // nothing says what the backups are copies of
	}
	if err := forkInPlace(o, l); err != nil {
		return nil, err // nothing says what the fork replaced
	}
	res := &Result{NoOp: true, Notes: []string{nothingNote(l)}}
	if o.DryRun || len(strays(l)) == 0 {
		return res, nil
	}
	unlock, err := lock(o)
	if err != nil {
		return nil, fmt.Errorf("uninstalling: %w", err)
	}
	defer unlock()
	if rc, err := readReceipt(l); err != nil || rc != nil {
		return res, err // an install finished meanwhile: its files are not strays
	}
	s := newSteps(o)
	for _, path := range strays(l) {
		s.removeQuiet(path)
	}
	s.removeIfEmpty("", l.real(filepath.Join(l.state, "pristine")))
	_, _, err = s.run()
	return res, err
}

// strays lists what an install leaves before it writes its receipt.
func strays(l layout) []string {
	return append(temps(l, &Receipt{}), pristines(l)...)
}

func nothingNote(l layout) string {
	return fmt.Sprintf("nothing to do: no receipt at %q", l.real(l.receipt()))
}

// uninstallPlan is an uninstall worked out from the receipt and the host.
type uninstallPlan struct {
	steps
	o       Options
	l       layout
	orig    *Receipt // as read
	rc      *Receipt // as written at the start: state uninstalling
	changes []step   // the steps that change targets, after all staging
	changed bool     // a step that changes a target has begun
	notes   []string
	undone  []Undone // what happens to each target
}

// planUninstall plans to undo rc. Without journal (rolling back a failed
// first install) it does not record the uninstall first.
func planUninstall(ctx context.Context, rc *Receipt, o Options, journal bool) (*uninstallPlan, error) {
	u := &uninstallPlan{steps: newSteps(o), o: o, l: o.layout(), orig: rc, rc: rc.clone()}
	cur, err := u.check()
	if err != nil {
		return nil, err
	}
	if journal {
		u.rc.State, u.rc.Time = StateUninstalling, o.Now().UTC()
		path := u.l.real(u.l.receipt())
		u.write(fmt.Sprintf("record the uninstall in %q (state uninstalling)", path), path, u.rc.encode(), ownFile("0644"))
	}
	for _, t := range u.rc.Targets {
		if err := u.restore(t, cur[t.Name]); err != nil {
			return nil, err
		}
	}
	u.list = append(u.list, u.changes...)
	for _, t := range u.rc.Targets {
		if err := u.undivert(ctx, t); err != nil {
			return nil, err
		}
	}
	u.planTidy()
	return u, nil
}

// check reads the targets and refuses any changed since install, unless
// Force, in which case it keeps a copy. For a diverted target it takes the
// packaged file dpkg left at the diverted name as what to put back.
func (u *uninstallPlan) check() (map[string]onDisk, error) {
	cur := map[string]onDisk{}
	var modified []string
	for _, t := range u.rc.Targets {
		d, err := u.l.read(u.l.real(t.Path))
		if err != nil {
			return nil, err
		}
		cur[t.Name] = d
		if err := u.packaged(t, d); err != nil {
			return nil, err
		}
		if t.knows(d) {
			continue
		}
		if !u.o.Force {
			modified = append(modified, u.l.real(t.Path))
		} else if d.exists {
			u.keepChanged(t, d)
		}
	}
	if modified != nil {
		return nil, &ModifiedError{Paths: modified}
	}
	return cur, nil
}

// keepChanged keeps a copy of t's changed content d, which --force replaces.
func (u *uninstallPlan) keepChanged(t *Target, d onDisk) {
	keep := u.l.real(u.l.replaced(t.Path, d.file.SHA256))
	u.mkdirFor(keep)
	u.write(fmt.Sprintf("keep a copy of changed %q in %q", u.l.real(t.Path), keep), keep, d.data, d.file)
}

// packaged makes the packaged file at t's diverted name what to put back:
// a package upgrade during the install put its new file there.
func (u *uninstallPlan) packaged(t *Target, cur onDisk) error {
	if t.Diversion == "" {
		return nil
	}
	d, err := u.l.read(u.l.real(t.Diversion))
	if err != nil || !d.exists || (cur.exists && beneath.SameFile(cur.info, d.info)) {
		return err
	}
	if t.Before == nil || d.file.SHA256 != t.Before.SHA256 {
		u.notes = append(u.notes, fmt.Sprintf("%q: putting back the packaged file as dpkg left it in %q, not the one bcfork replaced (was the package upgraded?)", u.l.real(t.Path), u.l.real(t.Diversion)))
		if t.Before != nil {
			t.Replacing = appendNew(t.Replacing, t.Before.SHA256)
		}
		before := d.file
		t.Before = &before
	}
	return nil
}

// restore plans putting back what t held before the first install, and
// notes which of UndoRestore, UndoRemove or UndoPristine it is.
func (u *uninstallPlan) restore(t *Target, cur onDisk) error {
	undo := UndoRestore
	switch {
	case t.Before != nil: // check took a diverted packaged file as Before
	case u.o.Pristine && t.Pristine != nil:
		undo = UndoPristine
	default:
		undo = UndoRemove
	}
	u.undone = append(u.undone, Undone{Name: t.Name, Path: u.l.real(t.Path), Undo: undo})
	return u.restoreAs(t, cur)
}

// restoreAs plans putting back what t held before the first install.
func (u *uninstallPlan) restoreAs(t *Target, cur onDisk) error {
	path := u.l.real(t.Path)
	if done, err := u.restoreDiverted(t, cur); done || err != nil {
		return err
	}
	if t.Before == nil && !cur.exists {
		return nil // neither the fork nor anything else is there
	}
	if t.Before != nil {
		if cur.holds(t.Before) {
			return nil
		}
		b, err := u.l.read(u.l.real(t.Backup))
		if err != nil || !b.has(t.Before) {
			return fmt.Errorf("cannot restore %q: its backup %q is missing or changed", path, u.l.real(t.Backup))
		}
		u.replace(fmt.Sprintf("restore %q from %q", path, u.l.real(t.Backup)), path, b.data, *t.Before)
		return nil
	}
	if !u.o.Pristine {
		u.removeTarget(fmt.Sprintf("remove %q (nothing was there before)", path), path, cur)
		return nil
	}
	return u.restorePristine(t, cur)
}

// restoreDiverted puts the packaged file at the diverted name back in place.
func (u *uninstallPlan) restoreDiverted(t *Target, cur onDisk) (bool, error) {
	if t.Diversion == "" {
		return false, nil
	}
	path, from := u.l.real(t.Path), u.l.real(t.Diversion)
	d, err := u.l.read(from)
	if err != nil || !d.exists {
		return false, err
	}
	if cur.exists && beneath.SameFile(cur.info, d.info) {
		u.change(fmt.Sprintf("remove %q, a link to %q", from, path), func() error { return u.removeFile(from) })
		return true, nil
	}
	u.change(fmt.Sprintf("put the packaged file %q back at %q", from, path), func() error {
		if err := u.fs.Rename(from, path); err != nil {
			return wrap("replacing", path, err)
		}
		return u.syncDir(path)
	})
	return true, nil
}

// restorePristine puts the pristine original where nothing was before.
func (u *uninstallPlan) restorePristine(t *Target, cur onDisk) error {
	path := u.l.real(t.Path)
	if t.Pristine == nil {
		u.notes = append(u.notes, fmt.Sprintf("no pristine original recorded for %q", path))
		u.removeTarget(fmt.Sprintf("remove %q (nothing was there before)", path), path, cur)
		return nil
	}
	if cur.holds(t.Pristine) {
		return nil
	}
	p, err := u.l.read(u.l.real(t.PristinePath))
	if err != nil || !p.has(t.Pristine) {
		return fmt.Errorf("cannot put the pristine original at %q: %w (%q)", path, ErrNoPristine, u.l.real(t.PristinePath))
	}
	what := fmt.Sprintf("put the pristine %s of %s %s at %q (nothing was there before)", t.Name, u.rc.Flavor, u.rc.Version, path)
	u.replace(what, path, p.data, *t.Pristine)
	return nil
}

func (u *uninstallPlan) removeTarget(what, path string, cur onDisk) {
	if cur.exists {
		u.change(what, func() error { return u.removeFile(path) })
	}
}

// replace stages data beside target path now, and renames it over path
// with the other changes to targets, once everything is staged.
func (u *uninstallPlan) replace(what, path string, data []byte, f File) {
	u.add("", func() error { return u.stage(path, data, f) })
	u.change(what, func() error { return u.commit(path) })
}

// change adds a step that changes a target, to do after all staging.
func (u *uninstallPlan) change(what string, do func() error) {
	u.changes = append(u.changes, step{what: what, do: func() error {
		u.changed = true
		return do()
	}})
}

// undivert removes t's dpkg diversion.
func (u *uninstallPlan) undivert(ctx context.Context, t *Target) error {
	if t.Diversion == "" {
		return nil
	}
	if u.o.Dpkg == nil {
		u.notes = append(u.notes, fmt.Sprintf("dpkg not asked: the diversion of %q to %q, if any, is left in place", t.Path, t.Diversion))
		return nil
	}
	d, err := u.o.Dpkg.Diversion(ctx, t.Path)
	if err != nil || d.By != Local || d.To != t.Diversion {
		return err
	}
	path, to := t.Path, t.Diversion
	u.add(fmt.Sprintf("remove the dpkg diversion of %q to %q", path, to), func() error {
		return u.o.Dpkg.RemoveDiversion(ctx, path, to)
	})
	return nil
}

// planTidy removes the backups, the pristine originals, temporary files and
// then the receipt, the last step: an uninstall is done when it is gone.
func (u *uninstallPlan) planTidy() {
	dirs := u.removeBackups()
	for _, path := range leftovers(u.l, u.rc) {
		u.removeQuiet(path)
	}
	dirs = append(dirs, u.l.real(filepath.Join(u.l.state, "pristine")))
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range slices.Compact(dirs) {
		u.removeIfEmpty("", d)
	}
	if !u.o.Pristine {
		u.removeMade()
	}
	if path := u.l.real(u.l.receipt()); u.l.exists(path) {
		u.remove(fmt.Sprintf("remove the receipt %q", path), path)
	}
}

// removeBackups removes the backups and returns their folders in the state folder.
func (u *uninstallPlan) removeBackups() (dirs []string) {
	for _, t := range u.rc.Targets {
		if t.Backup == "" {
			continue
		}
		b := u.l.real(t.Backup)
		if u.l.exists(b) {
			u.remove(fmt.Sprintf("remove the backup %q", b), b)
		}
		dirs = append(dirs, parents(filepath.Dir(b), u.l.real(u.l.state))...)
	}
	return dirs
}

// removeMade removes the folders install created for targets where
// nothing was before, if they are empty.
func (u *uninstallPlan) removeMade() {
	for _, t := range u.rc.Targets {
		if t.Before != nil {
			continue
		}
		for _, dir := range t.Made {
			u.removeIfEmpty(fmt.Sprintf("remove folder %q if empty (install created it)", u.l.real(dir)), u.l.real(dir))
		}
	}
}

// parents lists dir and its parents up to, not including, top.
func parents(dir, top string) []string {
	var out []string
	for ; dir != top && len(dir) > len(top); dir = filepath.Dir(dir) {
		out = append(out, dir)
	}
	return out
}

func (u *uninstallPlan) mkdirFor(path string) {
	if dir := filepath.Dir(path); !u.l.exists(dir) {
		u.mkdir(dir)
	}
}

// exists reports whether the real path exists, a link included.
func (l layout) exists(path string) bool {
	_, err := l.fs.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
