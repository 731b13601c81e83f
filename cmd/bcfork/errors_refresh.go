package main

import (
	"errors"

	"github.com/bcfork/bcfork/rebase"
)

// refreshHint gives the next step after a refresh was refused.
func refreshHint(err error) string {
	var se *rebase.SpanError
	var stale *staleSeriesError
	switch {
	case errors.As(err, &se) && se.Named != "":
		return "leave out PATCH to put the edit where its lines are, or undo the part that belongs to another patch first"
	case errors.As(err, &se):
		return "refresh one patch at a time: undo the edit of all but one, refresh, then redo the next"
	case errors.As(err, &stale):
		return "generate the fork again from that series with bcfork generate --patches, make the edit there, then refresh"
	}
	return ""
}
