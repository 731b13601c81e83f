/*
Bcfork makes a reproducible fork of Bucardo whose config database name is a
parameter, so that several Bucardo daemons can run on one host, each with its
own config database, and puts that fork on a host safely.

Usage:

	bcfork COMMAND [options]
	bcfork help COMMAND     (or bcfork COMMAND --help)

Bucardo's installer fixes the name of its config database to "bucardo"
(upstream issue #76). Two upstream files must change: the bucardo script and
bucardo.schema. bcfork never ships them: it fetches the pristine files of a
release, checks them against the sha256 sums pinned in its patch series,
applies the series, and writes or installs the result.

# Commands

versions lists upstream releases, newest first, and marks which have a patch
series, which are pinned and which are cached.

fetch --version V gets the pristine files of release V (or any ref with
--allow-unpinned), verifies them and caches them; --out DIR also writes them.

generate --version V writes the fork folder ./bcfork-V (or --out DIR): the
forked bucardo (0755) and bucardo.schema, the pristine copies bucardo.orig
and bucardo.schema.orig, and manifest.json (source, commit, sha256 of every
file, how each hunk applied). Without --version, V is the $VERSION of the
--from files, else the newest release with a series. Nothing is written when
anything fails; an existing folder is replaced only with --force, and only
when it holds nothing but a fork; the same inputs give the same bytes.

diff --version V prints the fork's unified diff against the pristine files
(--color always | less -R pages it in colour); a patch applied with an offset
or fuzz is reported on standard error. diff FORKDIR diffs a fork folder's own
pristine copies against its fork, offline.

install [--from DIR | --version V] puts the fork at /usr/bin/bucardo and
/usr/local/share/bucardo/bucardo.schema: both files or neither, each replaced
atomically, what was there kept byte for byte, a receipt in /var/lib/bcfork,
and Debian's packaged file diverted with dpkg-divert. uninstall puts back what
install replaced, absence included (--pristine writes the pristine originals
where nothing was); status says what each target holds.

instance runs several Bucardo daemons on the host as systemd services, once
the fork is installed. instance add NAME writes /etc/bucardo/NAME.rc (every
option the instance's bucardo commands need), the template unit
bucardo@.service, a tmpfiles.d entry for /run/bucardo/NAME and a logrotate
entry for /var/log/bucardo/NAME, creates the config database bucardo_NAME,
and undoes itself if anything fails. instance exec NAME -- ARGS runs bucardo
ARGS for that instance as the OS user bucardo; instance list shows the
instances, their daemons and units; instance check finds a database two
instances replicate (exit code 6); instance remove NAME stops the daemon and
removes what add wrote. instance exec exits with bucardo's own exit status.
What was written is recorded in /var/lib/bcfork/instances.json, which status
checks; uninstall refuses while instances exist. After an upgrade of bcfork,
status and instance list note a file an older bcfork wrote that this one
writes otherwise (the template unit); instance upgrade rewrites such files
where they are as bcfork wrote them (--force: changed ones too, keeping a
copy; exit code 5 without it), runs systemctl daemon-reload and names the
instances to restart; instance add, when it rewrites the unit, names the
other instances to restart too.

For the maintainers of the series:

rebase carries a series onto another upstream release or ref (--flavor:
another flavor's files) with a 3-way merge per patch, reports each patch
unchanged, offset, merged, resolved or dropped (--json), bumps Last-Update
where a patch changed, and records conflicts resolved by hand for the next
rebase onto the same folder.

refresh [PATCH] writes an edit of a generated fork folder back into the
series it was made from, keeping the patch's DEP-3 header.

lint [DIR] checks a patches tree: DEP-3 headers, series and folder agree,
every hunk at its stated line on the pinned files (--pristine), no patch
already upstream.

watch [--mirror GITDIR] says whether upstream (GitHub, or a local git clone)
has a release or commits the series is not carried onto, and whether the
series carries onto them.

--version prints bcfork's version and the built-in series with their pins.
Two hidden commands serve packaging: man prints the manual page, completion
bash|zsh|fish a completion script, both generated from the commands'
definitions (make install installs them).

# Sources

The pristine files come from GitHub (default; --repo, --github-api or
BCFORK_GITHUB_API, GITHUB_TOKEN or BCFORK_GITHUB_TOKEN), from a release tarball
or an unpacked folder (--from), or from the cache ($XDG_CACHE_HOME/bcfork, or
BCFORK_CACHE_DIR; --no-cache, --offline). --flavor debian --from / reads the
files of Debian's installed bucardo package where it put them. Whatever the
source, files of a pinned version that do not match their pins are refused;
when they are the pinned files of another flavor or version, or the fork
bcfork installed, the hint says so and gives the command that takes them.

Without GitHub, two routes work offline for a release Debian shipped:
Debian's copy of the release tarball (apt-get source --download-only
bucardo=5.6.0-4, then --from bucardo_5.6.0.orig.tar.gz; without =VERSION apt
fetches the version the Debian release in the apt sources ships, and
apt-cache showsrc bucardo lists the versions there), and on a Debian host the
package's own files (--flavor debian --from /). Another release is read
--from its own tarball (GitHub's of the tag, or of the pinned commit when the
tag was moved), a branch or commit --from a checkout of it: the hints name
the version asked for, never another. A mistyped command or flag gets the
nearest one.

# Patch series

The series are embedded in the binary; --patches DIR reads a patches tree on
disk instead (DIR/upstream/V/series, DIR/upstream/V/checksums). A series for a
branch at a commit is named REF-COMMIT (master-d9919c8), and --version master
names it while it is master's only series. When the tree holds several
(master-1a2b3c4 and master-d9919c8), --version master is refused (exit 2)
with their list: name one, --version master-d9919c8. bcfork does not pick
one, since nothing it records orders them safely, and adding a series must
not change what --version master installs. Hunks apply at
their stated line or at the nearest exact match (reported as an offset); fuzzy
placement is refused unless --fuzz N allows it, and every fuzzed hunk is
reported and recorded in the manifest. When a patch of a --patches series
does not apply, the hint prints a command that fetches the pristine files
and applies the series up to that patch with GNU patch, which leaves the
failed hunks in FILE.rej.

# Exit codes

	  0  success
	  1  failure
	  2  usage error
	  3  a patch does not apply, or a merge conflicts
	  4  a checksum does not match its pin (files are not the pristine release)
	  5  install, uninstall, status, instance upgrade: a target changed since
	     install or a file since bcfork wrote it for an instance (left alone
	     without --force), the host drifted from the receipt or the instance
	     record, the receipt is lost (backups or a bcfork fork in place, but no
	     receipt), or an install was interrupted
	  6  instance check: a database two instances replicate, or a Bucardo.pm of
	     another release than the fork
	  7  rebase: the series was carried and written, but not every patch
	     unchanged (offset, merged, resolved or dropped): review it
	  8  watch: upstream has a new release or new commits, and the series carries
	     onto all of it
	  9  watch: upstream has a new release or new commits, and the series
	     conflicts with at least one
	130  interrupted: Ctrl-C stops the work in hand, a second Ctrl-C quits at
	     once
	143  terminated: SIGTERM stops the work in hand, and bcfork exits within half
	     a second whatever it is doing
*/
package main
