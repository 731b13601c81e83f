package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/urfave/cli/v2"
)

func instanceCommand() *cli.Command {
	return &cli.Command{
		Name:            "instance",
		Usage:           "run several Bucardo daemons on this host as systemd services",
		UsageText:       "bcfork instance add|list|exec|check|upgrade|remove [options] [NAME]",
		Description:     instanceDescription,
		HideHelpCommand: true,
		Subcommands: []*cli.Command{
			instanceAddCommand(),
			instanceListCommand(),
			instanceExecCommand(),
			instanceCheckCommand(),
			instanceUpgradeCommand(),
			instanceRemoveCommand(),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError{err: fmt.Errorf("unknown instance command %q (add, list, exec, check, upgrade, remove)", c.Args().First()),
					hint: subcommandHint(c.Command, c.Args().First())}
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

const instanceDescription = `Each instance NAME is one Bucardo daemon with its own config database
(bucardo_NAME), its own rc file /etc/bucardo/NAME.rc holding every option its
bucardo commands need, its own pid folder /run/bucardo/NAME and logs in
/var/log/bucardo/NAME, and runs as the systemd service bucardo@NAME, as the OS
user bucardo. The fork must be installed first (bcfork install).

   bcfork instance add a                  rc file, folders, unit, config database bucardo_a
   bcfork instance exec a -- add db ...   any bucardo command, for that instance
   systemctl enable --now bucardo@a       start it, now and at boot
   bcfork instance list                   the instances, their daemons and units
   bcfork instance check                  databases two instances replicate; Bucardo.pm
   bcfork instance upgrade                rewrite the unit an older bcfork wrote
   bcfork instance remove a               stop it and remove it

What bcfork wrote is recorded in /var/lib/bcfork/instances.json; bcfork status
checks it, and bcfork uninstall refuses while instances exist. After an
upgrade of bcfork, bcfork status and bcfork instance list say when a file an
older bcfork wrote (the template unit) is not what this one writes: bcfork
instance upgrade rewrites it.

Exit codes: 0 ok; 1 failure; 2 usage; 5 instance upgrade found a file
changed since bcfork wrote it; 6 instance check found a problem; instance
exec exits with bucardo's own status.`

// instanceRoot is the --root flag of the instance commands.
type instanceRoot struct {
	Root string // --root: prefix every path
}

func (r *instanceRoot) rootFlag() cli.Flag {
	return &cli.StringFlag{Name: "root", Destination: &r.Root, Usage: "prefix every path with `DIR` (packaging, tests); systemd is not asked"}
}

// options turns --root into instance.Options.
func (r instanceRoot) options() (instance.Options, error) {
	if r.Root == "" {
		return instance.Options{}, nil
	}
	abs, err := filepath.Abs(r.Root)
	if err != nil {
		return instance.Options{}, usagef("--root %q: %v", r.Root, err)
	}
	return instance.Options{Root: abs}, nil
}

// nameArg returns the NAME argument of c: one argument, which options may
// follow (bcfork instance add a --dbhost h).
func nameArg(c *cli.Context) (string, error) {
	args := c.Args().Slice()
	rest, err := lateFlags(c, args[1:])
	if err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", usagef("instance %s takes one NAME, got %q", c.Command.Name, append(args[:1:1], rest...))
	}
	return args[0], nil
}

// lateFlags sets the options given after NAME, which urfave/cli leaves in
// the arguments, and returns the other arguments.
func lateFlags(c *cli.Context, args []string) ([]string, error) {
	set := flag.NewFlagSet(c.Command.Name, flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if isBool(f) {
				set.Bool(n, false, "")
			} else {
				set.String(n, "", "")
			}
		}
	}
	var rest []string
	for {
		if err := set.Parse(args); err != nil {
			return nil, usageError{err: err, hint: flagHint(c.App, c.Command, strings.TrimPrefix(c.Command.HelpName, c.App.Name+" "), err)}
		}
		if args = set.Args(); len(args) == 0 {
			break
		}
		rest, args = append(rest, args[0]), args[1:]
	}
	var err error
	set.Visit(func(f *flag.Flag) {
		if f.Name == "help" || f.Name == "h" {
			err = errShowHelp
		} else if e := c.Set(f.Name, f.Value.String()); e != nil && err == nil {
			err = usageError{err: e}
		}
	})
	return rest, err
}

// errShowHelp asks for the command's help after --help following NAME.
var errShowHelp = fmt.Errorf("help")

// needsName is the Before of the commands that take NAME.
func needsName(c *cli.Context) error {
	if !c.Args().Present() {
		return usagef("instance %s needs the instance NAME", c.Command.Name)
	}
	return nil
}

// withName is the Action of a command that takes NAME: action with NAME.
func withName(run func(ctx context.Context, name string, stdout, stderr io.Writer) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		name, err := nameArg(c)
		if err == errShowHelp {
			return cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name)
		}
		if err != nil {
			return err
		}
		return run(c.Context, name, c.App.Writer, c.App.ErrWriter)
	}
}

