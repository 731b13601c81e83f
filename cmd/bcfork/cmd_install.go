package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func installCommand() *cli.Command {
	return &cli.Command{
		Name:  "install",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("install: not built yet")
		},
	}
}
