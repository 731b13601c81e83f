package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TODO(placeholder): replaced by the real command.
func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "(not built yet)",
		Action: func(*cli.Context) error {
			return errors.New("generate: not built yet")
		},
	}
}
