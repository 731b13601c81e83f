package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// Install puts the fork in folder dir (as bcfork generate writes it) at the
// targets: both change or neither. It records the plan in the receipt
// before changing anything, keeps what each target held before the first
// install (byte for byte, with mode and owner) and the pristine originals,
// stages both files beside their targets, diverts packaged targets, and
// only then renames them into place. An install that stops anywhere leaves
// each target whole, old or new; running Install or Uninstall again
// finishes or undoes it.
func Install(ctx context.Context, dir string, o Options) (*Result, error) {
	g, err := generator.ReadFork(dir)
	if err != nil {
		return nil, err
	}
	return InstallFork(ctx, g, o)
}

// InstallFork is Install of a fork already read from its folder (and
// checked with generator.Verify): what is installed is exactly g.
func InstallFork(ctx context.Context, g *generator.Fork, o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	f := newFork(g)
	if err := checkVersion(f, o); err != nil {
		return nil, err
	}
	if o.DryRun {
		return dryInstall(ctx, f, o)
	}
	unlock, err := lock(o)
	if err != nil {
		return nil, fmt.Errorf("installing: %w", err)
	}
	defer unlock()
	p, err := planInstall(ctx, f, o)
	if err != nil {
		return nil, err
	}
	return p.run(ctx)
}

// dryInstall plans the install without the lock, and changes nothing.
func dryInstall(ctx context.Context, f *fork, o Options) (*Result, error) {
	p, err := planInstall(ctx, f, o)
	if err != nil {
		return nil, err
	}
	return &Result{Actions: append(p.planned(), p.tidy.planned()...), Notes: p.notes, NoOp: p.noop, Receipt: p.rc}, nil
}

// installPlan is an install worked out from what the host holds.
type installPlan struct {
	steps
	tidy      steps // after the receipt says installed; failures are only noted
	o         Options
	l         layout
	f         *fork
	old       *Receipt // the receipt before this install; nil on a first install
	journal   *Receipt // the receipt written first, state installing
	rc        *Receipt // the receipt written last, state installed
	cur       map[string]onDisk
	forced    map[string]bool // targets changed since install, overwritten with --force
	staged    map[string]bool
	dirs      map[string]bool // folders a step creates
	notes     []string
	noop      bool
	renamed   bool // a target has been renamed over
	journaled bool // the receipt says installing
}

