package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// Exec runs the installed fork's bucardo for instance name with args,
// as the OS user bucardo, in the instance's log folder (bucardo writes
// relative files there) and with its rc file: bucardo --bucardorc RC ARGS.
// It returns an ExitError when bucardo exits non-zero.
func Exec(ctx context.Context, o Options, name string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	in, err := find(o, name)
	if err != nil {
		return err
	}
	bin, err := o.forkScript()
	if err != nil {
		return err
	}
	acct, err := lookupAccount(o.Root, OSUser)
	if err != nil {
		return err
	}
	cfg, err := readConfig(o, in)
	if err != nil {
		return fmt.Errorf("reading the rc file of instance %s: %w", name, err)
	}
	run := &runner{acct: acct, psql: o.PSQL}
	forget, err := run.withPassword(cfg.DBUser, cfg.DBPass)
	if err != nil {
		return err
	}
	defer forget()
	cmd, err := run.command(ctx, o.real(logDir(name)), o.real(bin), append([]string{"--bucardorc", o.real(in.RC)}, args...)...)
	if err != nil {
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return &ExitError{Code: exit.ExitCode()}
	}
	if err != nil {
		return fmt.Errorf("running bucardo for instance %s: %w", name, err)
	}
	return nil
}

// find returns the added instance name.
func find(o Options, name string) (*Instance, error) {
	rec, err := o.readRecord()
	if err != nil {
		return nil, err
	}
	in := rec.find(name)
	if in == nil {
		return nil, &UnknownError{Name: name, Known: rec.Names()}
	}
	if in.State != StateAdded {
		return nil, &ExistsError{Name: name, State: in.State}
	}
	return in, nil
}
