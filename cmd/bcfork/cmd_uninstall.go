package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func uninstallCommand() *cli.Command {
	return &cli.Command{
		Name:  "uninstall",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("uninstall: not built yet")
		},
	}
}