// ---------------------------------------------------------------- add

// instanceAddOptions are the flags of bcfork instance add.
type instanceAddOptions struct {
	instanceRoot
	DBName   string // --dbname
	DBHost   string // --dbhost
	DBPort   string // --dbport
	DBUser   string // --dbuser
	PassFile string // --dbpass-file
	NoCreate bool   // --no-create
	Enable   bool   // --enable
}

func instanceAddCommand() *cli.Command {
	var o instanceAddOptions
	return &cli.Command{
		Name:      "add",
		Usage:     "add a Bucardo instance: rc file, folders, unit, config database",
		UsageText: "bcfork instance add NAME [--dbname DB] [--dbhost H] [--dbport P] [--dbuser U] [--dbpass-file F] [--no-create] [--enable] [--root DIR]",
		Description: `Adds the Bucardo instance NAME (a lower case identifier: letters, digits and
underscores, not starting with a digit; Bucardo lowercases the pid folder it
stores). It writes, atomically:
   /etc/bucardo/NAME.rc               dbname, dbhost, dbport, dbuser (dbpass with
                                      --dbpass-file), piddir /run/bucardo/NAME,
                                      logdest /var/log/bucardo/NAME, extraname NAME;
                                      mode 0640, owned by the OS user bucardo
   /etc/tmpfiles.d/bucardo-NAME.conf  recreates /run/bucardo/NAME at boot
   /etc/logrotate.d/bucardo-NAME      rotates its logs
   /etc/systemd/system/bucardo@.service  the template unit, with the first instance
creates /run/bucardo/NAME and /var/log/bucardo/NAME (owned by bucardo), then
creates the config database (bucardo_NAME unless --dbname) with bucardo install
--batch, unless --no-create (the database exists already), and sets its pid
folder and its reason, warning and conflict files to absolute paths under
/var/log/bucardo/NAME (bucardo set). bucardo and psql run as the OS user
bucardo. A password given with --dbpass-file goes into the rc file and, for
psql, a temporary password file (PGPASSFILE): never on a command line. Without
it, libpq uses ~bucardo/.pgpass or trust.

It refuses a name or a config database another instance has, a host where the
fork is not installed or the OS user bucardo is missing, and a PostgreSQL it
cannot reach (before writing anything). If anything fails later, what it did
is undone: a failed add leaves no instance behind.

With --enable, and systemd running the host, it runs systemctl enable --now
bucardo@NAME; otherwise it says what to run.

Exit codes: 0 added; 1 failure (nothing left behind, unless it says "stopped
half way": then bcfork instance remove NAME cleans up); 2 usage.

Examples:
   bcfork instance add a --enable
   bcfork instance add b --dbhost db1.example.com --dbport 5433 --dbpass-file /root/b.pass
   bcfork instance add old --dbname bucardo --no-create`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dbname", Destination: &o.DBName, Usage: "config database `DB` (default bucardo_NAME)"},
			&cli.StringFlag{Name: "dbhost", Destination: &o.DBHost, Usage: "PostgreSQL host or socket folder `H` (default: libpq's)"},
			&cli.StringFlag{Name: "dbport", Destination: &o.DBPort, Usage: "PostgreSQL port `P` (default: libpq's, 5432)"},
			&cli.StringFlag{Name: "dbuser", Destination: &o.DBUser, Usage: "PostgreSQL role `U` bucardo connects as (default bucardo)"},
			&cli.StringFlag{Name: "dbpass-file", Destination: &o.PassFile, Usage: "read the role's password from `FILE` (its first line)"},
			&cli.BoolFlag{Name: "no-create", Destination: &o.NoCreate, Usage: "the config database exists: do not create it"},
			&cli.BoolFlag{Name: "enable", Destination: &o.Enable, Usage: "systemctl enable --now bucardo@NAME (when systemd runs the host)"},
			o.rootFlag(),
		},
		Before: needsName,
		Action: withName(o.run),
	}
}

