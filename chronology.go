package caseconf

import "time"

// A client's chronology (/caseconf client CLIENTREF): every conference
// about them, with its outcome and action plan, and the changes of their
// consent and of their case manager, in the order they happened.

// Consent changes as the chronology names them.
const (
	ConsentGiven     = "given"     // the first consent recorded for the client
	ConsentRenewed   = "renewed"   // a later one, renewing or changing it
	ConsentWithdrawn = "withdrawn" // a withdrawal
)

// ConsentEvent is one consent recorded for a client.
type ConsentEvent struct {
	At      time.Time
	By      string // the Slack user who recorded it
	Change  string // ConsentGiven, ConsentRenewed or ConsentWithdrawn
	Consent Consent
}

// HandoverEvent is the client passed from one case manager to another.
type HandoverEvent struct {
	At            time.Time
	From, To      string // Slack users
	ConferenceRef string // the conference whose outcome handed them over
}

// ChronologyConference is one conference of a client's chronology: the
// conference, and its recorded outcome with its action plan (nil when
// none is recorded, or when the reader may not see it: CanSeePlan).
type ChronologyConference struct {
	Conference *Conference
	Outcome    *Outcome
}

// Chronology is what one reader is shown of a client's history.
type Chronology struct {
	ClientRef   string
	Whole       bool // the reader sees everything (WholeChronology)
	Conferences []ChronologyConference
	Consents    []ConsentEvent  // only for Whole
	Handovers   []HandoverEvent // only for Whole
}

// Empty reports whether the chronology shows nothing at all: to its
// reader the client reads as a reference that is not there.
func (c *Chronology) Empty() bool {
	return len(c.Conferences) == 0 && len(c.Consents) == 0 && len(c.Handovers) == 0
}

// WholeChronology reports whether v sees the whole chronology of a
// client whose case manager is caseManagerID: every conference, every
// outcome and action, consent given, renewed and withdrawn, and the
// handovers. Their case manager and administrators do.
func WholeChronology(caseManagerID string, v Viewer) bool {
	return v.UserID != "" && (v.Admin || v.UserID == caseManagerID)
}

// InChronology reports whether conference c is in the chronology v is
// shown: all of them for WholeChronology; for anyone else only those
// whose case details they may see (CanSeeDetails), since the chronology
// ties the conference to the client's reference, which CanSee alone
// does not reveal.
func InChronology(c *Conference, caseManagerID string, v Viewer) bool {
	return WholeChronology(caseManagerID, v) || CanSeeDetails(c, v)
}
