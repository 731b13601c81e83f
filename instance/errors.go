package instance

import (
	"fmt"
	"strings"
)

// NotInstalledError is returned when the fork is not installed: an
// instance needs the fork's bucardo.
type NotInstalledError struct {
	Receipt string // real path of the install receipt
	State   string // the receipt's state when an install was interrupted; "" if none
}

func (e *NotInstalledError) Error() string {
	if e.State != "" {
		return fmt.Sprintf("the fork is not installed: the install receipt %q says %q", e.Receipt, e.State)
	}
	return fmt.Sprintf("the fork is not installed (no install receipt at %q): an instance needs the fork's bucardo", e.Receipt)
}

// UnknownError is returned for an instance bcfork does not manage.
type UnknownError struct {
	Name  string
	Known []string // the instances there are
}

func (e *UnknownError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no instance %q: there are no instances", e.Name)
	}
	return fmt.Sprintf("no instance %q (instances: %s)", e.Name, strings.Join(e.Known, ", "))
}

// ExistsError is returned when add finds the name taken.
type ExistsError struct {
	Name  string
	Path  string // real path of a file in the way; "" when the record has the instance
	State string // the instance's state in the record
}

func (e *ExistsError) Error() string {
	switch {
	case e.Path != "":
		return fmt.Sprintf("instance %q: %q exists and bcfork did not write it", e.Name, e.Path)
	case e.State != StateAdded:
		return fmt.Sprintf("instance %q exists, half made (its %s was interrupted)", e.Name, map[string]string{StateAdding: "add", StateRemoving: "removal"}[e.State])
	}
	return fmt.Sprintf("instance %q exists", e.Name)
}

// DatabaseInUseError is returned when another instance has the config
// database add was asked to use.
type DatabaseInUseError struct {
	DB Connection
	By string // the instance that has it
}

func (e *DatabaseInUseError) Error() string {
	return fmt.Sprintf("instance %q already uses the config %s", e.By, e.DB.describe())
}

// DatabaseError is returned when the config database exists and add was
// to create it, or is missing and add was not to (--no-create).
type DatabaseError struct {
	DB     Connection
	Exists bool
}

func (e *DatabaseError) Error() string {
	if e.Exists {
		return fmt.Sprintf("the config %s exists already", e.DB.describe())
	}
	return fmt.Sprintf("the config %s does not exist", e.DB.describe())
}

// UnitError is returned when a unit file bcfork did not write, or changed
// since bcfork wrote it, is where bcfork writes the template unit.
type UnitError struct{ Path string }

func (e *UnitError) Error() string {
	return fmt.Sprintf("%q exists and is not the unit bcfork wrote", e.Path)
}

// ChangedError is returned when upgrade finds files it would rewrite that
// are not as bcfork wrote them: changed, gone, of another mode or owner.
// Nothing was changed; Force rewrites them, keeping a copy of changed
// content.
type ChangedError struct {
	Files []string // each its quoted real path and how it differs
}

func (e *ChangedError) Error() string {
	return "not upgrading what changed since bcfork wrote it (nothing was changed): " + strings.Join(e.Files, "; ")
}

// IncompleteError is returned when an add or remove stopped half way and
// could not be undone; remove finishes it.
type IncompleteError struct {
	Name string
	Op   string // "add" or "remove"
	Err  error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%s of instance %q stopped half way: %v", e.Op, e.Name, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// InUseError is returned by Guard while instances exist.
type InUseError struct{ Names []string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("%d Bucardo instance(s) use the fork: %s", len(e.Names), strings.Join(e.Names, ", "))
}

// ExitError is returned by Exec when bucardo exits non-zero.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("bucardo exited with status %d", e.Code) }