func (o *instanceAddOptions) run(ctx context.Context, name string, stdout, _ io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	a := instance.AddOptions{Name: name, NoCreate: o.NoCreate, Enable: o.Enable,
		Database: instance.Connection{Name: o.DBName, Host: o.DBHost, Port: o.DBPort, User: o.DBUser}}
	if o.PassFile != "" {
		if a.Password, err = readPassword(o.PassFile); err != nil {
			return err
		}
	}
	res, err := instance.Add(ctx, opt, a)
	if res != nil {
		printInstanceResult(stdout, res, "added instance "+name)
	}
	return instanceErr(err)
}

// maxPasswordLine caps what readPassword reads of --dbpass-file.
const maxPasswordLine = 4096

// readPassword returns the first line of file, reading at most
// maxPasswordLine bytes of it: a file with a longer first line, or
// /dev/zero, is refused, not read whole. The user names the file, so a
// link or a pipe (--dbpass-file <(pass show db)) is read as named.
func readPassword(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", usagef("--dbpass-file: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPasswordLine+1))
	if err != nil {
		return "", usagef("--dbpass-file: %v", err)
	}
	line, _, found := strings.Cut(string(data), "\n")
	if !found && len(data) > maxPasswordLine {
		return "", usagef("--dbpass-file %q: the first line is longer than %d bytes", file, maxPasswordLine)
	}
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", usagef("--dbpass-file %q: the first line is empty", file)
	}
	return line, nil
}

