package store_test

// Races between the outbox sender's marks, answers, failed invitations,
// a cancellation and an erasure: every transaction takes the conference
// before its outbox rows, so none deadlocks, and nothing posted about an
// erased client stays in Slack.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// waitLocked waits until a statement of this database whose text contains
// like is waiting for a lock.
func waitLocked(t *testing.T, s *store.DB, like string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := s.SQL().Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`, like); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no statement like %q came to wait for a lock", like)
}

// A failed invitation and an erasure at once: the erasure, paused by a
// third transaction holding an outbox row of the conference, holds the
// conference; the failure waits for it, and neither deadlocks.
func TestSendFailedAndEraseDoNotDeadlock(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP", "U0SW"))
	batch, err := s.ClaimOutbox(ctx, "w1", t0.AddDate(1, 0, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	var failed store.Outbox
	for _, m := range batch {
		if m.Kind == caseconf.KindInvitation && m.RecipientID == "U0SW" {
			failed = m
		}
	}
	if failed.ID == 0 {
		t.Fatal("no invitation to U0SW claimed")
	}
	if _, err := s.Enqueue(ctx, store.Outbox{Kind: caseconf.KindInvitationUnanswered, DedupKey: "probe:pending", RecipientID: "U0GP",
		ConferenceID: c.ID, SubjectID: c.InviteeFor("U0GP").ID, NotBefore: t0.AddDate(2, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	hold, err := s.SQL().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT 1 FROM outbox WHERE dedup_key = 'probe:pending' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	erased := make(chan error, 1)
	go func() {
		_, err := s.EraseClient(ctx, c.ClientID, "U0ADMIN", "administrator")
		erased <- err
	}()
	waitLocked(t, s, "DELETE FROM outbox") // it holds the conference and has detached the invitation in flight
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.SendFailed(ctx, failed, "U0CM", "slack: user_not_found") }()
	waitLocked(t, s, "FROM conferences WHERE id = $1 FOR SHARE") // it waits for the conference
	hold.Rollback()
	for what, ch := range map[string]chan error{"EraseClient": erased, "SendFailed": gaveUp} {
		if err := <-ch; err != nil && !store.ErrNotClaimed(err) {
			if strings.Contains(err.Error(), "deadlock") {
				t.Errorf("%s: %v", what, err)
			} else {
				t.Errorf("%s: unexpected %v", what, err)
			}
		}
	}
}

// Stress: invitations and the summary are marked posted while every
// invitee accepts and answers, one invitation fails, and the conference is
// cancelled, all at once. No transaction deadlocks, and every change made
// while a message was being posted is seen by one side: the mark's
// conference (p.Conference) shows it, or the change's own transaction saw
// the message posted (and so updates it itself).
// More runs: go test -race -count=20 -run TestPostsAnswersFailureAndCancelAtOnce ./store/
func TestPostsAnswersFailureAndCancelAtOnce(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	users := []string{"U0A1", "U0A2", "U0A3", "U0A4", "U0A5", "U0A6"}
	c := create(t, s, schedule("U0CM", users...))
	batch, err := s.ClaimOutbox(ctx, "w1", t0.AddDate(1, 0, 0), 20)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		user      string
		marked    *caseconf.Conference // what MarkPosted handed back (invitation)
		answered  *caseconf.Invitee    // what RecordResponse handed back
		cancelled *caseconf.Conference
		failed    []string // summary mark's failed list
		afterFail *caseconf.Conference
		err       error
		what      string
	}
	results := make(chan result, 64)
	start := make(chan struct{})
	n := 0
	run := func(what string, f func() result) {
		n++
		go func() {
			<-start
			r := f()
			r.what = what
			results <- r
		}()
	}
	var failing store.Outbox
	for _, m := range batch {
		switch {
		case m.Kind == caseconf.KindInvitation && m.RecipientID == "U0A6":
			failing = m
			run("send failed", func() result {
				err := s.SendFailed(ctx, m, "U0CM", "slack: user_not_found")
				after, _ := s.ConferenceSnapshot(ctx, c.ID)
				return result{err: err, afterFail: after}
			})
		case m.Kind == caseconf.KindInvitation:
			run("mark "+m.RecipientID, func() result {
				p, err := s.MarkPosted(ctx, m, caseconf.MessageRef{Channel: "D" + m.RecipientID, TS: "1." + m.RecipientID})
				return result{user: m.RecipientID, marked: p.Conference, err: err}
			})
		case m.Kind == caseconf.KindSummary:
			run("mark summary", func() result {
				p, err := s.MarkPosted(ctx, m, caseconf.MessageRef{Channel: "DCM", TS: "2.0"})
				return result{failed: p.Failed, marked: p.Conference, err: err}
			})
		}
	}
	if failing.ID == 0 {
		t.Fatal("no invitation to U0A6")
	}
	for _, u := range users[:5] {
		inv := c.InviteeFor(u)
		run("answer "+u, func() result {
			if _, _, err := s.AcceptAgreement(ctx, inv.ID, u, &store.AgencyAnswer{Agency: "x", Kind: "health_gp"}); err != nil {
				return result{user: u, err: err}
			}
			_, got, _, err := s.RecordResponse(ctx, inv.ID, u, caseconf.AnswerAttending, "")
			return result{user: u, answered: got, err: err}
		})
	}
	run("cancel", func() result {
		got, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, "no longer needed")
		return result{cancelled: got, err: err}
	})
	close(start)
	marks := map[string]*caseconf.Conference{}
	answers := map[string]*caseconf.Invitee{}
	var summaryFailed []string
	var summaryMarked, afterFail *caseconf.Conference
	for range n {
		r := <-results
		if r.err != nil {
			if strings.Contains(r.err.Error(), "deadlock") || !strings.HasPrefix(r.what, "answer") {
				t.Errorf("%s: %v", r.what, r.err)
			}
			continue // an answer after the cancellation is refused
		}
		switch {
		case strings.HasPrefix(r.what, "mark U"):
			marks[r.user] = r.marked
		case strings.HasPrefix(r.what, "answer"):
			answers[r.user] = r.answered
		case r.what == "mark summary":
			summaryFailed, summaryMarked = r.failed, r.marked
		case r.what == "send failed":
			afterFail = r.afterFail
		}
	}
	for u, inv := range answers {
		if m := marks[u]; m != nil && !m.InviteeFor(u).Answered() && !inv.Invitation.Posted() {
			t.Errorf("%s answered while the invitation was posted, and neither side saw the other", u)
		}
	}
	if summaryMarked != nil && !containsString(summaryFailed, "U0A6") && (afterFail == nil || !afterFail.Summary.Posted()) {
		t.Errorf("the failed invitation is in neither the summary's mark nor a summary posted before the failure")
	}
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Stress with an erasure in the mix: invitations marked posted, one
// failing, answers arriving, and the client erased, all at once. Only a
// deadlock counts as a failure (everything else may be refused once the
// client is gone).
// More runs: go test -race -count=20 -run TestEraseWhilePosting ./store/
func TestEraseWhilePosting(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	users := []string{"U0A1", "U0A2", "U0A3", "U0A4", "U0A5", "U0A6"}
	c := create(t, s, schedule("U0CM", users...))
	batch, err := s.ClaimOutbox(ctx, "w1", t0.AddDate(1, 0, 0), 20)
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	errs := make(chan error, 64)
	n := 0
	run := func(f func() error) {
		n++
		go func() { <-start; errs <- f() }()
	}
	for _, m := range batch {
		if m.Kind == caseconf.KindInvitation && (m.RecipientID == "U0A5" || m.RecipientID == "U0A6") {
			run(func() error { return s.SendFailed(ctx, m, "U0CM", "slack: user_not_found") })
			continue
		}
		run(func() error {
			_, err := s.MarkPosted(ctx, m, caseconf.MessageRef{Channel: "D" + m.RecipientID, TS: "1." + m.RecipientID})
			return err
		})
	}
	for _, u := range users[:4] {
		inv := c.InviteeFor(u)
		run(func() error {
			_, _, err := s.AcceptAgreement(ctx, inv.ID, u, &store.AgencyAnswer{Agency: "x", Kind: "health_gp"})
			return err
		})
	}
	run(func() error {
		_, err := s.EraseClient(ctx, c.ClientID, "U0ADMIN", "administrator")
		return err
	})
	close(start)
	for range n {
		if err := <-errs; err != nil && strings.Contains(err.Error(), "deadlock") {
			t.Error(err)
		}
	}
}

// An invitation marked posted while its client is erased: whichever
// takes the conference first, the message ends up queued for deletion
// from Slack (or kept as a leftover for the retention run), never left.
func TestErasureDeletesAMessagePostedMeanwhile(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP"))
	batch, err := s.ClaimOutbox(ctx, "w1", t0.AddDate(1, 0, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	var inv store.Outbox
	for _, m := range batch {
		if m.Kind == caseconf.KindInvitation {
			inv = m
		}
	}
	hold, err := s.SQL().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT 1 FROM conferences WHERE id = $1 FOR UPDATE`, c.ID); err != nil {
		t.Fatal(err)
	}
	marked := make(chan error, 1)
	go func() {
		_, err := s.MarkPosted(ctx, inv, caseconf.MessageRef{Channel: "DGP", TS: "1.1"})
		marked <- err
	}()
	waitLocked(t, s, "FROM conferences WHERE id = $1 FOR SHARE")
	erased := make(chan error, 1)
	go func() {
		_, err := s.EraseClient(ctx, c.ClientID, "U0ADMIN", "administrator")
		erased <- err
	}()
	waitLocked(t, s, "ORDER BY id FOR UPDATE")
	hold.Rollback()
	if err := <-marked; err != nil && !store.ErrNotClaimed(err) {
		t.Fatalf("MarkPosted: %v", err)
	}
	if err := <-erased; err != nil {
		t.Fatalf("EraseClient: %v", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE kind = 'delete_message' AND dedup_key = 'delete_message:DGP:1.1'`) +
		countRows(t, s, `SELECT count(*) FROM outbox WHERE dedup_key LIKE 'erased:%' AND channel = 'DGP'`); n == 0 {
		t.Errorf("the invitation posted during the erasure is neither queued for deletion nor kept as a leftover: it stays in Slack")
	}
}
