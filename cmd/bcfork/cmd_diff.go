package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func diffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("diff: not built yet")
		},
	}
}
