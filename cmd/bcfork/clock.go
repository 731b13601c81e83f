package main

import (
	"os"
	"strconv"
	"time"
)

// now is the clock of the dates bcfork writes into patches; tests set
// SOURCE_DATE_EPOCH instead.
var now = time.Now

// today is the date (YYYY-MM-DD, UTC) that a rewritten patch gets as its
// DEP-3 Last-Update: SOURCE_DATE_EPOCH's when it is set, as reproducible
// builds define it, else the clock's.
func today() (string, error) {
	t := now()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", usagef("SOURCE_DATE_EPOCH=%q: want a number of seconds since 1970-01-01", s)
		}
		t = time.Unix(sec, 0)
	}
	return t.UTC().Format(time.DateOnly), nil
}
