package main

import (
	"flag"
	"strconv"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

// endToEndParallel is how many end-to-end tests run at once unless
// -parallel says otherwise. Each runs its own server, fake Slack and
// database, and spends most of its time waiting on sockets and timers, so
// more of them than there are cores keeps the package quick.
const endToEndParallel = 6

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(endToEndParallel))
	}
	testdb.Main(m)
}
