package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// offSlackConference is a conference called by U0CM, chaired by U0CH with
// U0MT taking the minutes, the GP U0GP on Slack, and two people not on
// Slack: Dr Patel (a GP, covered by the consent) and PC Jones (police,
// not covered).
func offSlackConference(t *testing.T, s *store.DB) (c *caseconf.Conference, patel, jones *caseconf.Invitee) {
	t.Helper()
	n := schedule("U0CM", "U0GP")
	n.Schedule.Chair, n.Schedule.MinuteTaker = "U0CH", "U0MT"
	n.Schedule.External = []caseconf.ExternalInvitee{
		{Name: "Dr Patel", Role: "GP", Agency: "Church St", AgencyKind: "health_gp", Email: "patel@example.org"},
		{Name: "PC Jones", Agency: "Police", AgencyKind: "probation_police", Phone: "101"},
	}
	c = create(t, s, n)
	for i := range c.Invitees {
		switch c.Invitees[i].Name {
		case "Dr Patel":
			patel = &c.Invitees[i]
		case "PC Jones":
			jones = &c.Invitees[i]
		}
	}
	if patel == nil || jones == nil || patel.Email != "patel@example.org" || jones.Phone != "101" || patel.Contact != "patel@example.org" {
		t.Fatalf("the people not on Slack: %+v %+v", patel, jones)
	}
	return c, patel, jones
}

