package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func versionsCommand() *cli.Command {
	return &cli.Command{
		Name:  "versions",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("versions: not built yet")
		},
	}
}
