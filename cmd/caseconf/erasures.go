package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/store"
)

// `caseconf erasures list` prints the erasures the audit log records;
// `caseconf erasures reapply` erases those clients again after a restore
// from a backup older than them. Both name clients by number only.

const erasuresUsage = "erasures takes list, or reapply [--from DATABASE_URL | --file FILE] [--dry-run]"

func cmdErasures(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return badUsage(stderr, erasuresUsage)
	}
	switch args[0] {
	case "list":
		return cmdErasuresList(ctx, args[1:], env, stdout, stderr)
	case "reapply":
		return cmdErasuresReapply(ctx, args[1:], env, stdout, stderr)
	}
	return badUsage(stderr, erasuresUsage)
}

// erasureListHeader starts the output of `erasures list`, which `erasures
// reapply --file` reads back.
const erasureListHeader = "# client\tcreated_at\terased_at"

func cmdErasuresList(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("erasures list", stderr)
	if code, ok := parseArgs(fs, args, stderr, "erasures list takes no arguments"); !ok {
		return code
	}
	cfg := loadConfig(env, config.NeedDatabase, stderr)
	if cfg == nil {
		return 1
	}
	db := openDB(ctx, cfg, true, stderr)
	if db == nil {
		return 1
	}
	defer db.Close()
	list, err := db.RecordedErasures(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, erasureListHeader)
	for _, e := range list {
		fmt.Fprintf(stdout, "%d\t%s\t%s\n", e.ClientID, e.CreatedAt.UTC().Format(time.RFC3339Nano), e.ErasedAt.UTC().Format(time.RFC3339Nano))
	}
	return 0
}

func cmdErasuresReapply(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("erasures reapply", stderr)
	from := fs.String("from", "", "read the erasures from the audit log of this database (a postgres:// URL); default DATABASE_URL's own")
	file := fs.String("file", "", "read the erasures from this file, as `caseconf erasures list` wrote it")
	dryRun := fs.Bool("dry-run", false, "report what would be erased; erase nothing")
	if code, ok := parseArgs(fs, args, stderr, erasuresUsage); !ok {
		return code
	}
	if *from != "" && *file != "" {
		return badUsage(stderr, "erasures reapply takes --from or --file, not both")
	}
	if *from != "" {
		if reason := config.DatabaseURLProblem(*from); reason != "" {
			return badUsage(stderr, "erasures reapply --from "+reason)
		}
	}
	var list []store.RecordedErasure
	var err error
	if *file != "" { // a bad file is told before the database is touched
		if list, err = readErasureList(*file); err != nil {
			fmt.Fprintf(stderr, "caseconf: %v\n", err)
			return 1
		}
	}
	cfg := loadConfig(env, config.NeedDatabase, stderr)
	if cfg == nil {
		return 1
	}
	db := openDB(ctx, cfg, true, stderr)
	if db == nil {
		return 1
	}
	defer db.Close()

	switch {
	case *file != "":
	case *from != "":
		src, oerr := store.Open(ctx, *from)
		if oerr != nil {
			fmt.Fprintf(stderr, "caseconf: --from: %v\n", oerr)
			return 1
		}
		list, err = src.RecordedErasures(ctx)
		src.Close()
		if err != nil {
			err = fmt.Errorf("--from: %w (is it the caseconf database the backup was taken from?)", err)
		}
	default:
		list, err = db.RecordedErasures(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		return 1
	}
	res, err := db.ReapplyErasures(ctx, list, *dryRun)
	verb := "erased again"
	if *dryRun {
		verb = "would erase again"
	}
	messages, files := 0, 0
	for _, e := range res.Erased {
		messages += e.Messages
		files += e.Files
		if *dryRun {
			fmt.Fprintf(stdout, "would erase client %d\n", e.ClientID)
		} else {
			fmt.Fprintf(stdout, "erased client %d again: %d conferences, %d Slack messages and %d files to delete\n", e.ClientID, e.Conferences, e.Messages, e.Files)
		}
	}
	fmt.Fprintf(stdout, "recorded erasures: %d; %s: %d; already erased: %d; not in this database: %d; number now another client's, left alone: %d\n",
		res.Recorded, verb, len(res.Erased), res.AlreadyErased, res.Absent, res.Reused)
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		return 1
	}
	if !*dryRun && len(res.Erased) > 0 {
		fmt.Fprintf(stdout, "%d Slack messages and %d files queued for deletion: `caseconf serve` (or `caseconf sweep`) deletes them\n", messages, files)
	}
	return 0
}

// readErasureList reads what `caseconf erasures list` printed: lines of
// client number, created_at and erased_at (RFC 3339), tab-separated; lines
// starting # and blank lines are skipped.
func readErasureList(path string) ([]store.RecordedErasure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	var out []store.RecordedErasure
	header := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == erasureListHeader {
			header = true
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("--file %s line %d: want client, created_at and erased_at", path, n)
		}
		id, err1 := strconv.ParseInt(fields[0], 10, 64)
		created, err2 := time.Parse(time.RFC3339Nano, fields[1])
		erased, err3 := time.Parse(time.RFC3339Nano, fields[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("--file %s line %d: want a client number and two RFC 3339 times", path, n)
		}
		out = append(out, store.RecordedErasure{ClientID: id, CreatedAt: created, ErasedAt: erased})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--file %s: %w", path, err)
	}
	if len(out) == 0 && !header {
		// An empty or wrong file would otherwise "reapply" nothing and
		// succeed, and the restored database keep clients it must not.
		return nil, fmt.Errorf("--file %s holds no erasures and is not what `caseconf erasures list` writes (its first line is %q)", path, erasureListHeader)
	}
	return out, nil
}
