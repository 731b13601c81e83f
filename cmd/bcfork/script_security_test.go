package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install"
	"github.com/rogpeppe/go-internal/testscript"
)

// receiptset ROOT N FIELD JSON sets field FIELD of the receipt's target N
// (0 is the script) under ROOT to the JSON value, as an attacker editing
// the receipt would; the file keeps mode 0644.
func cmdReceiptSet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: receiptset ROOT N FIELD JSON")
	}
	path := filepath.Join(ts.MkAbs(args[0]), install.DefaultStateDir, "receipt.json")
	data, err := os.ReadFile(path)
	ts.Check(err)
	var rc map[string]any
	ts.Check(json.Unmarshal(data, &rc))
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	var v any
	ts.Check(json.Unmarshal([]byte(args[3]), &v))
	rc["targets"].([]any)[n].(map[string]any)[args[2]] = v
	data, err = json.MarshalIndent(rc, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(path, data, 0o644))
}

// remanifest DIR recomputes the sizes and sha256s in DIR/manifest.json
// from the files, as someone tampering with a fork folder would.
func cmdRemanifest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: remanifest DIR")
	}
	dir := ts.MkAbs(args[0])
	data, err := os.ReadFile(filepath.Join(dir, generator.ManifestName))
	ts.Check(err)
	var m generator.Manifest
	ts.Check(json.Unmarshal(data, &m))
	resum := func(sums []generator.FileSum, suffix string) {
		for i := range sums {
			data, err := os.ReadFile(filepath.Join(dir, sums[i].Name+suffix))
			ts.Check(err)
			sums[i].Size, sums[i].SHA256 = int64(len(data)), generator.SHA256(data)
		}
	}
	resum(m.Inputs, generator.OrigSuffix)
	resum(m.Outputs, "")
	data, err = json.MarshalIndent(m, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dir, generator.ManifestName), data, 0o644))
}
