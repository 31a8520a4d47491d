package export

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/caseconf/caseconf"
)

// ICalUID is the stable iCalendar UID of conference c: the same for its
// invitation, every change and its cancellation, so that a calendar puts
// each over the one it had. It names only the conference.
func ICalUID(c *caseconf.Conference) string {
	return fmt.Sprintf("conference-%d-%s@caseconf", c.ID, strings.ToLower(c.Ref))
}

// ICalSummary is what a calendar shows a conference as: its reference
// and nothing of the client.
func ICalSummary(c *caseconf.Conference) string { return "Case conference " + c.Ref }

// ICal is conference c as an iCalendar file (RFC 5545) for an invitee's
// calendar: METHOD:REQUEST with the meeting as it stands, or, once it is
// cancelled, METHOD:CANCEL and STATUS:CANCELLED for the same UID. It
// carries the reference, the start and end (in UTC), the place and the
// calendar SEQUENCE; never the client, the purpose or the reasons. stamp
// is DTSTAMP, when the file is made. Lines end in CRLF and are folded at
// 75 octets; text is escaped.
func ICal(c *caseconf.Conference, stamp time.Time) []byte { return ical(c, stamp, c.Cancelled(), true) }

// ICalNoPlace is ICal without the place: for an invitee on Slack who has
// not yet accepted the confidentiality agreement (their invitation does
// not show the place either). They are sent the file again, with it,
// once they accept.
func ICalNoPlace(c *caseconf.Conference, stamp time.Time) []byte {
	return ical(c, stamp, c.Cancelled(), false)
}

// ICalCancel is conference c's METHOD:CANCEL for one attendee's calendar,
// whether or not the conference itself is cancelled: for an invitee
// taken off it.
func ICalCancel(c *caseconf.Conference, stamp time.Time) []byte { return ical(c, stamp, true, false) }

func ical(c *caseconf.Conference, stamp time.Time, cancel, place bool) []byte {
	cal := ics.NewCalendarFor("caseconf")
	cal.SetProductId("-//caseconf//Case conferences//EN")
	cal.SetCalscale("GREGORIAN")
	method, status := ics.MethodRequest, ics.ObjectStatusConfirmed
	if cancel {
		method, status = ics.MethodCancel, ics.ObjectStatusCancelled
	}
	cal.SetMethod(method)
	ev := cal.AddEvent(ICalUID(c))
	ev.SetDtStampTime(stamp.UTC())
	ev.SetSequence(c.CalendarSequence)
	ev.SetStartAt(c.StartsAt.UTC())
	ev.SetEndAt(c.Ends().UTC())
	ev.SetSummary(ICalSummary(c))
	if place && c.Place != "" {
		ev.SetLocation(c.Place)
	}
	ev.SetStatus(status)
	ev.SetClass(ics.ClassificationPrivate)
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// ICalFilename is the name of conference c's calendar file.
func ICalFilename(c *caseconf.Conference) string {
	if c.Cancelled() {
		return c.Ref + "-cancelled.ics"
	}
	return c.Ref + ".ics"
}
