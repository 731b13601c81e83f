package instance

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/install"
)

// generated is a file bcfork generates for instances, as the record has
// it, with what this bcfork writes there.
type generated struct {
	file      *File // in the record
	want      []byte
	instances []string // the added instances that use it
}

// outdated reports whether this bcfork writes g otherwise than the record
// says bcfork wrote it: an older bcfork wrote it, or the fork's script
// moved since.
func (g generated) outdated() bool { return g.file.SHA256 != sum(g.want) }

// generatedFiles lists what bcfork generates for the instances of rec:
// the template unit for the fork's script bin (unless bin is ""), and each
// added instance's tmpfiles.d and logrotate entries. The rc file is not
// one: it is the operator's to edit.
func generatedFiles(rec *Record, bin string) ([]generated, error) {
	var out []generated
	var added []string
	for _, in := range rec.Instances {
		if in.State == StateAdded {
			added = append(added, in.Name)
		}
	}
	if rec.Unit != nil && bin != "" {
		want, err := Unit(bin)
		if err != nil {
			return nil, err
		}
		out = append(out, generated{file: rec.Unit, want: want, instances: added})
	}
	for _, in := range rec.Instances {
		if in.State != StateAdded {
			continue // remove finishes it
		}
		for i := range in.Files {
			var want []byte
			switch in.Files[i].Path {
			case tmpfilesPath(in.Name):
				want = Tmpfiles(in.Name)
			case logrotatePath(in.Name):
				want = Logrotate(in.Name)
			default:
				continue
			}
			out = append(out, generated{file: &in.Files[i], want: want, instances: []string{in.Name}})
		}
	}
	return out, nil
}

// outdatedFiles lists the files of rec that this bcfork writes otherwise.
// The template unit is left out when the fork is not installed (which
// script it names is not known) or its script cannot be named in a unit.
func (o Options) outdatedFiles(rec *Record) []generated {
	bin, err := o.forkScript()
	if err != nil {
		bin = ""
	}
	gens, err := generatedFiles(rec, bin)
	if err != nil {
		gens, _ = generatedFiles(rec, "")
	}
	var out []generated
	for _, g := range gens {
		if g.outdated() {
			out = append(out, g)
		}
	}
	return out
}

// upgrading lists, quoted, the real paths of the files of rec that an
// interrupted upgrade was rewriting.
func upgrading(o Options, rec *Record) []string {
	var files []*File
	if rec.Unit != nil {
		files = append(files, rec.Unit)
	}
	for _, in := range rec.Instances {
		for i := range in.Files {
			files = append(files, &in.Files[i])
		}
	}
	var out []string
	for _, f := range files {
		if len(f.Replacing) > 0 {
			out = append(out, fmt.Sprintf("%q", o.real(f.Path)))
		}
	}
	return out
}

// Notices lists what status says of the instances' files that is not
// drift: a file bcfork generates (the template unit, a tmpfiles.d or
// logrotate entry) that this bcfork writes otherwise than an older bcfork
// wrote it, with the command that rewrites it. Empty when there is none.
func Notices(o Options) ([]string, error) {
	o, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	notices := []string{}
	for _, g := range o.outdatedFiles(rec) {
		path := o.real(g.file.Path)
		if len(fileDrift(o, *g.file, true)) > 0 {
			notices = append(notices, fmt.Sprintf("%q was written by an older bcfork and changed since (see the drift); this bcfork writes it otherwise: "+
				"bcfork instance upgrade --force rewrites it, keeping a copy", path))
			continue
		}
		notices = append(notices, fmt.Sprintf("%q is as an older bcfork wrote it; this bcfork writes it otherwise: bcfork instance upgrade rewrites it", path))
	}
	return notices, nil
}

// UpgradeOptions say how to upgrade the instances' files.
type UpgradeOptions struct {
	// Force rewrites a file that changed since bcfork wrote it, is gone,
	// or has another mode or owner. Changed content is first kept in the
	// state folder (backup/PATH.replaced-SUM).
	Force bool
}

