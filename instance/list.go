package instance

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Status is what List says of one instance.
type Status struct {
	Name     string     `json:"name"`
	State    string     `json:"state"` // added, or adding/removing when interrupted
	Database Connection `json:"database"`
	RC       string     `json:"rc"`      // real path of its rc file
	PID      int        `json:"pid"`     // from its pid file; 0 if none
	Running  bool       `json:"running"` // the pid is a live process
	Enabled  bool       `json:"enabled"` // bucardo@NAME.service starts at boot
	Service  string     `json:"service"`
	// Outdated lists the real paths of the files the instance uses (the
	// template unit, its tmpfiles.d and logrotate entries) that an older
	// bcfork wrote otherwise than this one writes them: bcfork instance
	// upgrade rewrites them. Empty when there are none.
	Outdated []string `json:"outdated"`
}

// List returns the instances bcfork manages, with their config database,
// rc file, daemon and unit, and the files of theirs that an older bcfork
// wrote otherwise.
func List(o Options) ([]Status, error) {
	o, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	outdated := map[string][]string{}
	for _, g := range o.outdatedFiles(rec) {
		for _, name := range g.instances {
			outdated[name] = append(outdated[name], o.real(g.file.Path))
		}
	}
	list := []Status{}
	for _, in := range rec.Instances {
		s := Status{Name: in.Name, State: in.State, Database: in.Database, RC: o.real(in.RC), Service: Service(in.Name),
			Outdated: append([]string{}, outdated[in.Name]...)}
		if cfg, err := readConfig(o, in); err == nil {
			s.Database = cfg.Connection()
		}
		s.PID, s.Running = daemon(o, in.Name)
		s.Enabled = o.exists(o.real(wantsLink(in.Name)))
		list = append(list, s)
	}
	return list, nil
}

// Names lists the instances bcfork manages, for uninstall's guard.
func Names(o Options) ([]string, error) {
	_, rec, err := o.load()
	if err != nil {
		return nil, err
	}
	return rec.Names(), nil
}

// Guard returns an InUseError while instances exist: uninstalling the fork
// would leave their daemons without the script they run.
func Guard(o Options) error {
	names, err := Names(o)
	if err != nil || len(names) == 0 {
		return err
	}
	return &InUseError{Names: names}
}

// readConfig reads instance in's rc file.
func readConfig(o Options, in *Instance) (Config, error) {
	data, _, err := o.fs().ReadFile(o.real(in.RC), maxFile)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(data)
}

// daemon returns the pid in instance name's pid file and whether that
// process runs.
func daemon(o Options, name string) (int, bool) {
	data, _, err := o.fs().ReadFile(o.real(pidFile(name)), maxFile)
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, alive(pid)
}

// alive reports whether process pid runs and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}
