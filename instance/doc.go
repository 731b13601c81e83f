// Package instance runs several Bucardo daemons on one host as managed
// services: one rc file, run folder, log folder and config database per
// instance, a systemd template unit bucardo@.service shared by all, and a
// record of what it wrote in bcfork's state folder.
//
// Each instance NAME has:
//
//	/etc/bucardo/NAME.rc                  the bucardo options of the instance (bucardo --bucardorc FILE)
//	/run/bucardo/NAME                     its pid folder (piddir), recreated at boot
//	/var/log/bucardo/NAME                 its logs and reason, warning and conflict files; its working folder
//	/etc/tmpfiles.d/bucardo-NAME.conf     recreates /run/bucardo/NAME at boot
//	/etc/logrotate.d/bucardo-NAME         rotates its logs
//	bucardo_NAME                          its config database (unless another name is given)
//
// and runs as bucardo@NAME.service. The record /var/lib/bcfork/instances.json
// lists the instances and the files written for them. Every path is prefixed
// with Options.Root when it is set, as package install does; no symbolic
// link below the root is followed (see internal/beneath): add and remove
// refuse, before changing anything, an instance whose folders or files are
// links, and every read is capped.
//
// The unit, tmpfiles.d and logrotate entries are generated: when this bcfork
// writes one otherwise than the record says an older bcfork wrote it,
// Notices and List say so, and Upgrade rewrites it where it is still as
// written.
//
// bucardo and psql always run as the OS user bucardo, never as root; a
// database password is passed in the rc file and a temporary password file
// (PGPASSFILE), never on a command line or in the environment.
package instance
