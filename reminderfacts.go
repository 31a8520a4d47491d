package caseconf

import "time"

// ReminderFacts are what the reminder policy (reminders.Due) needs to
// know, read from the store in one go.
type ReminderFacts struct {
	Conferences []ConferenceFacts
	Actions     []ActionFacts
	Consents    []ConsentFacts
}

// ConferenceFacts is one conference that is not cancelled.
type ConferenceFacts struct {
	ID              int64
	CaseManagerID   string
	ChairID         string
	StartsAt        time.Time
	OutcomeRecorded bool
	ReviewOn        time.Time // the review meeting date from its outcome; zero for none
	Invitees        []InviteeFacts
}

// InviteeFacts is one invitee, on Slack or not.
type InviteeFacts struct {
	ID          int64
	SlackUserID string // "" for someone not on Slack: InviteeChaser is reminded
	Answer      Answer // "" when not answered
	ReportSent  bool
	Covered     bool // the client's consent covers their agency (Conference.Covered)
}

// Attends reports whether the invitee's answer brings their agency to the
// meeting (Answer.Attends).
func (i InviteeFacts) Attends() bool { return i.Answer.Attends() }

// OwesReport reports whether the invitee owes the conference a written
// report (ReportOwed).
func (i InviteeFacts) OwesReport() bool { return ReportOwed(i.Answer, i.ReportSent, i.Covered) }

// ActionFacts is one open action of a conference's plan.
type ActionFacts struct {
	ID            int64
	ConferenceID  int64
	OwnerID       string // Slack user; "" when the owner is not on Slack
	CaseManagerID string
	DueOn         time.Time // a calendar date
}

// ConsentFacts is a client's current consent.
type ConsentFacts struct {
	ID            int64
	ConferenceID  int64 // the latest conference it covers
	CaseManagerID string
	ValidUntil    time.Time // a calendar date
}

// ReminderState is what a reminder is about as it is when the reminder is
// sent (read then by the store, for reminders.StillDue and the message),
// so it never states what has since changed.
type ReminderState struct {
	ReportSent      bool      // invitee kinds
	OutcomeRecorded bool      // conference kinds
	ReviewOn        time.Time // conference kinds; zero for none
	Action          *Action   // action kinds; nil when it no longer exists
	ConsentUntil    time.Time // consent kinds; zero when it no longer exists
}
