package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// Recording that Slack took an invitation or a summary records where it
// lives in the same transaction as the mark, and hands back the conference
// as it is once that is recorded: an answer given after the batch was
// read (while the message was being posted) is in it, so the sender can
// show it without reading again. Where a message lives is recorded even
// when the message is no longer the sender's; and the mark still commits
// without waiting for the disk, in its own transaction only.
func TestMarkPostedRecordsWhereAndHandsBackTheConference(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	s.SQL().SetMaxOpenConns(1) // every statement on the one connection
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP", "U0SW", "U0HV"))
	batch, err := s.ClaimOutbox(ctx, "w1", t0.AddDate(1, 0, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	find := func(kind caseconf.MessageKind, to string) store.Outbox {
		t.Helper()
		for _, m := range batch {
			if m.Kind == kind && m.RecipientID == to {
				return m
			}
		}
		t.Fatalf("no %s to %s claimed in %+v", kind, to, batch)
		return store.Outbox{}
	}
	d, err := s.RenderData(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if inv := d.Conferences[c.ID].InviteeFor("U0GP"); inv == nil || inv.Answered() {
		t.Fatalf("the batch read the GP as %+v; want invited, not yet answered", inv)
	}

	// Meanwhile, the GP answers and the social worker's invitation fails.
	gp := inviteeFor(t, c, "U0GP")
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerAttending, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SendFailed(ctx, find(caseconf.KindInvitation, "U0SW"), "U0CM", "slack: user_not_found"); err != nil {
		t.Fatal(err)
	}

	at := caseconf.MessageRef{Channel: "D0GP", TS: "1.1"}
	p, err := s.MarkPosted(ctx, find(caseconf.KindInvitation, "U0GP"), at)
	if err != nil {
		t.Fatal(err)
	}
	if inv := p.Conference.InviteeFor("U0GP"); inv == nil || inv.Invitation != at || !inv.Answered() || !inv.Accepted() {
		t.Fatalf("after the post the GP is %+v; want the invitation at %v, accepted and answered", inv, at)
	}
	var setting string
	if err := s.SQL().Get(&setting, `SHOW synchronous_commit`); err != nil || setting != "on" {
		t.Fatalf("synchronous_commit after MarkPosted = %q, %v; want on", setting, err)
	}

	summaryAt := caseconf.MessageRef{Channel: "D0CM", TS: "2.2"}
	p, err = s.MarkPosted(ctx, find(caseconf.KindSummary, "U0CM"), summaryAt)
	if err != nil {
		t.Fatal(err)
	}
	if p.Conference.Summary != summaryAt || !slices.Equal(p.Failed, []string{"U0SW"}) {
		t.Fatalf("after the summary's post: summary at %v, failed %v; want %v and [U0SW]", p.Conference.Summary, p.Failed, summaryAt)
	}

	// Rescued from this sender meanwhile: not its to mark, but the message
	// is posted, and where it lives is kept.
	hv := find(caseconf.KindInvitation, "U0HV")
	hv.ClaimedBy = "someone else"
	hvAt := caseconf.MessageRef{Channel: "D0HV", TS: "3.3"}
	if p, err = s.MarkPosted(ctx, hv, hvAt); !store.ErrNotClaimed(err) {
		t.Fatalf("marking another sender's message = %v; want not claimed", err)
	}
	if inv := p.Conference.InviteeFor("U0HV"); inv == nil || inv.Invitation != hvAt {
		t.Fatalf("the health visitor's invitation is at %+v; want %v", inv, hvAt)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL AND claimed_by IS NULL`); n != 2 {
		t.Fatalf("%d messages marked sent; want the GP's invitation and the summary", n)
	}
}
