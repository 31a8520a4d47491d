package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// clientFiles has the case manager export CC-0001 (Markdown and PDF) and
// the administrator ask for everything held about JS-4411, and waits until
// those three files, and the invitees' calendar files, are in Slack and
// recorded against the client.
func (a *app) clientFiles() []fakeslack.Upload {
	a.t.Helper()
	a.calendarUploads(3)
	a.command("U0CM", "export CC-0001")
	if _, err := a.waitFileUploads(ctxFor(a.t), 1); err != nil {
		a.t.Fatal(err)
	}
	a.command("U0CM", "export CC-0001 pdf")
	if _, err := a.waitFileUploads(ctxFor(a.t), 2); err != nil {
		a.t.Fatal(err)
	}
	a.command("U0ADMIN", "subject-access JS-4411")
	if _, err := a.waitFileUploads(ctxFor(a.t), 3); err != nil {
		a.t.Fatal(err)
	}
	a.waitOutboxDone(20 * time.Second)
	var shared []fakeslack.Upload
	for _, u := range a.slack.Uploads() {
		if u.Completed {
			shared = append(shared, u)
		}
	}
	a.eventually("every file recorded", func() bool {
		return a.count(`SELECT count(DISTINCT file_id) FROM uploaded_files`) == len(shared)
	})
	return shared
}

// checkFilesDeleted fails unless every file in files is deleted from
// Slack, and nothing is left recorded of them.
func (a *app) checkFilesDeleted(t *testing.T, files []fakeslack.Upload) {
	t.Helper()
	deleted := map[string]bool{}
	for _, u := range a.slack.Uploads() {
		deleted[u.FileID] = u.Deleted
	}
	for _, f := range files {
		if !deleted[f.FileID] {
			t.Errorf("%s (%s) is still in Slack", f.FileID, f.Filename)
		}
	}
	if n := a.count(`SELECT count(*) FROM uploaded_files`); n != 0 {
		t.Errorf("%d uploaded files still recorded", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'delete_file' AND state <> 'sent'`); n != 0 {
		t.Errorf("%d file deletions not done", n)
	}
}

// Erasing a client deletes from Slack every file the bot uploaded about
// them (the exports, Markdown and PDF, the subject-access document, the
// calendar files) as well as its messages.
func TestErasingAClientDeletesTheirFiles(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	files := a.clientFiles()
	kinds := map[string]bool{}
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Filename, ".ics"):
			kinds["calendar"] = true
		case strings.HasSuffix(f.Filename, ".pdf"):
			kinds["pdf"] = true
		case strings.HasPrefix(f.Filename, "CC-0001"):
			kinds["export"] = true
		default:
			kinds["subject access"] = true
		}
	}
	if len(kinds) != 4 {
		t.Fatalf("files uploaded: %v", kinds)
	}
	eraseClient(t, a)
	a.checkFilesDeleted(t, files)
	if n := len(a.slack.CallsTo("files.delete")); n < len(files) {
		t.Errorf("%d files.delete calls for %d files", n, len(files))
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.erase' AND detail LIKE '%files to delete%'`); n != 1 {
		t.Error("the erasure's audit does not count the files")
	}
	if dms := a.dmTo("U0ADMIN"); len(dms) == 0 || !strings.Contains(callText(dms[len(dms)-1]), "of its files about them are being deleted") {
		t.Error("the administrator was not told of the files")
	}
}

// The retention job deletes a client's files as an administrator's
// erasure does.
func TestRetentionDeletesTheClientsFiles(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN", "CASECONF_RETENTION": "90d"})
	a.heldConference()
	files := a.clientFiles()
	// Nothing has happened about the client for years.
	a.exec(`UPDATE clients SET created_at = '2020-01-01'`)
	a.exec(`UPDATE consents SET recorded_at = '2020-01-01'`)
	a.exec(`UPDATE conferences SET updated_at = '2020-01-01', starts_at = '2020-01-01'`)
	a.exec(`UPDATE actions SET updated_at = '2020-01-01'`)
	if n := a.main.RunRetention(ctxFor(t)); n != 1 {
		t.Fatalf("retention erased %d clients", n)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	a.checkFilesDeleted(t, files)
}
