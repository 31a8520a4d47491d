package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// calendarUploads waits until n calendar files (.ics) have been shared,
// and returns them in order.
func (a *app) calendarUploads(n int) []fakeslack.Upload {
	a.t.Helper()
	var out []fakeslack.Upload
	a.eventually("calendar files to be uploaded", func() bool {
		out = out[:0]
		for _, u := range a.slack.Uploads() {
			if strings.HasSuffix(u.Filename, ".ics") && u.Channel != "" {
				out = append(out, u)
			}
		}
		return len(out) >= n
	})
	return out
}

// calendarEvent parses an uploaded calendar file: its METHOD and its one
// event.
func calendarEvent(t *testing.T, u fakeslack.Upload) (string, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(u.Content))
	if err != nil {
		t.Fatalf("%s does not parse: %v", u.Filename, err)
	}
	method := ""
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			method = p.Value
		}
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%s holds %d events", u.Filename, len(evs))
	}
	return method, evs[0]
}

// Every invitee on Slack gets the meeting as a calendar file in their DM
// (nothing of the client in it, and the place only once they accept the
// agreement, when the file comes again); cancelling sends them
// METHOD:CANCEL for the same UID with SEQUENCE raised.
func TestCalendarInvitationAndCancel(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	slackInvitees := a.count(`SELECT count(*) FROM invitees WHERE slack_user_id IS NOT NULL`)
	if slackInvitees < 2 {
		t.Fatalf("%d invitees on Slack", slackInvitees)
	}
	var startsAt time.Time
	var place, clientRef string
	row := a.main.DB.SQL().QueryRowContext(context.Background(), `SELECT c.starts_at, c.place, cl.reference
		FROM conferences c JOIN clients cl ON cl.id = c.client_id WHERE c.ref = 'CC-0001'`)
	if err := row.Scan(&startsAt, &place, &clientRef); err != nil {
		t.Fatal(err)
	}

	invites := a.calendarUploads(slackInvitees)
	uid := ""
	got := map[string]bool{}
	for _, u := range invites {
		if !bytes.Contains(u.Content, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(u.Content, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s: lines not ended by CRLF", u.Filename)
		}
		if clientRef != "" && bytes.Contains(u.Content, []byte(clientRef)) {
			t.Errorf("the calendar file names the client's reference")
		}
		method, ev := calendarEvent(t, u)
		if method != "REQUEST" {
			t.Errorf("invitation's METHOD = %q", method)
		}
		if uid == "" {
			uid = ev.Id()
		} else if ev.Id() != uid {
			t.Errorf("UIDs differ between invitees: %q, %q", uid, ev.Id())
		}
		if s := ev.GetProperty(ics.ComponentPropertySequence); s == nil || s.Value != "0" {
			t.Errorf("invitation's SEQUENCE = %v", s)
		}
		if s := ev.GetProperty(ics.ComponentPropertySummary); s == nil || s.Value != "Case conference CC-0001" {
			t.Errorf("SUMMARY = %v", s)
		}
		if start, err := ev.GetStartAt(); err != nil || !start.Equal(startsAt) {
			t.Errorf("DTSTART = %v (%v), want %v", start, err, startsAt)
		}
		if end, err := ev.GetEndAt(); err != nil || !end.After(startsAt) {
			t.Errorf("DTEND = %v (%v)", end, err)
		}
		// The place, like the invitation's, only once they accept.
		if l := ev.GetProperty(ics.ComponentPropertyLocation); l != nil {
			t.Errorf("LOCATION = %v before the agreement was accepted", l)
		}
		got[u.Channel] = true
	}
	for _, u := range []string{"U0GP", "U0SW"} {
		if !got[fakeslack.DMChannelID(u)] {
			t.Errorf("no calendar file in %s's DM", u)
		}
	}
	if got[fakeslack.DMChannelID("U0CM")] && a.count(`SELECT count(*) FROM invitees WHERE slack_user_id = 'U0CM'`) == 0 {
		t.Errorf("the case manager, not an invitee, was sent a calendar file")
	}

	// The GP accepts: the file comes again, the same meeting, with the
	// place.
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	withPlace := a.calendarUploads(slackInvitees + 1)[slackInvitees]
	if withPlace.Channel != fakeslack.DMChannelID("U0GP") {
		t.Errorf("the file with the place went to %s", withPlace.Channel)
	}
	if method, ev := calendarEvent(t, withPlace); method != "REQUEST" || ev.Id() != uid {
		t.Errorf("after accepting: METHOD %q, UID %q", method, ev.Id())
	} else if l := ev.GetProperty(ics.ComponentPropertyLocation); l == nil || ics.FromText(l.Value) != place {
		t.Errorf("after accepting, LOCATION = %v, want %q", l, place)
	}

	before := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "cancel CC-0001")
	open := a.waitCalls("views.open", before+1)[before]
	meta := open.JSON()["view"].(map[string]any)["private_metadata"].(string)
	if ack := a.viewSubmission("U0CM", "cancel", "VXC", meta, form{}.text("cancel_reason", "Client has been housed"), 0); ack["response_action"] != "clear" {
		t.Fatalf("cancel ack = %v", ack)
	}
	all := a.calendarUploads(2*slackInvitees + 1)
	cancelled := map[string]bool{}
	for _, u := range all[slackInvitees+1:] {
		if bytes.Contains(u.Content, []byte("housed")) {
			t.Errorf("the cancellation's calendar file holds the reason")
		}
		method, ev := calendarEvent(t, u)
		if method != "CANCEL" {
			t.Errorf("cancellation's METHOD = %q", method)
		}
		if ev.Id() != uid {
			t.Errorf("cancellation's UID %q, the invitation's %q", ev.Id(), uid)
		}
		if s := ev.GetProperty(ics.ComponentPropertyStatus); s == nil || s.Value != "CANCELLED" {
			t.Errorf("STATUS = %v", s)
		}
		if s := ev.GetProperty(ics.ComponentPropertySequence); s == nil || s.Value != "1" {
			t.Errorf("cancellation's SEQUENCE = %v, want 1", s)
		}
		cancelled[u.Channel] = true
	}
	for _, u := range []string{"U0GP", "U0SW"} {
		if !cancelled[fakeslack.DMChannelID(u)] {
			t.Errorf("no METHOD:CANCEL in %s's DM", u)
		}
	}
}

// fileUploads are the files uploaded but the calendar files every
// invitation brings: what commands (export, gaps, subject access) made.
func (a *app) fileUploads() []fakeslack.Upload {
	return withoutCalendars(a.slack.Uploads())
}

// waitFileUploads is fakeslack's WaitForUploads for fileUploads: it
// waits until n of them are shared, and returns them.
func (a *app) waitFileUploads(ctx context.Context, n int) ([]fakeslack.Upload, error) {
	for {
		var done []fakeslack.Upload
		for _, u := range a.fileUploads() {
			if u.Completed {
				done = append(done, u)
			}
		}
		if len(done) >= n {
			return a.fileUploads(), nil
		}
		select {
		case <-ctx.Done():
			return a.fileUploads(), ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func withoutCalendars(ups []fakeslack.Upload) []fakeslack.Upload {
	var out []fakeslack.Upload
	for _, u := range ups {
		if !strings.HasSuffix(u.Filename, ".ics") {
			out = append(out, u)
		}
	}
	return out
}
