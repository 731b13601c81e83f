package main

import (
	"errors"
	"fmt"

	"github.com/bcfork/bcfork/generator"
)

func init() {
	exitMappers = append(exitMappers, generatorExit)
	hinters = append(hinters, generatorHint)
}

func generatorExit(err error) int {
	var ae *generator.ApplyError
	if errors.As(err, &ae) {
		return ExitConflict
	}
	return 0
}

func generatorHint(err error) string {
	var ae *generator.ApplyError
	switch {
	case errors.As(err, &ae):
		see := fmt.Sprintf("see it with GNU patch: bcfork fetch --version %s --out DIR && patch -p1 --dry-run -d DIR -i %s", applyVersion(err), ae.Patch)
		if ae.NearestTotal > 0 && ae.NearestMatched < ae.NearestTotal {
			see += "\nbcfork: hint: if upstream only changed its context, --fuzz 1 (or 2) applies the hunk and reports it; review with bcfork diff"
		}
		return see
	case errors.Is(err, generator.ErrExists):
		return ""
	case errors.Is(err, errNoSeries):
		return "maintainers carry a series to a new release with a rebase; --patches DIR uses a series folder on disk"
	}
	return ""
}

// versionedError carries the version whose series failed, for the hint.
type versionedError struct {
	version string
	err     error
}

func (e *versionedError) Error() string { return e.err.Error() }
func (e *versionedError) Unwrap() error { return e.err }

func applyVersion(err error) string {
	var ve *versionedError
	if errors.As(err, &ve) {
		return ve.version
	}
	return "V"
}
