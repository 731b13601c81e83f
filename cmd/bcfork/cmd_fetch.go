package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func fetchCommand() *cli.Command {
	return &cli.Command{
		Name:  "fetch",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("fetch: not built yet")
		},
	}
}
