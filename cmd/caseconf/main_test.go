package main

import (
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

// endToEndParallel is how many end-to-end tests run at once unless
// -parallel says otherwise. Each runs its own server, fake Slack and
// database, and spends most of its time waiting on sockets and timers, so
// more of them than there are cores keeps the package quick.
const endToEndParallel = 10

// runAsCaseconf, set in a test binary's environment, makes it run as the
// caseconf command itself (a test starts it as a child process it can
// kill with SIGKILL).
const runAsCaseconf = "CASECONF_TEST_RUN_AS_CASECONF"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCaseconf) == "1" {
		main()
	}
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(endToEndParallel))
	}
	testdb.Main(m)
}
