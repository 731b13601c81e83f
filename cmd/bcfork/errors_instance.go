package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bcfork/bcfork/instance"
)

// instanceHint gives the next step after an instance command failed.
func instanceHint(err error) string {
	var (
		name    *instance.NameError
		notInst *instance.NotInstalledError
		unknown *instance.UnknownError
		exists  *instance.ExistsError
		inUse   *instance.DatabaseInUseError
		dbErr   *instance.DatabaseError
		conn    *instance.ConnectError
		unit    *instance.UnitError
		inc     *instance.IncompleteError
		used    *instance.InUseError
		enable  *instance.EnableError
		rec     *instance.RecordError
		changed *instance.ChangedError
		cp      checkProblems
	)
	switch {
	case errors.As(err, &name) && name.What == "instance name":
		return fmt.Sprintf("e.g. bcfork instance add %s", suggestName(name.Name))
	case errors.As(err, &notInst):
		return "install the fork first: bcfork install (bcfork status shows what is there)"
	case errors.As(err, &unknown):
		return "bcfork instance list shows the instances"
	case errors.As(err, &inc):
		return fmt.Sprintf("bcfork instance remove %s finishes cleaning up once the cause is fixed", inc.Name)
	case errors.As(err, &exists) && exists.Path != "":
		return "move that file away, or pick another NAME"
	case errors.As(err, &exists) && exists.State != instance.StateAdded:
		return fmt.Sprintf("bcfork instance remove %s cleans it up, then add it again", exists.Name)
	case errors.As(err, &exists):
		return "pick another NAME; bcfork instance list shows the instances"
	case errors.As(err, &inUse):
		return "give this instance another config database with --dbname, or remove instance " + inUse.By
	case errors.As(err, &dbErr) && dbErr.Exists:
		return "--no-create uses the existing config database; or drop it, or pick another with --dbname"
	case errors.As(err, &dbErr):
		return "leave out --no-create to create it"
	case errors.As(err, &conn):
		return "check that PostgreSQL runs and that --dbhost, --dbport and --dbuser reach it; the role needs a password in --dbpass-file or ~bucardo/.pgpass, or trust"
	case errors.As(err, &unit):
		return "move it away (customise bucardo@.service with a drop-in: systemctl edit bucardo@.service), then add the instance again"
	case errors.As(err, &changed):
		return "bcfork status shows what is there now; --force rewrites it, keeping a changed file in /var/lib/bcfork/backup\n" +
			"(diff -u that copy with the new file; customise the unit with a drop-in: systemctl edit bucardo@.service)"
	case errors.As(err, &used):
		return "remove them first: " + removeCommands(used.Names) + " (or bcfork uninstall --force to uninstall anyway)"
	case errors.As(err, &cp) && cp.r.Mismatch && len(cp.r.Shared) == 0:
		return fmt.Sprintf("install the fork of Bucardo %s: bcfork install --version %s", cp.r.Module, cp.r.Module)
	case errors.As(err, &cp):
		return "give each database to one instance: bcfork instance exec NAME -- remove db ... on all but one (and its syncs)"
	case errors.As(err, &enable):
		return fmt.Sprintf("see systemctl status %s and journalctl -u %s", instance.Service(enable.Name), instance.Service(enable.Name))
	case errors.Is(err, instance.ErrNoUser):
		return "create it (Debian's bucardo package does: apt-get install bucardo), or: adduser --system --group --home /var/lib/bucardo bucardo"
	case errors.As(err, &rec) && errors.Is(err, instance.ErrUntrusted):
		return fmt.Sprintf("bcfork writes the instance record as root, mode 0644: check who changed it (ls -l %q, and its folder);\n"+
			"if it is bcfork's own, chown root:root and chmod 0644 it (the folder 0755), then run the command again", rec.Path)
	case errors.Is(err, instance.ErrBadRecord):
		return "someone edited the instance record; nothing was touched: compare it with a backup and put it right by hand"
	case errors.Is(err, instance.ErrNotRoot):
		return "run bcfork as root"
	}
	return ""
}

// suggestName is name made a lower case identifier.
func suggestName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-', r == '.', r == ' ':
			b.WriteRune('_')
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "i" + s
	}
	return s
}

func removeCommands(names []string) string {
	cmds := make([]string, len(names))
	for i, n := range names {
		cmds[i] = "bcfork instance remove " + n
	}
	return strings.Join(cmds, "; ")
}