func printInstanceResult(w io.Writer, res *instance.Result, done string) {
	for _, a := range res.Actions {
		fmt.Fprintf(w, "  %s\n", a)
	}
	fmt.Fprintln(w, done)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// ---------------------------------------------------------------- list

// instanceListOptions are the flags of bcfork instance list.
type instanceListOptions struct {
	instanceRoot
	JSON bool // --json
}

func instanceListCommand() *cli.Command {
	var o instanceListOptions
	return &cli.Command{
		Name:      "list",
		Usage:     "list the instances, their config database, rc file, daemon and unit",
		UsageText: "bcfork instance list [--json] [--root DIR]",
		Description: `Lists the instances bcfork manages: name, config database and server, rc
file, the daemon's pid (from /run/bucardo/NAME/bucardo.mcp.pid) and whether it
runs, and whether bucardo@NAME.service is enabled (starts at boot).

After the list, a note names each file bcfork wrote for the instances (the
template unit, a tmpfiles.d or logrotate entry) that is as an older bcfork
wrote it while this bcfork writes it otherwise: bcfork instance upgrade
rewrites it.

--json prints an array of objects: name, state ("added", or "adding" or
"removing" when interrupted), database {name, host, port, user}, rc, pid,
running, enabled, service, outdated (the paths of the files the instance uses
that bcfork instance upgrade rewrites; [] if none). Fields may be added, never
renamed or removed.

Exit codes: 0 ok; 1 failure; 2 usage.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Destination: &o.JSON, Usage: "print the list as JSON"},
			o.rootFlag(),
		},
		Action: action(o.run),
	}
}

func (o *instanceListOptions) run(_ context.Context, w, _ io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	list, err := instance.List(opt)
	if err != nil {
		return instanceErr(err)
	}
	if o.JSON {
		return printJSON(w, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "no instances (bcfork instance add NAME adds one)")
		return nil
	}
	notices, err := instance.Notices(opt)
	if err != nil {
		return instanceErr(err)
	}
	printInstances(w, list)
	printNotices(w, notices)
	return nil
}

func printInstances(w io.Writer, list []instance.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDATABASE\tSERVER\tRC FILE\tDAEMON\tUNIT")
	for _, s := range list {
		daemon := "stopped"
		switch {
		case s.State != instance.StateAdded:
			daemon = s.State + " (interrupted: bcfork instance remove " + s.Name + ")"
		case s.Running:
			daemon = fmt.Sprintf("running (pid %d)", s.PID)
		case s.PID != 0:
			daemon = fmt.Sprintf("stopped (stale pid %d)", s.PID)
		}
		unit := "disabled"
		if s.Enabled {
			unit = "enabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s %s\n", s.Name, s.Database.Name, server(s.Database), s.RC, daemon, s.Service, unit)
	}
	tw.Flush()
}

// server names a database server for people.
func server(c instance.Connection) string {
	host, port := c.Host, c.Port
	if host == "" {
		host = "local"
	}
	if port == "" {
		port = "5432"
	}
	return host + ":" + port
}

// ---------------------------------------------------------------- exec

// instanceExecOptions are the flags of bcfork instance exec.
type instanceExecOptions struct {
	instanceRoot
}

func instanceExecCommand() *cli.Command {
	var o instanceExecOptions
	return &cli.Command{
		Name:      "exec",
		Usage:     "run a bucardo command for an instance",
		UsageText: "bcfork instance exec [--root DIR] NAME -- ARGS...",
		Description: `Runs the installed fork's bucardo with the instance's rc file, as the OS user
bucardo, in the instance's log folder: bucardo --bucardorc /etc/bucardo/NAME.rc
ARGS. After NAME, bcfork's own options may come before a --; everything after
the -- goes to bucardo (without a --, everything after NAME does).

Exit codes: bucardo's own exit status; 1 or 2 when bcfork fails before bucardo
runs (unknown instance, fork not installed, usage).

Examples:
   bcfork instance exec a -- add db src dbname=shop host=db1
   bcfork instance exec a -- add sync s1 dbs=src:source,dst:target tables=public.t
   bcfork instance exec a -- status`,
		Flags:  []cli.Flag{o.rootFlag()},
		Before: needsName,
		Action: func(c *cli.Context) error {
			name, args, err := execArgs(c)
			if err != nil {
				return err
			}
			return o.run(c.Context, name, args, os.Stdin, c.App.Writer, c.App.ErrWriter)
		},
	}
}

func (o *instanceExecOptions) run(ctx context.Context, name string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	return instanceErr(instance.Exec(ctx, opt, name, args, stdin, stdout, stderr))
}

// execArgs splits exec's arguments: NAME, bcfork's options up to --, and
// bucardo's arguments after it (all of them after NAME, without --).
func execArgs(c *cli.Context) (string, []string, error) {
	args := c.Args().Slice()
	if args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, usagef("instance exec needs the instance NAME, then the bucardo arguments: bcfork instance exec NAME -- ARGS")
	}
	name, rest := args[0], args[1:]
	if i := slices.Index(rest, "--"); i >= 0 {
		extra, err := lateFlags(c, rest[:i])
		if err == errShowHelp {
			return "", nil, cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name)
		}
		if err != nil {
			return "", nil, err
		}
		if len(extra) > 0 {
			return "", nil, usagef("instance exec %s: %q before --: bucardo's arguments go after it", name, extra)
		}
		rest = rest[i+1:]
	}
	if len(rest) == 0 {
		return "", nil, usagef("instance exec %s: which bucardo command? e.g. bcfork instance exec %s -- status", name, name)
	}
	return name, rest, nil
}

// ---------------------------------------------------------------- check

// instanceCheckOptions are the flags of bcfork instance check.
type instanceCheckOptions struct {
	instanceRoot
	JSON bool // --json
}

func instanceCheckCommand() *cli.Command {
	var o instanceCheckOptions
	return &cli.Command{
		Name:      "check",
		Usage:     "find databases two instances replicate, and a Bucardo.pm of another release",
		UsageText: "bcfork instance check [--json] [--root DIR]",
		Description: `Reads each instance's config database (the table bucardo.db, with psql as the
OS user bucardo) and reports every database that more than one instance
replicates: such instances share that database's bucardo schema (delta and
track tables, triggers) and its NOTIFY channels, and undo each other's work.
A database is known by its server and name; an empty host, a socket folder,
localhost, 127.0.0.1 and ::1 all count as this host.

It also compares the installed fork's version with the host's Bucardo.pm:
after an upgrade of the bucardo package they differ, and bucardo start dies
with "Version mismatch" until the fork of the new release is installed.

--json prints one object: instances, shared [{database, uses [{instance,
name}]}], unread {instance: why}, script_version, module_version,
version_mismatch.

Exit codes: 0 nothing found; 1 failure (e.g. an instance's config database
cannot be read); 2 usage; 6 a database two instances replicate, or a
Bucardo.pm of another release than the fork.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Destination: &o.JSON, Usage: "print the report as JSON"},
			o.rootFlag(),
		},
		Action: action(o.run),
	}
}