// Upgrade rewrites the files bcfork generates for instances (the template
// unit, each added instance's tmpfiles.d and logrotate entries) where this
// bcfork writes them otherwise than the record says bcfork wrote them, and
// records them. It rewrites only a file still as bcfork wrote it: one that
// changed, is gone, or has another mode or owner is refused with a
// *ChangedError, and nothing changes, unless Force. A link, a FIFO or a
// folder where such a file is, or a link above it, is an error even with
// Force. After a new unit it runs systemctl daemon-reload (when systemd
// runs the host), and its Notes name the instances that run under the old
// unit: it restarts none. The record says which files are being rewritten
// before any is, so an upgrade stopped anywhere is finished by running it
// again. With nothing to rewrite, the Result has no Actions.
func Upgrade(ctx context.Context, o Options, u UpgradeOptions) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	bin, err := o.forkScript()
	if err != nil {
		return nil, err // before the lock, which would create the state folder
	}
	unlock, err := install.Lock(o.Root, o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("upgrading the instances' files: %w", err)
	}
	defer unlock()
	rec, err := o.readRecord()
	if err != nil {
		return nil, err
	}
	up, err := planUpgrade(o, rec, bin, u.Force)
	if err != nil {
		return nil, err
	}
	if len(up.files) == 0 {
		return &Result{}, nil
	}
	if err := up.keepChanged(); err != nil {
		return nil, err
	}
	if err := up.run(ctx); err != nil {
		return &up.Result, fmt.Errorf("upgrade stopped half way (bcfork instance upgrade finishes it once the cause is fixed): %w", err)
	}
	return &up.Result, nil
}

// upgrade is an Upgrade worked out, then done.
type upgrade struct {
	Result
	o     Options
	rec   *Record
	files []*rewrite
	unit  bool // the template unit is among the files
}

// rewrite is one file to rewrite, and what is there now.
type rewrite struct {
	generated
	path    string // real path
	data    []byte // what it holds; nil if gone
	exists  bool
	mode    fs.FileMode
	changed string // how it differs from the record ("changed since bcfork wrote it"); "" if it does not
}

// planUpgrade reads every file to rewrite, and refuses those that are not
// as bcfork wrote them, unless force.
func planUpgrade(o Options, rec *Record, bin string, force bool) (*upgrade, error) {
	gens, err := generatedFiles(rec, bin)
	if err != nil {
		return nil, err
	}
	up := &upgrade{o: o, rec: rec}
	var refused []string
	for _, g := range gens {
		if !g.outdated() && len(g.file.Replacing) == 0 {
			continue
		}
		rw, err := look(o, g)
		if err != nil {
			return nil, fmt.Errorf("upgrading the instances' files (nothing was changed): %w", err)
		}
		if rw.changed != "" && !force {
			refused = append(refused, fmt.Sprintf("%q %s", rw.path, rw.changed))
		}
		up.files = append(up.files, rw)
		up.unit = up.unit || g.file == rec.Unit
	}
	if len(refused) > 0 {
		return nil, &ChangedError{Files: refused}
	}
	return up, nil
}

// look reads file g and says how it differs from the record. A link at
// it or above it, a FIFO or a folder, is an error.
func look(o Options, g generated) (*rewrite, error) {
	rw := &rewrite{generated: g, path: o.real(g.file.Path)}
	data, info, ok, err := o.readFile(rw.path, maxFile)
	if err != nil {
		return nil, err
	}
	rw.data, rw.exists = data, ok
	if ok {
		rw.mode = info.Mode().Perm()
	}
	rw.changed = g.file.differs(data, info, ok, true)
	return rw, nil
}

// keepChanged keeps a copy of every changed file that Force rewrites,
// where install keeps the targets it replaces with --force.
func (up *upgrade) keepChanged() error {
	for _, rw := range up.files {
		if !rw.exists || rw.file.knows(sum(rw.data)) {
			continue
		}
		keep := up.o.real(keptCopy(up.o.StateDir, rw.file.Path, sum(rw.data)))
		if err := up.mkdirs(filepath.Dir(keep)); err != nil {
			return err
		}
		if err := up.o.writeFile(keep, rw.data, rw.mode, nil); err != nil {
			return err
		}
		up.Actions = append(up.Actions, fmt.Sprintf("keep a copy of changed %q in %q", rw.path, keep))
	}
	return nil
}

