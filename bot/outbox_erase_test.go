package bot

// A client erased while the sender holds a batch of their messages.

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

var probeT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// probeRecorded is a recorded conference whose minutes (and the GP's
// action) are pending for U0GP, with every other message cancelled, and a
// sender whose bot uses a real store and a fake Slack.
func probeRecorded(t *testing.T) (*store.DB, *fakeslack.Server, *Sender, *caseconf.Conference) {
	t.Helper()
	ctx := context.Background()
	s := testdb.Open(t)
	now := probeT0
	s.Now = func() time.Time { return now }
	c, _, err := s.CreateConference(ctx, store.NewConference{CaseManagerID: "U0CM", Schedule: caseconf.Schedule{
		ClientRef: "JS-4411", Reasons: []string{"complex_health"}, Purpose: "Keep the tenancy",
		StartsAt: probeT0.Add(14 * 24 * time.Hour), LengthMinutes: 60, Place: "Surgery",
		SlackInvitees: []string{"U0GP"}, Chair: "U0CM", MinuteTaker: "U0CM", ClientAttends: true,
		Consent: caseconf.Consent{Method: caseconf.ConsentWritten, GivenOn: probeT0.AddDate(0, -1, 0),
			ValidUntil: probeT0.AddDate(0, 5, 0), AgencyKinds: []string{"health_gp", "housing"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AcceptAgreement(ctx, c.InviteeFor("U0GP").ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	now = c.StartsAt.Add(2 * time.Hour)
	fake := fakeslack.New()
	t.Cleanup(fake.Close)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	b := New(Options{API: api, Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}, {UserID: "U0GP"}}, Summary: "SECRET-SUMMARY arrears",
		ClientViews: "Wants to stay", ReviewOn: probeT0.AddDate(0, 3, 0), ShareWith: []caseconf.Person{{UserID: "U0GP"}},
		Actions: []caseconf.Action{{Area: "Health", What: "SECRET-ACTION review medication", OwnerID: "U0GP", DueOn: probeT0.AddDate(0, 1, 0)}}}
	if _, err := s.RecordOutcome(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, now, c.StartsAt, o, "view:V1", b.MinutesParts); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQL().Exec(`UPDATE outbox SET state = 'cancelled' WHERE NOT (recipient_id = 'U0GP' AND kind IN ('minutes', 'action_assigned'))`); err != nil {
		t.Fatal(err)
	}
	return s, fake, b.NewSender(api), c
}

// sendBatch does what Sender.drain does with one claimed batch, with
// between() run after the batch read and before the first render.
func sendBatch(t *testing.T, s *store.DB, snd *Sender, between func()) int {
	t.Helper()
	ctx := context.Background()
	batch, err := s.ClaimOutbox(ctx, snd.worker+"/0", time.Now().AddDate(1, 0, 0), outboxBatch)
	if err != nil || len(batch) < 2 {
		t.Fatalf("claimed %d, %v; want the minutes and the action", len(batch), err)
	}
	data, err := s.RenderData(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	between()
	if time.Since(data.At) > outboxFresh {
		t.Fatalf("the probe took longer than outboxFresh; the sender would have read afresh")
	}
	sent := 0
	for _, m := range batch {
		if snd.send(ctx, m, time.Now(), data) {
			sent++
		}
	}
	return sent
}

// A client erased after the sender read its batch: a message already
// claimed cannot be stopped (it may be on its way to Slack), so it is
// detached from the client; once posted it is queued for deletion from
// Slack in the same statement that marks it sent, and the sender's next
// pass deletes it, within moments rather than at the next retention run.
func TestErasedClientsMessagesInFlightAreDeletedAtOnce(t *testing.T) {
	s, fake, snd, c := probeRecorded(t)
	sendBatch(t, s, snd, func() {
		if _, err := s.EraseClient(context.Background(), c.ClientID, "U0ADMIN", "administrator"); err != nil {
			t.Fatal(err)
		}
	})
	var posted []string
	for _, call := range fake.CallsTo("chat.postMessage") {
		if text := call.Params.Get("blocks") + call.Params.Get("text"); strings.Contains(text, "SECRET-") {
			posted = append(posted, call.Params.Get("channel"))
		}
	}
	if len(posted) == 0 {
		t.Fatal("setup: nothing of the batch was posted (it was read before the erasure)")
	}
	var queued int
	if err := s.SQL().Get(&queued, `SELECT count(*) FROM outbox WHERE kind = 'delete_message' AND state = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if queued < len(posted) {
		t.Fatalf("%d messages about the erased client were posted, %d queued for deletion", len(posted), queued)
	}
	if _, err := snd.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.CallsTo("chat.delete")); n < len(posted) {
		t.Errorf("%d messages about the erased client were posted, %d deleted", len(posted), n)
	}
}
