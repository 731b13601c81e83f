package instance

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// Options configure every operation. The zero value works on the real
// root, with psql and systemctl from PATH.
type Options struct {
	Root     string // prefix for every path (packaging, tests); "" is the real root
	StateDir string // host path of bcfork's state folder; install.DefaultStateDir if ""
	PSQL     string // psql program; "psql" if ""
	// Systemctl is the systemctl program, used only when systemd runs the
	// host (never under a root); "systemctl" if "".
	Systemctl   string
	StopTimeout time.Duration // how long remove waits for a daemon to stop; 30 s if 0
	Now         func() time.Time
}

func (o Options) withDefaults() (Options, error) {
	if o.Root != "" {
		o.Root = filepath.Clean(o.Root)
	}
	if o.Root == "/" {
		o.Root = ""
	}
	if o.StateDir == "" {
		o.StateDir = install.DefaultStateDir
	}
	if !filepath.IsAbs(o.StateDir) {
		return o, fmt.Errorf("%q: the state folder must be an absolute path (--root prefixes it)", o.StateDir)
	}
	if o.PSQL == "" {
		o.PSQL = "psql"
	}
	if o.Systemctl == "" {
		o.Systemctl = "systemctl"
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// real returns where host path p is on this machine.
func (o Options) real(p string) string {
	if o.Root == "" {
		return p
	}
	return filepath.Join(o.Root, p)
}

func (o Options) recordPath() string {
	return o.real(filepath.Join(o.StateDir, RecordName))
}

func (o Options) receiptPath() string {
	return o.real(filepath.Join(o.StateDir, "receipt.json"))
}

// systemd reports whether systemd runs this host, so that systemctl can
// enable, start and stop units.
func (o Options) systemd() bool { return systemdRuns(o.Root) }

// systemdRuns reports whether systemd runs the host, as sd_booted does;
// never under a root. Tests replace it.
var systemdRuns = func(root string) bool {
	if root != "" {
		return false
	}
	fi, err := os.Stat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// forkScript returns the host path of the installed fork's script, or
// ErrNotInstalled.
func (o Options) forkScript() (string, error) {
	rc, err := install.ReadReceipt(install.Options{Root: o.Root, StateDir: o.StateDir})
	if err != nil {
		return "", err
	}
	if rc == nil || rc.State != install.StateInstalled {
		state := ""
		if rc != nil {
			state = rc.State
		}
		return "", &NotInstalledError{Receipt: o.receiptPath(), State: state}
	}
	for _, t := range rc.Targets {
		if t.Name == bucardo.Script {
			return t.Path, nil
		}
	}
	return install.DefaultBin, nil
}

// load applies o's defaults and reads the instance record, the first step
// of every operation on instances.
func (o Options) load() (Options, *Record, error) {
	o, err := o.withDefaults()
	if err != nil {
		return o, nil, err
	}
	rec, err := o.readRecord()
	return o, rec, err
}
