package instance

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/lazyre"
	"github.com/coreos/go-systemd/v22/unit"
)

// Host paths of what bcfork writes for instances; Options.Root prefixes them.
const (
	RCDir        = "/etc/bucardo"
	RunParent    = "/run/bucardo"
	LogParent    = "/var/log/bucardo"
	UnitPath     = "/etc/systemd/system/bucardo@.service"
	TmpfilesDir  = "/etc/tmpfiles.d"
	LogrotateDir = "/etc/logrotate.d"
	WantsDir     = "/etc/systemd/system/multi-user.target.wants"
	RecordName   = "instances.json" // in the state folder
	PIDFileName  = "bucardo.mcp.pid"
)

// Service is the systemd unit of instance name.
func Service(name string) string { return "bucardo@" + name + ".service" }

// RCPath is the host path of instance name's rc file.
func RCPath(name string) string { return filepath.Join(RCDir, name+".rc") }

func runDir(name string) string        { return filepath.Join(RunParent, name) }
func logDir(name string) string        { return filepath.Join(LogParent, name) }
func pidFile(name string) string       { return filepath.Join(runDir(name), PIDFileName) }
func tmpfilesPath(name string) string  { return filepath.Join(TmpfilesDir, "bucardo-"+name+".conf") }
func logrotatePath(name string) string { return filepath.Join(LogrotateDir, "bucardo-"+name) }
func wantsLink(name string) string     { return filepath.Join(WantsDir, Service(name)) }

// settings are the file settings an instance keeps in its config database
// (bucardo_config, set with bucardo set): absolute, so they do not depend
// on the folder bucardo runs in.
func settings(name string) []string {
	return []string{
		"piddir=" + runDir(name),
		"reason_file=" + filepath.Join(logDir(name), "bucardo.restart.reason.txt"),
		"warning_file=" + filepath.Join(logDir(name), "bucardo.warning.log"),
		"log_conflict_file=" + filepath.Join(logDir(name), "bucardo_conflict.log"),
	}
}

// plainPath is a path systemd, tmpfiles.d and logrotate take without quoting.
var plainPath = lazyre.New(`^/[A-Za-z0-9/._+-]*$`)

// Unit returns the systemd template unit bucardo@.service for the bucardo
// script at host path bin. The instance (%i) runs as the OS user bucardo,
// starts and stops through its own rc file, and keeps its pid file in its
// own run folder: RuntimeDirectory=bucardo/%i is that folder alone (a unit
// with RuntimeDirectory=bucardo would remove every instance's folder when
// one stops), and it is kept at stop so that bucardo stop run by hand finds
// it; tmpfiles.d recreates it at boot. bucardo stop only asks the daemon to
// stop, so a second ExecStop waits for it to go: systemd kills what is left
// of a service as soon as ExecStop returns. The MCP writes its pid file
// twice: as the session leader bucardo start forks, which forks again and
// exits, then as that fork; systemd may read the first pid and, when that
// process exits before the file names the second, stop the service (it runs
// ExecStop). ExecStartPost waits until the file names a live process that
// is not a session leader; systemd reads the file again after it.
func Unit(bin string) ([]byte, error) {
	if !plainPath().MatchString(bin) {
		return nil, fmt.Errorf("the bucardo script %q: a unit file needs a path of letters, digits and / . _ + -", bin)
	}
	rc := RCPath("%i")
	opts := []*unit.UnitOption{
		unit.NewUnitOption("Unit", "Description", "Bucardo replication daemon, instance %i"),
		unit.NewUnitOption("Unit", "Documentation", "https://bucardo.org/Bucardo/"),
		unit.NewUnitOption("Unit", "After", "network-online.target postgresql.service"),
		unit.NewUnitOption("Unit", "Wants", "network-online.target"),
		unit.NewUnitOption("Service", "Type", "forking"),
		unit.NewUnitOption("Service", "User", "bucardo"),
		unit.NewUnitOption("Service", "Group", "bucardo"),
		unit.NewUnitOption("Service", "WorkingDirectory", logDir("%i")),
		unit.NewUnitOption("Service", "RuntimeDirectory", "bucardo/%i"),
		unit.NewUnitOption("Service", "RuntimeDirectoryPreserve", "yes"),
		unit.NewUnitOption("Service", "PIDFile", pidFile("%i")),
		unit.NewUnitOption("Service", "ExecStart", execLine(bin, rc, "start")),
		unit.NewUnitOption("Service", "ExecStartPost", waitForkedMCP(pidFile("%i"))),
		unit.NewUnitOption("Service", "ExecStop", execLine(bin, rc, "stop")),
		unit.NewUnitOption("Service", "ExecStop", `/bin/sh -c 'while kill -0 "$$MAINPID" 2>/dev/null; do sleep 0.5; done'`),
		unit.NewUnitOption("Service", "Restart", "on-failure"),
		unit.NewUnitOption("Install", "WantedBy", "multi-user.target"),
	}
	body, err := io.ReadAll(unit.Serialize(opts))
	if err != nil {
		return nil, err
	}
	head := "# Bucardo instances managed by bcfork (bcfork instance add NAME, then\n" +
		"# systemctl enable --now bucardo@NAME). Written by bcfork: change it with a\n" +
		"# drop-in (systemctl edit bucardo@.service), not here.\n"
	return append([]byte(head), body...), nil
}

// execLine is the command line that runs bucardo with rc file rc.
func execLine(bin, rc, verb string) string {
	return fmt.Sprintf("%s --bucardorc %s %s", bin, rc, verb)
}

// waitForkedMCP is the unit's command that waits (30 s at most) until pid
// file names the MCP after its fork: a live process whose session (field 6
// of /proc/PID/stat, the 4th after the command name) is not its own pid.
func waitForkedMCP(pidfile string) string {
	return `/bin/sh -c 'f=` + pidfile + `; for _ in $$(seq 300); do ` +
		`p=$$(head -n1 "$$f" 2>/dev/null); s=$$(sed "s/.*) //" "/proc/$$p/stat" 2>/dev/null | cut -d" " -f4); ` +
		`[ -n "$$s" ] && [ "$$s" != "$$p" ] && exit 0; sleep 0.1; done; ` +
		`echo "$$f does not name the forked Bucardo MCP after 30 s" >&2; exit 1'`
}

// ExecStart returns the unit's ExecStart command for instance name, the
// %i filled in: what systemd runs as the OS user bucardo to start it.
func ExecStart(bin, name string) []string {
	return []string{bin, "--bucardorc", RCPath(name), "start"}
}

// Tmpfiles returns the tmpfiles.d entry that creates instance name's run
// folder at boot (/run is a tmpfs).
func Tmpfiles(name string) []byte {
	return fmt.Appendf(nil, "# Run folder (piddir) of Bucardo instance %s, recreated at every boot. Written by bcfork.\n"+
		"d %s 0755 bucardo bucardo -\n"+
		"d %s 0755 bucardo bucardo -\n", name, RunParent, runDir(name))
}

// Logrotate returns the logrotate entry for instance name's logs. The
// daemon keeps its log open, hence copytruncate.
func Logrotate(name string) []byte {
	dir := logDir(name)
	return fmt.Appendf(nil, `# Logs of Bucardo instance %s. Written by bcfork.
%s/log.bucardo %s/*.log {
	su bucardo bucardo
	weekly
	rotate 8
	compress
	delaycompress
	missingok
	notifempty
	copytruncate
}
`, name, dir, dir)
}
