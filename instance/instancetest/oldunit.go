package instancetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// UnitBefore6d4c6ef is the template unit bcfork wrote for the script
// /usr/bin/bucardo before commit 6d4c6ef gave it its ExecStartPost line:
// what instance.Unit("/usr/bin/bucardo") returned at commit b964b48, byte
// for byte (run there, not derived from today's unit).
const UnitBefore6d4c6ef = `# Bucardo instances managed by bcfork (bcfork instance add NAME, then
# systemctl enable --now bucardo@NAME). Written by bcfork: change it with a
# drop-in (systemctl edit bucardo@.service), not here.
[Unit]
Description=Bucardo replication daemon, instance %i
Documentation=https://bucardo.org/Bucardo/
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=forking
User=bucardo
Group=bucardo
WorkingDirectory=/var/log/bucardo/%i
RuntimeDirectory=bucardo/%i
RuntimeDirectoryPreserve=yes
PIDFile=/run/bucardo/%i/bucardo.mcp.pid
ExecStart=/usr/bin/bucardo --bucardorc /etc/bucardo/%i.rc start
ExecStop=/usr/bin/bucardo --bucardorc /etc/bucardo/%i.rc stop
ExecStop=/bin/sh -c 'while kill -0 "$$MAINPID" 2>/dev/null; do sleep 0.5; done'
Restart=on-failure

[Install]
WantedBy=multi-user.target
`

// WriteOldUnit makes the host under root, where bcfork instance add ran,
// what a bcfork before commit 6d4c6ef left: the template unit is
// UnitBefore6d4c6ef and the instance record (instances.json in the state
// folder /var/lib/bcfork) says bcfork wrote it. The record's format is
// the same since, and the other files bcfork wrote are too, so only the
// unit's sha256 in the record changes, in place: the rest of the record
// stays byte for byte.
func WriteOldUnit(root string) error {
	unit := filepath.Join(root, "etc/systemd/system/bucardo@.service")
	record := filepath.Join(root, "var/lib/bcfork/instances.json")
	now, err := os.ReadFile(unit)
	if err != nil {
		return err
	}
	rec, err := os.ReadFile(record)
	if err != nil {
		return err
	}
	was, is := []byte(`"sha256": "`+sha(now)+`"`), []byte(`"sha256": "`+sha([]byte(UnitBefore6d4c6ef))+`"`)
	if bytes.Count(rec, was) != 1 {
		return fmt.Errorf("%s: the unit's sha256 %s is not there once", record, sha(now))
	}
	if err := os.WriteFile(unit, []byte(UnitBefore6d4c6ef), 0o644); err != nil {
		return err
	}
	return os.WriteFile(record, bytes.Replace(rec, was, is, 1), 0o644)
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
