package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// doc.go and README.md show the exit codes of exitCodes, word for word.
func TestExitCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Exit codes\n\n" + exitCodeList("\t", 78) + "\n*/"; !strings.Contains(string(doc), want) {
		t.Errorf("doc.go's exit codes are not exitCodes'; want:\n%s", want)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "| exit code | meaning |\n|---|---|\n"
	for _, e := range exitCodes {
		want += fmt.Sprintf("| %d | %s |\n", e.code, e.meaning)
	}
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md's exit codes are not exitCodes'; want:\n%s", want)
	}
}
