package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/bcfork/bcfork/rebase"
)

// rebaseHint gives the next step after a rebase of the command line c
// stopped or failed.
func rebaseHint(err error, c call) string {
	var we *workError
	var me *rebase.MarkerError
	var ve *rebase.VerifyError
	var oe *oldFilesError
	switch {
	case errors.As(err, &oe):
		return upstreamHintFor(oe.err, c, oldSide)
	case errors.As(err, &me) && errors.As(err, &we):
		return fmt.Sprintf("finish resolving %s (from line %d), then bcfork rebase --continue%s again; bcfork rebase --abort%s gives up",
			filepath.Join(we.work, me.File), me.Line, workFlag(we.work), workFlag(we.work))
	case errors.Is(err, rebase.ErrConflict) && errors.As(err, &we):
		return fmt.Sprintf("in %s, keep in each marked region what both sides need and delete the marker lines, then bcfork rebase --continue%s; bcfork rebase --abort%s gives up",
			we.work, workFlag(we.work), workFlag(we.work))
	case errors.Is(err, errNoRebase):
		return "start one with bcfork rebase --version OLD --onto NEW; --work DIR names another work folder"
	case errors.As(err, &ve):
		return "this is a bug in bcfork: please report it with the old series and both releases; nothing was written"
	}
	return ""
}
