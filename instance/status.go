package instance

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
)

// Drift lists how the host differs from the instance record: an add,
// removal or upgrade interrupted, a file bcfork wrote changed or gone, a
// run folder missing (after a reboot without tmpfiles.d). Empty when it
// does not. A file still as an older bcfork wrote it is no drift: Notices
// says so.
func Drift(o Options) ([]string, error) {
	o, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	drift := []string{}
	if paths := upgrading(o, rec); len(paths) > 0 {
		drift = append(drift, fmt.Sprintf("an upgrade of %s was interrupted: run bcfork instance upgrade to finish it", strings.Join(paths, ", ")))
	}
	if rec.Unit != nil {
		drift = append(drift, fileDrift(o, *rec.Unit, true)...)
	}
	for _, in := range rec.Instances {
		if in.State != StateAdded {
			drift = append(drift, fmt.Sprintf("instance %s: its %s was interrupted: run bcfork instance remove %s",
				in.Name, map[string]string{StateAdding: "add", StateRemoving: "removal"}[in.State], in.Name))
			continue
		}
		for _, f := range in.Files {
			// The rc file is the operator's to edit: its content is not checked.
			drift = append(drift, fileDrift(o, f, f.Path != in.RC)...)
		}
		if dir := o.real(runDir(in.Name)); !o.exists(dir) {
			drift = append(drift, fmt.Sprintf("instance %s: its run folder %q is missing: systemd-tmpfiles --create %s makes it",
				in.Name, dir, tmpfilesPath(in.Name)))
		}
		if dir := o.real(logDir(in.Name)); !o.exists(dir) {
			drift = append(drift, fmt.Sprintf("instance %s: its log folder %q is missing: bucardo runs there and logs there", in.Name, dir))
		}
	}
	return drift, nil
}

// fileDrift says how real file f differs from the record: gone, another
// mode or owner, or, when content is true, other content (but what an
// upgrade under way may leave: see File.Replacing).
func fileDrift(o Options, f File, content bool) []string {
	path := o.real(f.Path)
	data, info, ok, err := o.readFile(path, maxFile)
	if err != nil {
		return []string{err.Error()}
	}
	if how := f.differs(data, info, ok, content); how != "" {
		return []string{fmt.Sprintf("%q %s", path, how)}
	}
	return nil
}

// differs says how the file that holds data, described by info (ok: it is
// there), differs from f, as fileDrift does; "" when it does not.
func (f File) differs(data []byte, info fs.FileInfo, ok, content bool) string {
	switch {
	case !ok:
		return "is gone"
	case content && !f.knows(sum(data)):
		return "changed since bcfork wrote it"
	}
	if mode := fmt.Sprintf("%04o", info.Mode().Perm()); mode != f.Mode {
		return fmt.Sprintf("has mode %s, written as %s", mode, f.Mode)
	}
	uid, gid, ok := beneath.Owner(info)
	if owner := fmt.Sprintf("%d:%d", uid, gid); ok && f.Owner != "" && owner != f.Owner {
		return fmt.Sprintf("has owner %s, written as %s", owner, f.Owner)
	}
	return ""
}
