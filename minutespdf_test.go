package caseconf

import (
	"strings"
	"testing"
	"time"
)

func TestMinutesPDFForCoveredPeopleNotOnSlack(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	accepted := now.AddDate(0, 0, -3)
	c := &Conference{Ref: "CC-0042", Status: StatusRecorded, CaseManagerID: "U0CM",
		Consent: Consent{Method: ConsentWritten, GivenOn: now.AddDate(0, -1, 0), ValidUntil: now.AddDate(1, 0, 0), AgencyKinds: []string{"housing"}},
		Invitees: []Invitee{
			{ID: 1, Name: "Person A", AgencyKind: "housing", Email: "a@example.org", AcceptedAt: &accepted},
			{ID: 2, Name: "Person B", AgencyKind: "housing", Phone: "020 7946 0000", AcceptedAt: &accepted},
			{ID: 3, Name: "Person C", AgencyKind: "probation_police", Email: "c@example.org", AcceptedAt: &accepted},
			{ID: 4, Name: "Person E", AgencyKind: "housing", Email: "e@example.org"},
			{ID: 5, SlackUserID: "U0GP", Name: "Dr Slack", AgencyKind: "housing", AcceptedAt: &accepted},
		}}
	shared := []Person{
		{Name: "Someone", Contact: "A@example.org"},               // matched by address (case aside)
		{Name: "person b", Contact: "020 7946 0000, b@other.org"}, // matched by name; the share list's address
		{Name: "Person C", Contact: "c@example.org"},              // not covered
		{Name: "Person D", Contact: "d@example.org"},              // never invited
		{Name: "Person E", Contact: "e@example.org"},              // has not accepted
		{Name: "Again", Contact: "a@example.org"},                 // the same person twice
		{UserID: "U0GP"}, // on Slack: the minutes go there
		{Name: "Dr Slack", Contact: "slack@example.org"}, // only a Slack invitee by that name
	}
	got := MinutesPDFFor(c, shared, now)
	want := []struct{ name, email, why string }{
		{"Someone", "a@example.org", ""},
		{"person b", "b@other.org", ""},
		{"Person C", "c@example.org", "the client's consent does not cover their agency (Probation / police)"},
		{"Person D", "d@example.org", "caseconf does not know which agency"},
		{"Person E", "e@example.org", "they have not accepted"},
		{"Dr Slack", "slack@example.org", "caseconf does not know which agency"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Email != w.email || (w.why == "") != (g.Withheld == "") || (w.why != "" && !strings.Contains(g.Withheld, w.why)) {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	// The consent lapsed: nobody.
	for _, r := range MinutesPDFFor(c, shared, now.AddDate(2, 0, 0)) {
		if r.Withheld == "" {
			t.Errorf("%s may have the minutes after the consent lapsed", r.Name)
		}
	}
	if err := CanMakeMinutesPDF(c, Viewer{UserID: "U0CM"}); err != nil {
		t.Errorf("the case manager: %v", err)
	}
	if err := CanMakeMinutesPDF(c, Viewer{UserID: "U0GP"}); err == nil {
		t.Error("an invitee may make the minutes PDF")
	}
	c.Status = StatusScheduled
	if err := CanMakeMinutesPDF(c, Viewer{UserID: "U0CM"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("before the outcome: %v", err)
	}
	for s, want := range map[string]string{"020 7946 0000, b@other.org": "b@other.org", "Dr P <p@x.org>": "p@x.org", "020 7946 0000": "", "@ home": ""} {
		if got := EmailIn(s); got != want {
			t.Errorf("EmailIn(%q) = %q, want %q", s, got, want)
		}
	}
}
