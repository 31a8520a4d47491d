package bot

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// The sender reads what a batch needs once (store.RenderData), and then
// goes only to Slack: rendering a message of any kind reads nothing more.
// The bot here has no store at all (a nil *store.DB, which any read would
// dereference), and a message of every kind there is renders from the
// batch's data alone, none of them skipped.
func TestRenderingABatchReadsNothingMore(t *testing.T) {
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC) // a Wednesday
	b := New(Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if b.store != nil {
		t.Fatal("the bot under test must have no store")
	}
	accepted := now.AddDate(0, 0, -3)
	consent := caseconf.Consent{Method: caseconf.ConsentWritten, GivenOn: now.AddDate(0, -1, 0), ValidUntil: now.AddDate(0, 6, 0),
		AgencyKinds: []string{"health_gp", "adult_social_care"}}
	// Scheduled for later today: the GP has not answered; the social
	// worker can't attend and owes a report.
	scheduled := &caseconf.Conference{ID: 1, Ref: "CC-0001", ClientID: 7, ClientRef: "CL-1", CaseManagerID: "U0CM", ChairID: "U0CH",
		StartsAt: now.Add(3 * time.Hour), DurationMinutes: 60, Place: "Room 1", Status: caseconf.StatusScheduled, Consent: consent,
		Invitees: []caseconf.Invitee{
			{ID: 11, ConferenceID: 1, SlackUserID: "U0GP", AgencyKind: "health_gp"},
			{ID: 12, ConferenceID: 1, SlackUserID: "U0SW", AgencyKind: "adult_social_care", AcceptedAt: &accepted,
				Response: &caseconf.Response{Answer: caseconf.AnswerApologies, At: accepted}},
		}}
	// Held last week, its outcome recorded: the lead agency changes.
	recorded := &caseconf.Conference{ID: 2, Ref: "CC-0002", ClientID: 8, ClientRef: "CL-2", CaseManagerID: "U0CM", ChairID: "U0CH",
		StartsAt: now.AddDate(0, 0, -7), DurationMinutes: 60, Place: "Room 2", Status: caseconf.StatusRecorded, Consent: consent,
		Invitees: []caseconf.Invitee{
			{ID: 21, ConferenceID: 2, SlackUserID: "U0GP", AgencyKind: "health_gp", AcceptedAt: &accepted,
				Response: &caseconf.Response{Answer: caseconf.AnswerAttending, At: accepted}},
		},
		ShareList: []string{"U0GP", "U0HV", "U0HOU"},
		Sharers:   []caseconf.Sharer{{UserID: "U0GP"}, {UserID: "U0HV", AgencyKind: "health_gp", AcceptedAt: &accepted}, {UserID: "U0HOU"}}}
	done := now.AddDate(0, 0, -1)
	open := &caseconf.Action{ID: 201, ConferenceID: 2, Area: "Health", What: "Review medication", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, 1), Status: caseconf.ActionOpen}
	finished := &caseconf.Action{ID: 202, ConferenceID: 2, Area: "Housing", What: "Find a flat", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, -2), Status: caseconf.ActionDone, DoneAt: &done, DoneBy: "U0GP"}
	overdue := &caseconf.Action{ID: 203, ConferenceID: 2, Area: "Care", What: "Carer's assessment", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, -10), Status: caseconf.ActionOpen}
	closed := &caseconf.Action{ID: 204, ConferenceID: 2, Area: "Work", What: "Apply for a course", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, 3), Status: caseconf.ActionNotAchieved, ClosedAt: &done, ClosedBy: "U0GP", CloseReason: "The course was full."}
	reassigned := &caseconf.Action{ID: 205, ConferenceID: 2, Area: "Money", What: "Benefits check", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, 5), Status: caseconf.ActionOpen, ReassignedBy: "U0CM", ReassignedAt: &done}
	outcome := &caseconf.Outcome{ConferenceID: 2, RecordedBy: "U0CH", RecordedAt: now.AddDate(0, 0, -7), LeadChanged: true,
		NewCaseManagerID: "U0NEW", NewLeadAgency: "Adult social care", Summary: "Agreed a plan.",
		Attended: []caseconf.Person{{UserID: "U0GP", JobTitle: "GP"}}, ReviewOn: now.AddDate(0, 3, 0),
		Actions:   []caseconf.Action{*open, *finished, *overdue},
		ShareWith: []caseconf.Person{{UserID: "U0GP"}, {UserID: "U0HV"}}}
	// CC-0003's record was corrected (version 2): an action changed and
	// one removed.
	corrected := *recorded
	corrected.ID, corrected.Ref = 3, "CC-0003"
	changed := &caseconf.Action{ID: 206, ConferenceID: 3, Area: "Health", What: "Review medication at the clinic", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, 4), Status: caseconf.ActionOpen}
	removed := &caseconf.Action{ID: 207, ConferenceID: 3, Area: "Care", What: "Carer's assessment", OwnerID: "U0GP",
		DueOn: now.AddDate(0, 0, 4), Status: caseconf.ActionNotNeeded, ClosedAt: &done, ClosedBy: "U0CM",
		CloseReason: "Removed from the plan when the record of CC-0003 was corrected.", RemovedAt: &done}
	amended := *outcome
	amended.ConferenceID, amended.Version, amended.AmendedBy, amended.AmendedAt = 3, 2, "U0CM", done
	amended.AmendReason, amended.Actions = "The clinic, not the surgery; the assessment was done already.", []caseconf.Action{*changed}
	failed := &store.Outbox{ID: 900, Kind: caseconf.KindInvitation, RecipientID: "U0XX", ConferenceID: 1, SubjectID: 13,
		Errors: []string{"slack: user_not_found"}}

	d := &store.RenderData{At: now,
		Conferences: map[int64]*caseconf.Conference{1: scheduled, 2: recorded, 3: &corrected},
		Reminders:   map[int64]caseconf.ReminderState{},
		Outcomes:    map[int64]*caseconf.Outcome{2: outcome, 3: &amended},
		ShareLists: map[int64][]store.ShareEntry{2: {{UserID: "U0GP"}, {UserID: "U0HV"},
			{UserID: "U0PO", Withheld: "the client's consent does not cover their agency (Police)"}, {Name: "Ann Smith", Contact: "ann@example.org"}}},
		Actions: map[int64]*caseconf.Action{201: open, 202: finished, 203: overdue, 204: closed, 205: reassigned, 206: changed, 207: removed},
		Updates: map[int64]*caseconf.ActionUpdate{
			301: {ID: 301, ActionID: 201, Kind: caseconf.UpdateNote, State: caseconf.UpdateMade, By: "U0GP", At: now, Note: "Seen today."},
			302: {ID: 302, ActionID: 201, Kind: caseconf.UpdateNewDate, State: caseconf.UpdateMade, By: "U0CM", At: now, Note: "Clinic moved.",
				OldDue: now, NewDue: now.AddDate(0, 0, 1)},
		},
		Failed:   map[int64][]string{1: {"U0XX"}},
		Messages: map[int64]*store.Outbox{900: failed},
		Edits: map[int64]*caseconf.ConferenceEdit{401: {ID: 401, ConferenceID: 1, Sequence: 1, By: "U0CM", At: now,
			Changes: []caseconf.FieldChange{{Field: caseconf.ChangeWhen, Before: now.Add(time.Hour).Format(time.RFC3339), After: now.Add(3 * time.Hour).Format(time.RFC3339)},
				{Field: caseconf.ChangeUninvited, Before: "U0OLD"}}}},
	}
	batch := []store.Outbox{
		{Kind: caseconf.KindInvitation, RecipientID: "U0GP", ConferenceID: 1, SubjectID: 11},
		{Kind: caseconf.KindSummary, RecipientID: "U0CM", ConferenceID: 1, SubjectID: 1},
		{Kind: caseconf.KindCancellation, RecipientID: "U0GP", ConferenceID: 1, SubjectID: 11},
		{Kind: caseconf.KindSendFailed, RecipientID: "U0CM", ConferenceID: 1, SubjectID: 900},
		{Kind: caseconf.KindNoConsentDPO, RecipientID: "U0DPO", ConferenceID: 1, SubjectID: 1},
		{Kind: caseconf.KindEmailAddressNeeded, RecipientID: "U0CM", ConferenceID: 1, SubjectID: 1},
		{Kind: caseconf.KindMinutes, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 1},
		{Kind: caseconf.KindMinutes, RecipientID: "U0HV", ConferenceID: 2, SubjectID: 1}, // not invited: by the agreement they accepted
		{Kind: caseconf.KindActionAssigned, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 201},
		{Kind: caseconf.KindMinutesWithheld, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 2},
		{Kind: caseconf.KindHandoverOffer, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 2},
		{Kind: caseconf.KindShareAgreement, RecipientID: "U0HOU", ConferenceID: 2, SubjectID: 2},
		{Kind: caseconf.KindActionDone, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 202},
		{Kind: caseconf.KindActionUpdate, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 301},
		{Kind: caseconf.KindActionClosed, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 204},
		{Kind: caseconf.KindActionReassigned, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 205},
		{Kind: caseconf.KindActionTakenOff, RecipientID: "U0SW", ConferenceID: 2, SubjectID: 205},
		{Kind: caseconf.KindActionDate, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 302},
		{Kind: caseconf.KindConferenceChanged, RecipientID: "U0SW", ConferenceID: 1, SubjectID: 401},
		{Kind: caseconf.KindUninvited, RecipientID: "U0OLD", ConferenceID: 1, SubjectID: 401},
		{Kind: caseconf.KindAmendedMinutes, RecipientID: "U0GP", ConferenceID: 3, SubjectID: caseconf.AmendedPart(2, 1)},
		{Kind: caseconf.KindActionAmended, RecipientID: "U0GP", ConferenceID: 3, SubjectID: 206},
		{Kind: caseconf.KindActionRemoved, RecipientID: "U0GP", ConferenceID: 3, SubjectID: 207},
		{Kind: caseconf.KindInvitationUnanswered, RecipientID: "U0GP", ConferenceID: 1, SubjectID: 11},
		{Kind: caseconf.KindReportOwed, RecipientID: "U0SW", ConferenceID: 1, SubjectID: 12},
		{Kind: caseconf.KindConferenceToday, RecipientID: "U0CH", ConferenceID: 1, SubjectID: 1},
		{Kind: caseconf.KindOutcomeNotRecorded, RecipientID: "U0CH", ConferenceID: 1, SubjectID: 1},
		{Kind: caseconf.KindActionDueSoon, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 201},
		{Kind: caseconf.KindActionDueToday, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 201},
		{Kind: caseconf.KindActionOverdue, RecipientID: "U0GP", ConferenceID: 2, SubjectID: 203},
		{Kind: caseconf.KindActionOverdueManager, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 203},
		{Kind: caseconf.KindReviewApproaching, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 2},
		{Kind: caseconf.KindConsentExpiring, RecipientID: "U0CM", ConferenceID: 2, SubjectID: 55},
	}
	for i := range batch {
		m := &batch[i]
		m.ID = int64(1000 + i)
		var st caseconf.ReminderState
		switch m.Kind {
		case caseconf.KindActionDueSoon, caseconf.KindActionDueToday:
			due := *open
			due.DueOn = now
			if m.Kind == caseconf.KindActionDueSoon {
				due.DueOn = now.AddDate(0, 0, 2)
			}
			st.Action = &due
		case caseconf.KindActionOverdue, caseconf.KindActionOverdueManager:
			st.Action = overdue
		case caseconf.KindReviewApproaching:
			st.ReviewOn, st.OutcomeRecorded = outcome.ReviewOn, true
		case caseconf.KindConsentExpiring:
			st.ConsentUntil = consent.ValidUntil
		}
		d.Reminders[m.ID] = st
	}

	rendered := map[caseconf.MessageKind]bool{}
	for _, m := range batch {
		msg, skip := b.render(m, d)
		switch {
		case skip != "":
			t.Errorf("%s to %s was skipped: %s", m.Kind, m.RecipientID, skip)
		case len(msg.Blocks) == 0 || msg.Text == "":
			t.Errorf("%s to %s rendered empty: %+v", m.Kind, m.RecipientID, msg)
		}
		rendered[m.Kind] = true
	}
	// Every kind on the list is rendered here, but the ones that delete a
	// message or a file, the calendar files (bot/calendar.go), which upload
	// rather than post one, and the invitation's update in place
	// (bot/edit.go).
	for _, k := range caseconf.MessageKinds() {
		if !rendered[k] && k != caseconf.KindDeleteMessage && k != caseconf.KindDeleteFile && k != caseconf.KindCalendar &&
			k != caseconf.KindCalendarCancel && k != caseconf.KindInvitationUpdate && !k.Email() { // e-mails: bot/email.go
			t.Errorf("no message of kind %s in the batch", k)
		}
	}

	// What is gone from the batch's data makes a message no longer apply:
	// it is not looked for anywhere else.
	empty := &store.RenderData{At: now, Conferences: map[int64]*caseconf.Conference{1: scheduled, 2: recorded, 3: &corrected},
		Reminders: map[int64]caseconf.ReminderState{}}
	for _, m := range batch {
		if m.Kind.Subject() == caseconf.SubjectConference && !m.Kind.Reminder() && m.Kind != caseconf.KindMinutesWithheld && m.Kind != caseconf.KindHandoverOffer {
			continue // about the conference itself, which is there
		}
		if m.Kind == caseconf.KindInvitation || m.Kind == caseconf.KindCancellation || m.Kind == caseconf.KindInvitationUnanswered ||
			m.Kind == caseconf.KindConferenceToday || m.Kind == caseconf.KindOutcomeNotRecorded || m.Kind == caseconf.KindReportOwed {
			continue // decided on the conference alone
		}
		if _, skip := b.render(m, empty); skip == "" {
			t.Errorf("%s to %s rendered without what it is about", m.Kind, m.RecipientID)
		}
	}
}
