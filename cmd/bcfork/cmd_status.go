package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("status: not built yet")
		},
	}
}
