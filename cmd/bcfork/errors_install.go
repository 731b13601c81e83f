package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/bcfork/bcfork/internal/catalog"
)

// hostHint gives the next step after install, uninstall, status or an
// instance command failed, naming only flags c's command has.
func hostHint(err error, c call) string {
	if !isHost(err) {
		return ""
	}
	if h := filesystemHint(err); h != "" {
		return h
	}
	if h := lockHint(err); h != "" {
		return h
	}
	if h := stateFileHint(err); h != "" {
		return h
	}
	if h := stateLinkHint(err); h != "" {
		return h
	}
	if h := pathHint(err, c); h != "" {
		return h
	}
	return outcomeHint(err)
}

// pathHint says what to do about a link below the root, or a target that
// is not a regular file: install and status can be given other paths
// (--bin, --schema); uninstall and the instance commands act on the paths
// bcfork recorded, which must be put right.
func pathHint(err error, c call) string {
	paths := c.has("bin") && c.has("schema")
	switch {
	case errors.Is(err, install.ErrLink) && paths:
		return "bcfork follows no link below the root (--root, else /): name the real paths (--root, --bin, --schema),\n" +
			"or put the folder itself where the link is"
	case errors.Is(err, install.ErrLink):
		return "bcfork follows no link below the root (--root, else /): put the folder or file itself where the link is\n" +
			"(or move the link away), then run the command again"
	case errors.Is(err, install.ErrNotRegular) && paths:
		return "name the real file with --bin or --schema, or move this one out of the way"
	case errors.Is(err, install.ErrNotRegular):
		return "move it out of the way (bcfork status shows what each target holds), then run the command again"
	}
	return ""
}

// lockHint says what to do about a lock file bcfork cannot open: a link,
// a FIFO or a folder where it keeps an empty regular file.
func lockHint(err error) string {
	var le *install.LockError
	if !errors.As(err, &le) {
		return ""
	}
	return fmt.Sprintf("bcfork keeps the lock as an empty regular file, which it makes when none is there:\n"+
		"with no bcfork at work, move what is at %q out of the way, then run the command again", le.Path)
}

// stateFileHint says what to do about a receipt or an instance record
// that is a FIFO, a folder, a link or too large: bcfork's own file, which
// no --bin or --schema names, so what is there is to be looked at and
// moved out of the way.
func stateFileHint(err error) string {
	var se *install.StateFileError
	if !errors.As(err, &se) {
		return ""
	}
	what, then := "receipt", "bcfork then knows of no install: put back a copy of the receipt, or restore the targets by hand from the backups in the state folder"
	if filepath.Base(se.Path) == instance.RecordName {
		what, then = "instance record", "bcfork then knows of no instance: put back a copy of the record, or remove the instances' files by hand"
	}
	return fmt.Sprintf("bcfork writes its %s as a regular file: look at what is at %q (ls -l) and move it out of the way;\n%s", what, se.Path, then)
}

// stateLinkHint says what to do about a link met on the way to the state
// folder or a file in it: no --bin or --schema names the state folder, so
// the link must be put right.
func stateLinkHint(err error) string {
	var se *install.StateLinkError
	if !errors.As(err, &se) {
		return ""
	}
	link := se.Path
	if le := se.Link(); le != nil {
		link = le.Path
	}
	return fmt.Sprintf("bcfork keeps its state (receipt, backups, lock) below the root (--root, else /) and follows no link to it:\n"+
		"put the folder itself where the link %q is (or move the link away), then run the command again", link)
}

// filesystemHint says what to do about a permission, read-only or full filesystem.
func filesystemHint(err error) string {
	again := "run the command again"
	var inc *install.IncompleteError
	if errors.As(err, &inc) {
		again += ": it finishes what was started (bcfork status shows where it stopped)"
	}
	switch {
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return "run as root or use --root DIR"
	case errors.Is(err, syscall.EROFS):
		return "the filesystem is read-only: remount it read-write (or use --root DIR) and " + again
	case errors.Is(err, syscall.ENOSPC):
		return "the filesystem is full: free some space and " + again
	}
	return ""
}