func TestRecordReplyForSomeoneNotOnSlack(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c, patel, _ := offSlackConference(t, s)
	gp := inviteeFor(t, c, "U0GP")
	attending := caseconf.Reply{Answer: caseconf.AnswerAttending, AgreedHow: caseconf.AgreedSignedForm, AgreedOn: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)}

	// Only the case manager and the chair, and only for someone not on Slack.
	for _, tt := range []struct {
		user string
		id   int64
		code string
	}{{"U0MT", patel.ID, caseconf.EFORBIDDEN}, {"U0GP", patel.ID, caseconf.ENOTFOUND}, {"U0X", patel.ID, caseconf.ENOTFOUND}, {"U0CM", gp.ID, caseconf.ENOTFOUND}} {
		if _, _, _, err := s.RecordReply(ctx, tt.id, caseconf.Viewer{UserID: tt.user}, attending); caseconf.ErrorCode(err) != tt.code {
			t.Errorf("%s recording invitee %d: %v, want %s", tt.user, tt.id, err, tt.code)
		}
	}

	// A reminder waiting to chase the case manager stops with the reply.
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
		VALUES ('invitation_unanswered', 'reminder:x', 'U0CM', $1, $2, now() + interval '1 day', now())`, c.ID, patel.ID); err != nil {
		t.Fatal(err)
	}
	_, inv, changed, err := s.RecordReply(ctx, patel.ID, caseconf.Viewer{UserID: "U0CH"}, attending)
	if err != nil || !changed || inv.Response == nil || inv.Response.Answer != caseconf.AnswerAttending || inv.Response.RecordedBy != "U0CH" ||
		inv.AcceptedHow != caseconf.AgreedSignedForm || inv.AcceptedAt.UTC().Format(caseconf.DateLayout) != "2026-10-30" {
		t.Fatalf("the chair recording attending: %v changed %v %+v", err, changed, inv)
	}
	var pending int
	if err := s.SQL().GetContext(ctx, &pending, `SELECT count(*) FROM outbox WHERE state = 'pending' AND subject_id = $1`, patel.ID); err != nil || pending != 0 {
		t.Errorf("%d reminders about Dr Patel still pending (%v)", pending, err)
	}
	if _, _, changed, err := s.RecordReply(ctx, patel.ID, caseconf.Viewer{UserID: "U0CM"}, attending); err != nil || changed {
		t.Errorf("the same reply again: changed %v, %v", changed, err)
	}

	// No reply yet, agreement not yet: both taken back, the history kept.
	_, inv, changed, err = s.RecordReply(ctx, patel.ID, caseconf.Viewer{UserID: "U0CM"}, caseconf.Reply{Answer: caseconf.AnswerNoReply, AgreedHow: caseconf.AgreedNotYet})
	if err != nil || !changed || inv.Response != nil || inv.Accepted() {
		t.Fatalf("taking it back: %v changed %v %+v", err, changed, inv)
	}
	var answers, audits int
	_ = s.SQL().GetContext(ctx, &answers, `SELECT count(*) FROM responses WHERE invitee_id = $1`, patel.ID)
	_ = s.SQL().GetContext(ctx, &audits, `SELECT count(*) FROM audit_log WHERE action IN ('reply.record', 'agreement.record') AND conference_id = $1`, c.ID)
	if answers != 2 || audits != 4 {
		t.Errorf("%d answers kept, %d changes audited; want 2 and 4", answers, audits)
	}
	f, err := s.ReminderFacts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	var facts *caseconf.InviteeFacts
	for i, inv := range f.Conferences[0].Invitees {
		if inv.ID == patel.ID {
			facts = &f.Conferences[0].Invitees[i]
		}
	}
	if facts == nil || facts.SlackUserID != "" || facts.Answer != "" {
		t.Errorf("Dr Patel's reminder facts after no reply: %+v", facts)
	}
	invs, _, err := s.GapFacts(ctx, caseconf.Viewer{UserID: "U0CM"}, t0, t0.AddDate(0, 1, 0), t0, t0.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range invs {
		if g.Agency == "Church St" && g.Answered {
			t.Errorf("gaps counts Dr Patel's reply taken back as an answer")
		}
	}

	// Cancelled: nothing more is recorded.
	if _, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, "no longer needed"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.RecordReply(ctx, patel.ID, caseconf.Viewer{UserID: "U0CM"}, attending); caseconf.ErrorCode(err) != caseconf.ECONFLICT {
		t.Errorf("a reply recorded on a cancelled conference: %v", err)
	}
}

func TestEnterReportForSomeoneNotOnSlack(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c, patel, jones := offSlackConference(t, s)
	on := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rep := caseconf.Report{Agency: "Church St", Role: "GP", Involvement: "Registered", LastContact: "October", Concerns: "None",
		Recommendations: "Review", Received: &caseconf.ReportReceipt{How: "by e-mail from Dr Patel", On: on}}

	if _, err := s.EnterReport(ctx, jones.ID, caseconf.Viewer{UserID: "U0CM"}, rep, "view:J"); caseconf.ErrorCode(err) != caseconf.EFORBIDDEN {
		t.Errorf("a report from an agency the consent does not cover: %v", err)
	}
	if _, err := s.EnterReport(ctx, patel.ID, caseconf.Viewer{UserID: "U0MT"}, rep, "view:MT"); caseconf.ErrorCode(err) != caseconf.EFORBIDDEN {
		t.Errorf("the minute taker entering a report: %v", err)
	}
	saved, err := s.EnterReport(ctx, patel.ID, caseconf.Viewer{UserID: "U0CM"}, rep, "view:P")
	if err != nil || !saved.New || !saved.Invitee.ReportSent() {
		t.Fatalf("entering Dr Patel's report: %v %+v", err, saved)
	}
	if again, err := s.EnterReport(ctx, patel.ID, caseconf.Viewer{UserID: "U0CM"}, rep, "view:P"); err != nil || again.New {
		t.Errorf("the same form again: %v new %v", err, again.New)
	}
	_, _, got, err := s.OffSlackInvitee(ctx, patel.ID, caseconf.Viewer{UserID: "U0CH"}, true)
	if err != nil || got == nil || got.Received == nil || got.Received.EnteredBy != "U0CM" || got.Received.How != "by e-mail from Dr Patel" ||
		got.Received.On.Format(caseconf.DateLayout) != "2026-11-01" || got.AuthorID != "U0CM" || got.Recommendations != "Review" {
		t.Fatalf("the report as stored: %v %+v", err, got)
	}
	var entered int
	_ = s.SQL().GetContext(ctx, &entered, `SELECT count(*) FROM audit_log WHERE action = 'report.enter' AND conference_id = $1`, c.ID)
	if entered != 1 {
		t.Errorf("the entered report audited %d times", entered)
	}
}
