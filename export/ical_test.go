package export_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
)

func icalConference(t *testing.T) *caseconf.Conference {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return &caseconf.Conference{
		ID: 42, Ref: "CC-0042", ClientRef: "CL-SECRET-77", ClientName: "Jane Secretname",
		Purpose: "Plan for Jane Secretname's safety", Reasons: []string{"secret reason"},
		StartsAt: time.Date(2026, 7, 14, 10, 30, 0, 0, loc), DurationMinutes: 90,
		Place:  "Room 3, St Mary's Surgery; Market St, Leeds \\ back door, then the long corridor past the reception desk on the left",
		Status: caseconf.StatusScheduled,
	}
}

func parseICal(t *testing.T, b []byte) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("events = %d, want 1", len(evs))
	}
	return cal, evs[0]
}

func icalProp(t *testing.T, cal *ics.Calendar, p ics.Property) string {
	t.Helper()
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	t.Fatalf("no %s", p)
	return ""
}

func TestICalInvitation(t *testing.T) {
	c := icalConference(t)
	stamp := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	b := export.ICal(c, stamp)
	s := string(b)
	// CRLF everywhere, and no line longer than 75 octets.
	if !strings.HasSuffix(s, "\r\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Fatalf("not CRLF lines:\n%q", s)
	}
	folded := false
	for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if strings.HasPrefix(line, " ") {
			folded = true
		}
	}
	if !folded {
		t.Errorf("the long place was not folded:\n%s", s)
	}
	for _, secret := range []string{"CL-SECRET-77", "Secretname", "safety", "secret reason"} {
		if strings.Contains(s, secret) {
			t.Errorf("calendar file holds %q:\n%s", secret, s)
		}
	}
	cal, ev := parseICal(t, b)
	if got := icalProp(t, cal, ics.PropertyMethod); got != "REQUEST" {
		t.Errorf("METHOD = %q", got)
	}
	if got, want := ev.Id(), "conference-42-cc-0042@caseconf"; got != want {
		t.Errorf("UID = %q, want %q", got, want)
	}
	if got := ev.GetProperty(ics.ComponentPropertySequence).Value; got != "0" {
		t.Errorf("SEQUENCE = %q", got)
	}
	if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != "Case conference CC-0042" {
		t.Errorf("SUMMARY = %q", got)
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(c.StartsAt) {
		t.Errorf("DTSTART = %v (%v), want %v", start, err, c.StartsAt)
	}
	if p := ev.GetProperty(ics.ComponentPropertyDtStart).Value; p != "20260714T093000Z" {
		t.Errorf("DTSTART value = %q, want UTC", p)
	}
	end, err := ev.GetEndAt()
	if err != nil || !end.Equal(c.StartsAt.Add(90*time.Minute)) {
		t.Errorf("DTEND = %v (%v)", end, err)
	}
	if got, err := ev.GetDtStampTime(); err != nil || !got.Equal(stamp) {
		t.Errorf("DTSTAMP = %v (%v)", got, err)
	}
	// The place is escaped on the wire and read back whole.
	if !strings.Contains(strings.ReplaceAll(s, "\r\n ", ""), `Room 3\, St Mary's Surgery\; Market St\, Leeds \\ back door`) {
		t.Errorf("place not escaped:\n%s", s)
	}
	if got := ics.FromText(ev.GetProperty(ics.ComponentPropertyLocation).Value); got != c.Place {
		t.Errorf("LOCATION = %q, want %q", got, c.Place)
	}
	if export.ICalFilename(c) != "CC-0042.ics" {
		t.Errorf("filename %q", export.ICalFilename(c))
	}
}

func TestICalCancellation(t *testing.T) {
	c := icalConference(t)
	req := export.ICal(c, time.Now())
	c.Status, c.CancelReason, c.CalendarSequence = caseconf.StatusCancelled, "client moved away", 1
	b := export.ICal(c, time.Now())
	if strings.Contains(string(b), "moved away") {
		t.Errorf("cancellation holds the reason:\n%s", b)
	}
	_, reqEv := parseICal(t, req)
	cal, ev := parseICal(t, b)
	if got := icalProp(t, cal, ics.PropertyMethod); got != "CANCEL" {
		t.Errorf("METHOD = %q", got)
	}
	if ev.Id() != reqEv.Id() {
		t.Errorf("UID %q, the invitation's %q", ev.Id(), reqEv.Id())
	}
	if got := ev.GetProperty(ics.ComponentPropertyStatus).Value; got != "CANCELLED" {
		t.Errorf("STATUS = %q", got)
	}
	if got := ev.GetProperty(ics.ComponentPropertySequence).Value; got != "1" {
		t.Errorf("SEQUENCE = %q", got)
	}
}
