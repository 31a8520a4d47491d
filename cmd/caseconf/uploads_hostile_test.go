package main

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// The database failing between Slack taking a file about a client and
// the file being recorded against the client: erasure and retention
// would never find it, so it is deleted again at once and the user told
// it could not be delivered. Nothing about the client is left in Slack
// unrecorded.
func TestUploadsTheDatabaseCouldNotRecordAreDeleted(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	a.calendarUploads(3)
	a.waitOutboxDone(20 * time.Second)
	// uploaded_files refuses every row from now on.
	a.exec(`CREATE FUNCTION refuse_upload() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`)
	a.exec(`CREATE TRIGGER refuse_upload BEFORE INSERT ON uploaded_files FOR EACH ROW EXECUTE FUNCTION refuse_upload()`)
	recorded := a.count(`SELECT count(*) FROM uploaded_files`)

	unrecorded := func(what string, n int) {
		t.Helper()
		ups, err := a.waitFileUploads(ctxFor(t), n)
		if err != nil {
			t.Fatal(err)
		}
		f := ups[n-1]
		a.eventually(what+" deleted from Slack", func() bool {
			for _, u := range a.slack.Uploads() {
				if u.FileID == f.FileID {
					return u.Deleted
				}
			}
			return false
		})
	}
	n := len(a.fileUploads())
	if _, reply := a.commandReply("U0CM", "export CC-0001"); !strings.Contains(reply, "could not be delivered") || strings.Contains(reply, "is in your direct messages") {
		t.Errorf("the export's reply: %q", reply)
	}
	unrecorded("the export", n+1)
	if _, reply := a.commandReply("U0ADMIN", "subject-access JS-4411"); !strings.Contains(reply, "could not be delivered") {
		t.Errorf("the subject access's reply: %q", reply)
	}
	unrecorded("the subject-access document", n+2)
	// A new meeting's calendar files: none stays in Slack unrecorded.
	cals := len(a.calendarUploads(3))
	f := scheduleForm().text("client_ref", "KB-2000").date("date", "2026-11-27")
	if ack := a.viewSubmission("U0CM", "schedule", "VCAL", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.main.Bot.Sender().Wake()
	ics := a.calendarUploads(cals + 1)
	a.waitAllHandled()
	for _, c := range ics[cals:] {
		a.eventually("a calendar file deleted from Slack", func() bool {
			for _, u := range a.slack.Uploads() {
				if u.FileID == c.FileID {
					return u.Deleted
				}
			}
			return false
		})
	}
	if got := a.count(`SELECT count(*) FROM uploaded_files`); got != recorded {
		t.Fatalf("uploaded_files changed under the trigger: %d, was %d", got, recorded)
	}
	if logs := a.logs.String(); strings.Contains(logs, "JS-4411") || strings.Contains(logs, "KB-2000") {
		t.Error("a client reference reached the logs")
	}

	// The database is back: the export is delivered and recorded.
	a.exec(`DROP TRIGGER refuse_upload ON uploaded_files`)
	if _, reply := a.commandReply("U0CM", "export CC-0001"); !strings.Contains(reply, "is in your direct messages") {
		t.Errorf("the export's reply once the database is back: %q", reply)
	}
	if a.count(`SELECT count(*) FROM uploaded_files WHERE kind = 'export'`) == 0 {
		t.Error("the export was not recorded once the database was back")
	}
}

// Erasure meeting Slack as it is: one file the user already deleted
// (file_not_found), Slack failing on its side for a while (an HTTP 500,
// then internal_error, which Slack says to retry): every file ends up
// deleted, none is given up on.
func TestErasureDeletesFilesThroughSlackFailures(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	files := a.clientFiles()
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(a.slack.APIURL()))
	if err := api.DeleteFileContext(ctxFor(t), files[0].FileID); err != nil {
		t.Fatal(err)
	}
	a.slack.FailNext("files.delete", fakeslack.Failure{Status: 500})
	a.slack.FailNext("files.delete", fakeslack.Failure{Error: "internal_error"})
	a.slack.FailNext("chat.delete", fakeslack.Failure{Error: "internal_error"})
	eraseClient(t, a)
	a.checkFilesDeleted(t, files)
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind IN ('delete_file', 'delete_message') AND state = 'failed'`); n != 0 {
		t.Errorf("%d deletions given up", n)
	}
}
