package caseconf

import "time"

// Record is a conference's whole record, as it is exported (Markdown):
// what follows a client to a new service. Everything in it is sensitive;
// none of it goes to logs.
type Record struct {
	Conference *Conference
	// Answers holds every answer each invitee gave, oldest first, by
	// invitee ID (the current one is the last).
	Answers map[int64][]Response
	// Reports holds each agency report with its history: every saved
	// version, oldest first (the last is the report as it stands).
	Reports [][]Report
	Outcome *Outcome // nil when none is recorded
	// Versions is every earlier version of the outcome, oldest first:
	// kept as it was when a correction replaced it.
	Versions []OutcomeVersion
	// Actions is the action plan with what happened to each action.
	Actions     []RecordAction
	ShareList   []Shared
	Disclosures []Disclosure
	// History is every change to the record (not the reads), oldest first.
	History []Change

	ExportedBy string // the Slack user it is exported for
	ExportedAt time.Time
	// Names are the display names of the Slack users in the record, where
	// Slack told them; a user not in it is shown by their ID.
	Names map[string]string
}

// RecordAction is one action of the plan with its progress and changes.
type RecordAction struct {
	Action
	Progress    string    // the latest progress note, if any
	ProposedDue time.Time // a new date proposed for it, if any
	Updates     []Change  // what was done to it, oldest first
}

// Shared is one person on a conference's share list.
type Shared struct {
	Person
	Withheld string // why the minutes did not go to them; "" when they did or they are not on Slack
}

// Disclosure is one part of the minutes sent to one person: under which
// basis (the consent, or the reason to meet without it), decided by whom,
// and when Slack took it (zero: not yet).
type Disclosure struct {
	RecipientID string // a Slack user; for a minutes PDF, the address (or name) of someone not on Slack
	// Name and Medium are a minutes PDF's: whom it is for, and how it goes
	// ("email", or "by_hand" for the case manager to pass on); Medium is
	// "slack" for the minutes posted on Slack.
	Name, Medium string
	Version      int // of the minutes: 1 as first recorded, more once corrected
	Part, Parts  int
	Basis        string
	DecidedBy    string
	DecidedAt    time.Time
	SentAt       time.Time
}

// Change is one entry of a record's history: who did what, when. Note is
// text someone wrote with it (a progress note), if any.
type Change struct {
	At     time.Time
	By     string // Slack user
	What   string
	Note   string
	Detail string
}

// HeldClient is a client's own details and every consent recorded for
// them, as a subject-access export shows them.
type HeldClient struct {
	ID            int64
	Reference     string
	FullName      string
	CaseManagerID string
	CreatedAt     time.Time
	Consents      []HeldConsent
}

// HeldConsent is one consent (or recorded reason to meet without it), as
// it was recorded.
type HeldConsent struct {
	Method      string
	GivenOn     time.Time // zero when none was recorded
	ValidUntil  time.Time // zero when none was recorded
	Reason      string    // the basis for sharing without consent (NoConsentBases)
	DecidedBy   string    // who decided to share without consent
	Explanation string
	AgencyKinds []string
	RecordedBy  string
	RecordedAt  time.Time
}

// OutcomeVersion is an earlier version of a recorded outcome: the outcome
// and its action plan as they were (Outcome.Version is its number), who
// made it (recorded it, or corrected the one before) and when, why it
// differed from the one before ("" for the first), and the correction
// that replaced it.
type OutcomeVersion struct {
	Outcome    Outcome
	MadeBy     string
	MadeAt     time.Time
	Reason     string
	ReplacedBy string
	ReplacedAt time.Time
}
