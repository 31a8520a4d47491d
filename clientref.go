package caseconf

import (
	"sort"
	"strings"
	"time"
)

// One client is one person. A client is named by the reference their case
// manager typed (initials and a case number), and two case managers can
// each have a client "SA-1000" who are different people: a reference is
// unique only per case manager (a handover can even give one case
// manager two). So every command that names a client by reference
// (consent, client, subject-access, erase) resolves it to exactly one
// client before it reads, sends or erases anything, and never acts on two
// at once.

// ClientMatch is one client whose reference matched what someone typed,
// as the one asking may know of it.
type ClientMatch struct {
	ID            int64
	Reference     string
	CaseManagerID string
	// FirstConference is the start of the client's earliest conference
	// the asker may see; zero when there is none.
	FirstConference time.Time
}

// ClientUse is what a command wants a client for: it decides which
// clients with a reference the asker may know of at all.
type ClientUse string

// The uses of a client reference.
const (
	// ClientForConsent: changing consent (their case manager, or an
	// administrator: CanChangeConsent).
	ClientForConsent ClientUse = "consent"
	// ClientForChronology: the chronology (their case manager and
	// administrators, and anyone who may see one of the client's
	// conferences with its details: InChronology).
	ClientForChronology ClientUse = "client"
	// ClientForGovernance: subject access and erasure (administrators
	// only: CanGovern).
	ClientForGovernance ClientUse = "governance"
)

// ClientResolution is what a reference resolves to for one asker: exactly
// one client (Client), or a choice to put to them (Choices, two or more),
// or neither (no client they may know of has it: the command's answer for
// a reference that is not there).
type ClientResolution struct {
	Client  *ClientMatch
	Choices []ClientMatch
}

// ResolveClient picks, among matches (the clients with the reference
// typed that v may know of, for the use at hand), the one v means:
//
//   - v's own clients first: a case manager who has a client with that
//     reference means theirs, whoever else uses it (one: that one; two, as
//     after a handover, they choose between their own);
//   - otherwise the one client v may know of with it;
//   - where there are several (an administrator, say, and clients of
//     different case managers), v chooses: nothing is done until they
//     do. Two clients are never taken together.
//
// Choices come oldest first (first conference, then the order the clients
// were recorded).
func ResolveClient(matches []ClientMatch, v Viewer) ClientResolution {
	if v.UserID == "" {
		return ClientResolution{}
	}
	var own []ClientMatch
	for _, m := range matches {
		if m.CaseManagerID == v.UserID {
			own = append(own, m)
		}
	}
	pool := matches
	if len(own) > 0 {
		pool = own
	}
	switch len(pool) {
	case 0:
		return ClientResolution{}
	case 1:
		one := pool[0]
		return ClientResolution{Client: &one}
	}
	choices := append([]ClientMatch(nil), pool...)
	sort.SliceStable(choices, func(i, j int) bool {
		a, b := choices[i], choices[j]
		switch {
		case a.FirstConference.IsZero() != b.FirstConference.IsZero():
			return !a.FirstConference.IsZero() // those with a conference first
		case !a.FirstConference.Equal(b.FirstConference):
			return a.FirstConference.Before(b.FirstConference)
		}
		return a.ID < b.ID
	})
	return ClientResolution{Choices: choices}
}

// MayKnowClient reports whether v may know, for use, of a client whose
// case manager is caseManagerID; seesConference says whether v may see
// one of the client's conferences in its chronology (InChronology), which
// only the chronology asks. Anyone else is answered as for a reference
// that is not there.
func MayKnowClient(use ClientUse, caseManagerID string, v Viewer, seesConference bool) bool {
	switch use {
	case ClientForConsent:
		return CanChangeConsent(caseManagerID, v) == nil
	case ClientForGovernance:
		return CanGovern(v) == nil
	case ClientForChronology:
		return WholeChronology(caseManagerID, v) || (v.UserID != "" && seesConference)
	}
	return false
}

// SameClientRef reports whether two client references are the same as
// people type them: without regard to case or surrounding spaces and
// invisible characters (CleanClientRef).
func SameClientRef(a, b string) bool {
	return strings.EqualFold(CleanClientRef(a), CleanClientRef(b))
}

// CleanClientRef is a client reference as typed or pasted, without the
// spaces and invisible characters (a zero-width space, a direction mark)
// around it, and with each run of spaces inside it one space: the
// scheduling form stores it so, and a command looks it up so (a command
// line cannot tell one space from two), or "SA-1000" pasted with a
// zero-width space after it, or "JS  4411", would name no client in a
// command although the form filed it.
func CleanClientRef(s string) string { return strings.Join(strings.Fields(trimInvisible(s)), " ") }