func planInstall(ctx context.Context, f *fork, o Options) (*installPlan, error) {
	l := o.layout()
	old, err := readReceipt(l)
	if err != nil {
		return nil, err
	}
	if old == nil {
		if err := l.lostReceipt(); err != nil {
			return nil, err
		}
	}
	p := &installPlan{steps: newSteps(o), tidy: newSteps(o), o: o, l: l, f: f, old: old,
		cur: map[string]onDisk{}, forced: map[string]bool{}, staged: map[string]bool{}, dirs: map[string]bool{}}
	if err := p.targets(ctx); err != nil {
		return nil, err
	}
	if p.noop, err = p.done(ctx); err != nil {
		return nil, err
	}
	if p.noop {
		p.rc = old
		p.notes = append(p.notes, fmt.Sprintf("already installed: %s; nothing to do", f.describe(o.Modified)))
		p.planTidy()
		return p, nil
	}
	if err := p.plan(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// targets works out the receipt's targets and refuses to touch any that
// changed since install, unless Force.
func (p *installPlan) targets(ctx context.Context) error {
	m := p.f.manifest
	p.rc = &Receipt{Bcfork: p.o.Bcfork, State: StateInstalling, Time: p.o.Now().UTC(),
		Flavor: m.Flavor, Version: m.Version, Series: m.Series, Modified: p.o.Modified}
	paths := p.o.targetPaths(p.old)
	var modified []string
	for _, name := range bucardo.Names {
		t, err := p.addTarget(ctx, name, paths[name])
		if err != nil {
			return err
		}
		if !p.accept(t) {
			modified = append(modified, p.l.real(t.Path))
		}
	}
	if modified != nil {
		return &ModifiedError{Paths: modified}
	}
	return p.inPlace()
}

// inPlace refuses, when there is no receipt, targets that hold the very
// fork being installed, or another bcfork fork (of another version or
// series, or edited): install would keep a fork as the original that
// uninstall puts back. With Force it notes that it does.
func (p *installPlan) inPlace() error {
	if p.old != nil {
		return nil
	}
	var same, other []string
	for _, t := range p.rc.Targets {
		switch {
		case t.Before == nil:
		case t.Before.SHA256 == t.Installed.SHA256:
			same = append(same, p.l.real(t.Path))
		default:
			fork, err := p.o.seriesFork(t.Name, p.cur[t.Name].data)
			if err != nil {
				return err
			}
			if fork {
				other = append(other, p.l.real(t.Path))
			}
		}
	}
	switch {
	case same == nil && other == nil:
		return nil
	case !p.o.Force:
		m := p.f.manifest
		return &ForkInPlaceError{Paths: same, Others: other, Fork: p.f.describe(p.o.Modified), Flavor: m.Flavor, Version: m.Version}
	}
	for _, path := range same {
		p.notes = append(p.notes, fmt.Sprintf("%q already holds the fork, and no receipt says what it replaced: kept as the original all the same (--force), so bcfork uninstall puts the fork back", path))
	}
	for _, path := range other {
		p.notes = append(p.notes, fmt.Sprintf("%q holds a bcfork fork, and no receipt says what it replaced: kept as the original all the same (--force), so bcfork uninstall puts that fork back", path))
	}
	return nil
}

// addTarget reads the target name at host path and adds its entry to the receipt.
func (p *installPlan) addTarget(ctx context.Context, name, path string) (*Target, error) {
	cur, err := p.l.read(p.l.real(path))
	if err != nil {
		return nil, err
	}
	t, err := p.target(ctx, name, path, cur)
	if err != nil {
		return nil, err
	}
	p.cur[name] = cur
	p.rc.Targets = append(p.rc.Targets, t)
	return t, nil
}

// accept reports whether install may overwrite t: it holds content the
// receipt knows, or Force says to replace whatever it holds.
func (p *installPlan) accept(t *Target) bool {
	cur := p.cur[t.Name]
	if t.knows(cur) {
		return true
	}
	if !p.o.Force {
		return false
	}
	p.forced[t.Name] = true
	if cur.exists {
		t.Replacing = appendNew(t.Replacing, cur.file.SHA256)
	}
	return true
}

// target returns the receipt entry for the target name at host path.
func (p *installPlan) target(ctx context.Context, name, path string, cur onDisk) (*Target, error) {
	t, err := p.previous(name, path)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if t, err = p.fresh(ctx, name, path, cur); err != nil {
			return nil, err
		}
	}
	data, orig := p.f.files[name], p.f.origs[name]
	uid, gid := os.Geteuid(), os.Getegid()
	if t.Before != nil {
		uid, gid = t.Before.UID, t.Before.GID
	}
	t.Installed = File{SHA256: sha(data), Size: int64(len(data)), Mode: p.f.mode(name), UID: uid, GID: gid}
	t.Pristine, t.PristinePath = nil, ""
	if orig != nil {
		t.Pristine = &File{SHA256: sha(orig), Size: int64(len(orig)), Mode: t.Installed.Mode, UID: uid, GID: gid}
		t.PristinePath = p.l.pristine(t.Pristine.SHA256)
	}
	return t, nil
}

// previous returns a copy of the old receipt's entry for name, which
// remembers the ORIGINAL file, and the fork it replaces as known content.
func (p *installPlan) previous(name, path string) (*Target, error) {
	if p.old == nil {
		return nil, nil
	}
	ot := p.old.clone().target(name)
	if ot == nil {
		return nil, nil
	}
	if ot.Path != path {
		return nil, fmt.Errorf("%w: %s is installed at %q, not %q; run bcfork uninstall first", ErrOtherTargets, name, ot.Path, path)
	}
	t := *ot
	if t.Installed.SHA256 != sha(p.f.files[name]) {
		t.Replacing = appendNew(t.Replacing, t.Installed.SHA256)
	}
	if t.Before == nil && t.Pristine != nil {
		t.Replacing = appendNew(t.Replacing, t.Pristine.SHA256)
	}
	return &t, nil
}

// fresh returns the entry for a target on a first install.
func (p *installPlan) fresh(ctx context.Context, name, path string, cur onDisk) (*Target, error) {
	t := &Target{Name: name, Path: path, Made: p.missing(filepath.Dir(path))}
	if cur.exists {
		before := cur.file
		t.Before, t.Backup = &before, p.l.backup(path)
	}
	return t, p.owner(ctx, t)
}

// owner asks dpkg whether a package ships the target, and plans to divert it.
func (p *installPlan) owner(ctx context.Context, t *Target) error {
	if p.o.Dpkg == nil {
		return nil
	}
	pkg, err := p.o.Dpkg.Owner(ctx, t.Path)
	if err != nil || pkg == "" {
		return err
	}
	to := t.Path + ".distrib"
	d, err := p.o.Dpkg.Diversion(ctx, t.Path)
	if err != nil {
		return err
	}
	if d.By != "" && (d.By != Local || d.To != to) {
		return fmt.Errorf("%q is already diverted to %q by %s; not diverting it again", t.Path, d.To, d.By)
	}
	t.Package, t.Diversion = pkg, to
	return nil
}

// missing lists the host folders from dir upwards that don't exist, deepest first.
func (p *installPlan) missing(dir string) []string {
	var out []string
	for ; dir != "/" && dir != "."; dir = filepath.Dir(dir) {
		if _, err := p.l.fs.Lstat(p.l.real(dir)); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		out = append(out, dir)
	}
	return out
}

// done reports whether this fork is installed already, with everything
// uninstall needs.
func (p *installPlan) done(ctx context.Context) (bool, error) {
	if p.old == nil || p.old.State != StateInstalled || p.old.Series != p.rc.Series || p.old.Version != p.rc.Version || p.old.Modified != p.rc.Modified {
		return false, nil
	}
	for _, t := range p.rc.Targets {
		ot := p.old.target(t.Name)
		if ot == nil || ot.Installed.SHA256 != t.Installed.SHA256 || !p.cur[t.Name].holds(&t.Installed) ||
			!p.valid(t.Backup, t.Before) || !p.valid(t.PristinePath, t.Pristine) {
			return false, nil
		}
		if ok, err := p.diverted(ctx, t); !ok || err != nil {
			return false, err
		}
	}
	return true, nil
}

// valid reports whether the kept copy at host path has f's content; a nil f needs nothing.
func (p *installPlan) valid(path string, f *File) bool {
	if f == nil {
		return true
	}
	d, err := p.l.read(p.l.real(path))
	return err == nil && d.has(f)
}

// diverted reports whether t's diversion is in place, as far as can be told.
func (p *installPlan) diverted(ctx context.Context, t *Target) (bool, error) {
	if t.Diversion == "" || p.o.Dpkg == nil {
		return true, nil
	}
	d, err := p.o.Dpkg.Diversion(ctx, t.Path)
	if err != nil || d.By != Local || d.To != t.Diversion {
		return false, err
	}
	if t.Before == nil {
		return true, nil
	}
	_, err = p.l.fs.Lstat(p.l.real(t.Diversion))
	return err == nil, nil
}

// plan lists the steps, in the order that keeps every target whole.
// Everything that needs disk space is written before the first target
// changes, the final receipt included (staged beside the receipt and
// renamed into place last), so a full disk stops the install cleanly.
func (p *installPlan) plan(ctx context.Context) error {
	p.planKeep()
	p.planPristines() // before the receipt that refers to them
	p.journal = p.rc.clone()
	p.writeJournal()
	if err := p.planBackups(); err != nil {
		return err
	}
	p.planStaging()
	p.rc.State = StateInstalled
	for _, t := range p.rc.Targets {
		t.Replacing = nil
	}
	receipt := p.l.real(p.l.receipt())
	p.add("", func() error { return p.stage(receipt, p.rc.encode(), ownFile("0644")) })
	if err := p.planDiversions(ctx); err != nil {
		return err
	}
	p.planRenames()
	p.add(fmt.Sprintf("record the install in %q", receipt), func() error { return p.commit(receipt) })
	p.planTidy()
	return nil
}

// writeJournal records the plan in the receipt, state installing.
func (p *installPlan) writeJournal() {
	path, data := p.l.real(p.l.receipt()), p.journal.encode()
	p.add(fmt.Sprintf("record the install in %q (state installing)", path), func() error {
		if err := p.stage(path, data, ownFile("0644")); err != nil {
			return err
		}
		p.journaled = true // from here on the receipt may say installing
		return p.commit(path)
	})
}

// ownFile describes a file bcfork writes for itself.
func ownFile(mode string) File {
	return File{Mode: mode, UID: os.Geteuid(), GID: os.Getegid()}
}

// planKeep keeps a copy of each changed target that --force overwrites,
// before the receipt names its content as one to replace.
func (p *installPlan) planKeep() {
	for _, t := range p.rc.Targets {
		if cur := p.cur[t.Name]; p.forced[t.Name] && cur.exists {
			keep := p.l.real(p.l.replaced(t.Path, cur.file.SHA256))
			p.mkdirFor(keep)
			p.write(fmt.Sprintf("keep a copy of changed %q in %q", p.l.real(t.Path), keep), keep, cur.data, cur.file)
		}
	}
}

// planBackups keeps what each target held before the first install.
func (p *installPlan) planBackups() error {
	for _, t := range p.rc.Targets {
		if t.Before == nil || p.valid(t.Backup, t.Before) {
			continue
		}
		data, err := p.original(t)
		if err != nil {
			return err
		}
		backup := p.l.real(t.Backup)
		p.mkdirFor(backup)
		p.write(fmt.Sprintf("back up %q to %q", p.l.real(t.Path), backup), backup, data, *t.Before)
	}
	return nil
}

// original returns what t held before the first install, from wherever it is now.
func (p *installPlan) original(t *Target) ([]byte, error) {
	if cur := p.cur[t.Name]; cur.has(t.Before) {
		return cur.data, nil
	}
	if t.Diversion != "" {
		if d, err := p.l.read(p.l.real(t.Diversion)); err == nil && d.has(t.Before) {
			return d.data, nil
		}
	}
	return nil, fmt.Errorf("the original of %q is neither in place nor in its backup %q: not installing over it", p.l.real(t.Path), p.l.real(t.Backup))
}

// planPristines keeps the pristine originals, for uninstall.
func (p *installPlan) planPristines() {
	for _, t := range p.rc.Targets {
		if t.Pristine == nil || p.valid(t.PristinePath, t.Pristine) {
			continue
		}
		path := p.l.real(t.PristinePath)
		p.mkdirFor(path)
		p.write(fmt.Sprintf("keep the pristine %s of %s %s in %q", t.Name, p.rc.Flavor, p.rc.Version, path),
			path, p.f.origs[t.Name], ownFile("0644"))
	}
}

// planStaging writes each forked file beside its target.
func (p *installPlan) planStaging() {
	for _, t := range p.rc.Targets {
		if p.cur[t.Name].holds(&t.Installed) {
			continue
		}
		p.staged[t.Name] = true
		path, data, f := p.l.real(t.Path), p.f.files[t.Name], t.Installed
		p.mkdirFor(path)
		p.add(fmt.Sprintf("write the forked %s beside %q", t.Name, path), func() error {
			return p.stage(path, data, f)
		})
	}
}

// planDiversions diverts packaged targets, and links the packaged file to
// the diverted name so that the target itself is never missing.
func (p *installPlan) planDiversions(ctx context.Context) error {
	for _, t := range p.rc.Targets {
		if t.Diversion == "" {
			continue
		}
		if p.o.Dpkg == nil {
			p.notes = append(p.notes, fmt.Sprintf("dpkg not asked: the diversion of %q to %q is not checked", t.Path, t.Diversion))
			continue
		}
		d, err := p.o.Dpkg.Diversion(ctx, t.Path)
		if err != nil {
			return err
		}
		if d.By != Local || d.To != t.Diversion {
			path, to := t.Path, t.Diversion
			p.add(fmt.Sprintf("divert %q to %q with dpkg-divert (package %s)", path, to, t.Package), func() error {
				return p.o.Dpkg.AddDiversion(ctx, path, to)
			})
		}
		if err := p.planDistrib(t); err != nil {
			return err
		}
	}
	return nil
}

// planDistrib puts the packaged file at the diverted name if it isn't there.
func (p *installPlan) planDistrib(t *Target) error {
	path, to := p.l.real(t.Path), p.l.real(t.Diversion)
	d, err := p.l.read(to)
	if err != nil || d.exists || t.Before == nil {
		return err
	}
	if p.cur[t.Name].has(t.Before) {
		p.add(fmt.Sprintf("link the packaged %q to %q", path, to), func() error {
			if err := p.fs.Link(path, to); err != nil {
				return wrap("linking", to, err)
			}
			return p.syncDir(to)
		})
		return nil
	}
	data, err := p.original(t)
	if err != nil {
		if b, rerr := p.l.read(p.l.real(t.Backup)); rerr == nil && b.has(t.Before) {
			data, err = b.data, nil
		}
	}
	if err != nil {
		return err
	}
	p.write(fmt.Sprintf("put the packaged file back at %q", to), to, data, *t.Before)
	return nil
}

// planRenames puts the staged files in place: the only steps that change a target.
func (p *installPlan) planRenames() {
	for _, t := range p.rc.Targets {
		if !p.staged[t.Name] {
			continue
		}
		path := p.l.real(t.Path)
		p.add(fmt.Sprintf("install the forked %s at %q", t.Name, path), func() error {
			p.renamed = true
			return p.commit(path)
		})
	}
}

// mkdirFor creates the folder of real path if it is missing.
func (p *installPlan) mkdirFor(path string) {
	dir := filepath.Dir(path)
	if _, err := p.l.fs.Lstat(dir); errors.Is(err, fs.ErrNotExist) && !p.dirs[dir] {
		p.dirs[dir] = true
		p.mkdir(dir)
	}
}

// planTidy removes what interrupted runs left: temporary files and
// pristine originals no receipt refers to.
func (p *installPlan) planTidy() {
	keep := map[string]bool{}
	for _, t := range p.rc.Targets {
		if t.Pristine != nil {
			keep[p.l.real(t.PristinePath)] = true
		}
	}
	for _, path := range leftovers(p.l, p.rc) {
		if !keep[path] {
			p.tidy.removeQuiet(path)
		}
	}
}

// leftovers lists bcfork's temporary files that exist, and the kept
// pristine originals.
func leftovers(l layout, rc *Receipt) []string {
	return append(temps(l, rc), pristines(l)...)
}

// temps lists the temporary files of bcfork's writes for rc that exist.
func temps(l layout, rc *Receipt) []string {
	cands := []string{tmp(l.real(l.receipt()))}
	for _, t := range rc.Targets {
		backup := l.real(l.backup(t.Path))
		cands = append(cands, tmp(l.real(t.Path)), tmp(backup))
		cands = append(cands, l.glob(tmp(backup+".replaced-*"))...)
		if t.Diversion != "" {
			cands = append(cands, tmp(l.real(t.Diversion)))
		}
	}
	var out []string
	for _, c := range cands {
		if _, err := l.fs.Lstat(c); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// pristines lists the files in the folder of kept pristine originals,
// temporary ones included.
func pristines(l layout) []string {
	dir := l.real(filepath.Join(l.state, "pristine"))
	return l.glob(filepath.Join(dir, "*"))
}

// glob lists the real paths matching pattern, whose folder part is a plain
// path; "*" matches names starting with a dot too.
func (l layout) glob(pattern string) []string {
	dir, base := filepath.Split(pattern)
	entries, _ := l.fs.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if ok, _ := filepath.Match(base, e.Name()); ok {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// run does the plan. On failure before any target changed it undoes what
// it did; otherwise it reports the install as incomplete.
func (p *installPlan) run(ctx context.Context) (*Result, error) {
	actions, done, err := p.steps.run()
	if err != nil {
		return nil, p.undo(ctx, err, done)
	}
	res := &Result{Actions: actions, Notes: p.notes, Receipt: p.rc, NoOp: p.noop}
	if _, _, err := p.tidy.run(); err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("tidying up: %v", err))
	}
	return res, nil
}

// undo rolls back a failed install where it can: a first install is
// uninstalled; an upgrade that changed no target gets its old receipt back.
// done is how many steps had run to completion: with none, nothing changed
// but perhaps a temporary file, which undo removes if it can.
func (p *installPlan) undo(ctx context.Context, cause error, done int) error {
	s := p.undoSteps(ctx)
	if s != nil {
		if _, _, err := s.run(); err == nil || done == 0 {
			return fmt.Errorf("installing: %w (nothing was changed)", cause)
		}
	}
	return &IncompleteError{Op: "install", Err: cause}
}

// undoSteps plans the rollback of a failed install; nil if it can't be
// rolled back (an upgrade that already replaced a target).
func (p *installPlan) undoSteps(ctx context.Context) *steps {
	if p.old == nil {
		o := p.o
		o.Pristine, o.Force = false, false
		u, err := planUninstall(ctx, p.journal, o, false)
		if err != nil {
			return nil
		}
		return &u.steps
	}
	if p.renamed {
		return nil
	}
	return p.restoreOld()
}

// restoreOld plans putting the old receipt back after an upgrade that
// changed no target, and removing what the upgrade wrote.
func (p *installPlan) restoreOld() *steps {
	// Remove the temporary files first: on a full disk that makes room for
	// the old receipt. The new pristine originals go after it, as the
	// receipt of the interrupted install refers to them.
	s := &steps{fs: p.fs, root: p.root}
	for _, l := range append(temps(p.l, p.rc), p.l.glob(tmp(p.l.real(p.l.pristine("*"))))...) {
		s.removeQuiet(l)
	}
	if p.journaled {
		path := p.l.real(p.l.receipt())
		s.write("", path, p.old.encode(), ownFile("0644"))
	}
	for _, l := range pristines(p.l) {
		if !slices.ContainsFunc(p.old.Targets, func(t *Target) bool { return p.l.real(t.PristinePath) == l }) {
			s.removeQuiet(l)
		}
	}
	return s
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
