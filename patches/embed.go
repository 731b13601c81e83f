// Package patches holds bcfork's patch series and upstream pins as data.
//
// The tree is patches/<flavor>/<version>/ with a quilt-style series file,
// the patches it lists, checksums (sha256sum format) pinning the pristine
// upstream files the series applies to, and optionally commit (one line, the
// 40-hex upstream commit of the release; a tag that moves is refused). A
// version folder may hold only its pins: the release is pinned but has no
// series yet. Package internal/catalog reads the tree.
package patches

import "embed"

// FS is the embedded tree, rooted so that "upstream/5.6.0/series" is a path in it.
//
//go:embed upstream debian
var FS embed.FS