// keptCopy names the copy of changed content with sha256 sum s at host
// path p that upgrade --force replaces: in the state folder's backup
// folder, named as install names its copies of changed targets.
func keptCopy(state, p, s string) string {
	return filepath.Join(state, "backup", strings.TrimPrefix(p, "/")) + ".replaced-" + s[:12]
}

// mkdirs creates real folder dir and the folders above it that are missing.
func (up *upgrade) mkdirs(dir string) error {
	if there, err := up.o.present(dir); err != nil || there {
		return err
	}
	if err := up.mkdirs(filepath.Dir(dir)); err != nil {
		return err
	}
	return up.o.mkdir(dir, nil)
}

// run records the files as being upgraded, rewrites them, reloads systemd
// after a new unit, and records them as upgraded.
func (up *upgrade) run(ctx context.Context) error {
	for _, rw := range up.files {
		rw.record()
	}
	if err := up.save(fmt.Sprintf("record the upgrade of %d file(s) in %q", len(up.files), up.o.recordPath())); err != nil {
		return err
	}
	for _, rw := range up.files {
		if err := up.o.writeFile(rw.path, rw.want, 0o644, nil); err != nil {
			return err
		}
		what := fmt.Sprintf("rewrite %q as this bcfork writes it", rw.path)
		if rw.changed != "" {
			what += fmt.Sprintf(" (--force: it %s)", rw.changed)
		}
		up.Actions = append(up.Actions, what)
	}
	if err := up.systemd(ctx); err != nil {
		return err
	}
	for _, rw := range up.files {
		rw.file.Replacing = nil
	}
	if err := up.save(fmt.Sprintf("record the files as upgraded in %q", up.o.recordPath())); err != nil {
		return err
	}
	up.restartNotes()
	return nil
}

// record makes the record say what the file will hold, and what it may
// hold until then.
func (rw *rewrite) record() {
	old := *rw.file
	*rw.file = newFile(old.Path, rw.want, 0o644, "")
	was := append(slices.Clone(old.Replacing), old.SHA256)
	if rw.exists {
		was = append(was, sum(rw.data)) // kept by keepChanged if it was not bcfork's
	}
	for _, s := range was {
		if s != rw.file.SHA256 && !slices.Contains(rw.file.Replacing, s) {
			rw.file.Replacing = append(rw.file.Replacing, s)
		}
	}
}

func (up *upgrade) save(action string) error {
	if err := up.o.writeRecord(up.rec); err != nil {
		return err
	}
	up.Actions = append(up.Actions, action)
	return nil
}

// systemd reloads systemd after a new unit, or says what to run.
func (up *upgrade) systemd(ctx context.Context) error {
	if !up.unit {
		return nil
	}
	if !up.o.systemd() {
		what := "systemd does not run this host"
		if up.o.Root != "" {
			what = "under --root systemd is not asked"
		}
		up.Notes = append(up.Notes, what+": where it does, systemctl daemon-reload loads the new unit")
		return nil
	}
	if err := systemctl(ctx, up.o, "daemon-reload"); err != nil {
		return err
	}
	up.Actions = append(up.Actions, "systemctl daemon-reload")
	return nil
}

// restartNotes names the instances that run under the old unit.
func (up *upgrade) restartNotes() {
	if up.unit {
		up.Notes = append(up.Notes, restartNotes(up.o, up.rec, "")...)
	}
}

// restartNotes says, for each added instance of rec but except that runs,
// that it was started under the template unit just rewritten and how to
// restart it under the new one: bcfork restarts none.
func restartNotes(o Options, rec *Record, except string) []string {
	var notes []string
	for _, in := range rec.Instances {
		if in.Name == except || in.State != StateAdded {
			continue
		}
		if pid, running := daemon(o, in.Name); running {
			notes = append(notes, fmt.Sprintf("instance %s runs (pid %d), started under the old unit: systemctl restart %s starts it under the new one (bcfork restarts nothing)",
				in.Name, pid, Service(in.Name)))
		}
	}
	return notes
}