func (o *instanceCheckOptions) run(ctx context.Context, w, _ io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	module, err := install.FindModule(opt.Root, perlINC(ctx, opt.Root))
	if err != nil {
		return instanceErr(err)
	}
	r, err := instance.Check(ctx, opt, module)
	if err != nil {
		return instanceErr(err)
	}
	if o.JSON {
		if err := printJSON(w, r); err != nil {
			return err
		}
	} else {
		printCheck(w, r, module != nil)
	}
	return checkOutcome(r)
}

func printCheck(w io.Writer, r *instance.Report, moduleFound bool) {
	fmt.Fprintf(w, "instances: %s\n", orNone(strings.Join(r.Instances, ", ")))
	switch {
	case !moduleFound:
		fmt.Fprintf(w, "Bucardo.pm: none found; the fork's script is %s\n", r.Script)
	case r.Mismatch:
		fmt.Fprintf(w, "MISMATCH: the fork's script is Bucardo %s but Bucardo.pm is %s: bucardo start will die with \"Version mismatch\"\n", r.Script, r.Module)
	default:
		fmt.Fprintf(w, "Bucardo.pm %s matches the fork's script\n", r.Module)
	}
	for _, s := range r.Shared {
		var uses []string
		for _, u := range s.Uses {
			uses = append(uses, fmt.Sprintf("%s (as %s)", u.Instance, u.Name))
		}
		fmt.Fprintf(w, "SHARED: %s is replicated by %s\n", s.Database, strings.Join(uses, ", "))
	}
	for _, name := range sortedNames(r.Unread) {
		fmt.Fprintf(w, "UNREAD: instance %s: %s\n", name, r.Unread[name])
	}
	if !r.Problems() && len(r.Unread) == 0 {
		fmt.Fprintln(w, "no database is replicated by more than one instance")
	}
}

// checkOutcome is the error that gives instance check its exit code.
func checkOutcome(r *instance.Report) error {
	switch {
	case r.Problems():
		return checkProblems{r}
	case len(r.Unread) > 0:
		return fmt.Errorf("could not read the config database of %s", strings.Join(sortedNames(r.Unread), ", "))
	}
	return nil
}

// checkProblems is instance check's outcome when it found something: exit 6.
type checkProblems struct{ r *instance.Report }

func (e checkProblems) Error() string {
	var what []string
	if n := len(e.r.Shared); n > 0 {
		what = append(what, fmt.Sprintf("%d database(s) replicated by more than one instance", n))
	}
	if e.r.Mismatch {
		what = append(what, "Bucardo.pm is not the fork's release")
	}
	return "instance check: " + strings.Join(what, "; ")
}

// ---------------------------------------------------------------- upgrade

// instanceUpgradeOptions are the flags of bcfork instance upgrade.
type instanceUpgradeOptions struct {
	instanceRoot
	Force bool // --force
}

