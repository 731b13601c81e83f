package instance

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestAddFailedKeepsUnit: a template unit that was there before (the same
// bcfork writes, left by an earlier bcfork) stays when an add fails.
func TestAddFailedKeepsUnit(t *testing.T) {
	_, h := fakeHost(t)
	data, err := Unit("/usr/bin/bucardo")
	if err != nil {
		t.Fatal(err)
	}
	unitPath := filepath.Join(h.Root, UnitPath)
	if err := os.MkdirAll(filepath.Dir(unitPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unitPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.PG, "fail-install"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Root: h.Root}
	if _, err := Add(context.Background(), o, AddOptions{Name: "a"}); err == nil {
		t.Fatal("add succeeded with bucardo install failing")
	}
	if got, err := os.ReadFile(unitPath); err != nil || string(got) != string(data) {
		t.Errorf("the unit that was there: %v (%d bytes)", err, len(got))
	}
	if _, err := os.Stat(filepath.Join(h.Root, "var/lib/bcfork", RecordName)); !os.IsNotExist(err) {
		t.Errorf("a record is left: %v", err)
	}
}