// outcomeHint gives the next step after install, uninstall or status refused or stopped.
func outcomeHint(err error) string {
	var (
		ve  *install.VersionError
		inc *install.IncompleteError
		mod *install.ModifiedError
	)
	if h := receiptHint(err); h != "" {
		return h
	}
	if h := lostHint(err); h != "" {
		return h
	}
	switch {
	case errors.Is(err, install.ErrLocked):
		return "wait for the other bcfork to finish, then run the command again"
	case errors.As(err, &inc):
		return "run bcfork " + inc.Op + " again to finish it (or bcfork uninstall to undo an install); bcfork status shows where it stopped"
	case errors.As(err, &ve):
		return fmt.Sprintf("install the fork of the host's release (--version %s), or use --force to install it anyway", ve.Host)
	case errors.As(err, &mod):
		return "bcfork status shows what is there now; --force replaces it and keeps a copy next to the backups"
	case errors.Is(err, install.ErrOtherTargets):
		return "bcfork uninstall first, then install at the new paths"
	case errors.Is(err, install.ErrNoPristine):
		return "bcfork uninstall (without --pristine) removes the fork instead, leaving nothing there as before install"
	case errors.Is(err, install.ErrDrift):
		return "bcfork install finishes an interrupted install or puts the fork back (--force over a changed file); bcfork uninstall undoes it"
	}
	return ""
}

// receiptHint says what to do about a receipt bcfork refuses.
func receiptHint(err error) string {
	var re *install.ReceiptError
	switch {
	case !errors.As(err, &re):
		return ""
	case errors.Is(err, install.ErrUntrusted):
		return fmt.Sprintf("bcfork writes its receipt as root, mode 0644: check who changed it (ls -l %q, and its folder);\n"+
			"if it is bcfork's own, chown root:root and chmod 0644 it (the folder 0755), then run the command again", re.Path)
	}
	return fmt.Sprintf("the receipt names paths bcfork never writes: someone edited it; nothing was touched.\n"+
		"Compare it with a backup, or move it aside (bcfork then knows of no install) and restore the targets by hand: %q", re.Path)
}

// lostHint says what to do when the receipt is lost: backups, or a bcfork
// fork (install's, or any, for uninstall), in place of it.
func lostHint(err error) string {
	var (
		lost *install.LostReceiptError
		fork *install.ForkInPlaceError
	)
	switch {
	case errors.As(err, &lost):
		return fmt.Sprintf("the receipt says what each backup is a copy of: put it back (from a copy of %s), then run the command again;\n"+
			"or restore the targets by hand: each backup's path below %q is its target's (cp -p); then move that folder aside", filepath.Dir(lost.Receipt), lost.Dir)
	case errors.As(err, &fork) && fork.Op == "uninstall":
		return fmt.Sprintf("the receipt says what the fork replaced: put it back (from a copy of %s), then run the command again;\n"+
			"or put back by hand what was there before install: for upstream's release, bcfork fetch --version VERSION --out DIR writes its pristine files;\n"+
			"for Debian's package, apt-get install --reinstall bucardo (first dpkg-divert --local --remove PATH where dpkg-divert --list shows a diversion);\n"+
			"or remove the fork where nothing was", filepath.Dir(fork.Receipt))
	case errors.As(err, &fork):
		from := ""
		switch {
		case fork.Flavor == catalog.Upstream && len(fork.Others) == 0:
			from = fmt.Sprintf(" (bcfork fetch --version %s --out DIR writes the pristine ones)", fork.Version)
		case fork.Flavor == catalog.Upstream:
			from = " (bcfork fetch --version VERSION --out DIR writes the pristine ones of a release)"
		}
		return fmt.Sprintf("put back by hand the files the fork replaced%s, or remove the fork where nothing was, then install again;\n"+
			"--force installs it all the same, and bcfork uninstall then puts the fork back", from)
	}
	return ""
}