func instanceUpgradeCommand() *cli.Command {
	var o instanceUpgradeOptions
	return &cli.Command{
		Name:      "upgrade",
		Usage:     "rewrite the files an older bcfork wrote for the instances as this one writes them",
		UsageText: "bcfork instance upgrade [--force] [--root DIR]",
		Description: `After an upgrade of bcfork, rewrites the files bcfork generates for the
instances where this bcfork writes them otherwise than an older one did: the
template unit /etc/systemd/system/bucardo@.service (since this release it waits
for the daemon's pid after its fork: under systemd, an instance started with
the older unit could be stopped a second after it started), and each
instance's /etc/tmpfiles.d/bucardo-NAME.conf and /etc/logrotate.d/bucardo-NAME.
The rc files are the operator's and stay as they are. bcfork status and bcfork
instance list say when there is something to rewrite.

Each file is replaced atomically, and only if it is still what the record says
bcfork wrote: a file changed since (or gone, or of another mode or owner) is
refused, naming it, and nothing is changed. With --force it is rewritten all
the same, and changed content is first kept in
/var/lib/bcfork/backup/PATH.replaced-SUM (diff -u that copy with the new file
to carry a change over; customise the unit with a drop-in: systemctl edit
bucardo@.service). A link, a FIFO or a folder in the way is refused even
with --force.

It then records the files and, after a new unit and when systemd runs the
host, runs systemctl daemon-reload. It restarts no instance: it names those
that run under the old unit (systemctl restart bucardo@NAME starts one under
the new unit). Run it again after an interruption to finish; run twice, the
second says there is nothing to do.

Exit codes: 0 upgraded, or nothing to do; 1 failure (run it again once the
cause is fixed); 2 usage; 5 a file changed since bcfork wrote it (left alone
without --force).`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Destination: &o.Force, Usage: "rewrite a file changed since bcfork wrote it too, keeping a copy"},
			o.rootFlag(),
		},
		Action: action(o.run),
	}
}

func (o *instanceUpgradeOptions) run(ctx context.Context, stdout, _ io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	res, err := instance.Upgrade(ctx, opt, instance.UpgradeOptions{Force: o.Force})
	if err != nil {
		if res != nil {
			printInstanceResult(stdout, res, "upgrade stopped")
		}
		return instanceErr(err)
	}
	if len(res.Actions) == 0 {
		fmt.Fprintln(stdout, "nothing to do: the files bcfork wrote for the instances are as this bcfork writes them")
		return nil
	}
	printInstanceResult(stdout, res, "upgraded the instances' files")
	return nil
}

// ---------------------------------------------------------------- remove

// instanceRemoveOptions are the flags of bcfork instance remove.
type instanceRemoveOptions struct {
	instanceRoot
	DropDatabase bool // --drop-database
}

func instanceRemoveCommand() *cli.Command {
	var o instanceRemoveOptions
	return &cli.Command{
		Name:      "remove",
		Usage:     "stop an instance and remove what add wrote",
		UsageText: "bcfork instance remove NAME [--drop-database] [--root DIR]",
		Description: `Stops the daemon (systemctl disable --now bucardo@NAME when systemd runs the
host, else bucardo stop, waiting until it is gone), then removes the rc file,
the tmpfiles.d and logrotate entries and /run/bucardo/NAME, and the template
unit with the last instance. The logs in /var/log/bucardo/NAME stay, and so
does the config database unless --drop-database (then it says what it
dropped). The databases the instance replicated keep their bucardo schema.

An instance whose add or removal was interrupted is removed the same way,
together with the logs and the config database its half add created. A
removal stopped half way can be run again.

Exit codes: 0 removed; 1 failure (run it again once the cause is fixed);
2 usage.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "drop-database", Destination: &o.DropDatabase, Usage: "drop the instance's config database too"},
			o.rootFlag(),
		},
		Before: needsName,
		Action: withName(o.run),
	}
}

func (o *instanceRemoveOptions) run(ctx context.Context, name string, stdout, _ io.Writer) error {
	opt, err := o.options()
	if err != nil {
		return err
	}
	res, err := instance.Remove(ctx, opt, instance.RemoveOptions{Name: name, DropDatabase: o.DropDatabase})
	if err != nil {
		return instanceErr(err)
	}
	printInstanceResult(stdout, res, "removed instance "+name)
	return nil
}

// ---------------------------------------------------------------- helpers

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// instanceErr marks an error of an instance command: its hints (run as
// root, --root) are those of install's.
func instanceErr(err error) error { return hostErr(err) }
