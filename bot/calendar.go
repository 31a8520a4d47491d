package bot

import (
	"bytes"
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
	"github.com/caseconf/caseconf/store"
)

// The meeting in people's calendars: each invitation (store.
// invitationMessages) is followed by the conference as an iCalendar file
// (export.ICal) uploaded into the invitee's DM, and a cancellation by the
// same UID's METHOD:CANCEL. The sender uploads these instead of posting a
// message; the file names no client.

// calendarFile is what a calendar message uploads.
type calendarFile struct {
	filename, title, comment string
	content                  []byte
}

// renderCalendar is the calendar file message m uploads, from d, the
// data its batch read; skip is set when it no longer applies.
func (b *Bot) renderCalendar(m store.Outbox, d *store.RenderData, now time.Time) (f calendarFile, skip string) {
	c := d.Conferences[m.ConferenceID]
	if c == nil {
		return f, "its conference no longer exists"
	}
	// A cancellation goes to an invitee of a cancelled conference, or to
	// one taken off the list (who is no longer among its invitees).
	invited := c.Invitee(m.SubjectID) != nil
	switch {
	case m.Kind == caseconf.KindCalendar && !invited:
		return f, "the invitee is no longer on the conference"
	case m.Kind == caseconf.KindCalendar && c.Cancelled():
		return f, "the conference was cancelled before the calendar file went"
	case m.Kind == caseconf.KindCalendarCancel && invited && !c.Cancelled():
		return f, "the conference is not cancelled"
	case m.Kind == caseconf.KindCalendarCancel && !invited && c.InviteeFor(m.RecipientID) != nil && !c.Cancelled():
		return f, "the recipient was invited again"
	}
	if m.Kind == caseconf.KindCalendarCancel {
		f = calendarFile{filename: c.Ref + "-cancelled.ics", title: export.ICalSummary(c) + " (cancelled)", content: export.ICalCancel(c, now)}
		f.comment = ":calendar: *" + c.Ref + "* is cancelled: open this file to take it out of your calendar."
		if !c.Cancelled() {
			f.comment = ":calendar: You are no longer invited to *" + c.Ref + "*: open this file to take it out of your calendar."
		}
	} else {
		f = calendarFile{filename: export.ICalFilename(c), title: export.ICalSummary(c), content: export.ICal(c, now)}
		f.comment = ":calendar: *" + c.Ref + "* on " + when(c.StartsAt, b.cal.Loc) + ": open this file to add it to your calendar."
		if inv := c.Invitee(m.SubjectID); !inv.Accepted() {
			// The place, like the invitation's, once they accept.
			f.content = export.ICalNoPlace(c, now)
			f.comment += " The place is added once you accept the agreement."
		}
	}
	return f, ""
}

// uploadCalendar uploads calendar message m into its recipient's DM, and
// finishes it. It reports whether Slack took it.
func (s *Sender) uploadCalendar(ctx context.Context, m store.Outbox, now time.Time, d *store.RenderData) bool {
	st := s.bot.store
	f, skip := s.bot.renderCalendar(m, d, now)
	if skip != "" {
		s.finish(ctx, m, st.MarkCancelled(ctx, m, skip))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	defer cancel()
	ch, _, _, err := s.api.OpenConversationContext(sctx, &slack.OpenConversationParameters{Users: []string{m.RecipientID}, ReturnIM: true})
	var file *slack.FileSummary
	if err == nil {
		file, err = s.api.UploadFileContext(sctx, slack.UploadFileParameters{
			Filename: f.filename, Title: f.title, FileSize: len(f.content), Reader: bytes.NewReader(f.content),
			Channel: ch.ID, InitialComment: f.comment,
		})
	}
	if err == nil {
		// Recorded against the conference's client, so that erasing them
		// deletes it; should that fail, the file is deleted again and
		// sent later (bot/uploads.go).
		if ferr := st.FileUploaded(context.WithoutCancel(ctx), m.ConferenceID, nil, file.ID, store.FileCalendar); ferr != nil {
			s.bot.log.Error("could not record a calendar file", "conference", m.ConferenceID, "err", ferr)
			s.bot.withdrawUnrecorded(ctx, file.ID)
			if m.Attempts >= caseconf.MaxSendAttempts {
				s.finish(ctx, m, st.MarkFailed(ctx, m, "could not record the file"))
				s.count(m.Kind, "failed")
			} else {
				s.finish(ctx, m, st.MarkRetry(ctx, m, "could not record the file", caseconf.RetryAt(now, m.Attempts, 0)))
				s.count(m.Kind, "retried")
			}
			return false
		}
		s.finishSent(ctx, m, caseconf.MessageRef{Channel: ch.ID})
		return true
	}
	// The invitation or the cancellation itself tells the case manager
	// when it cannot reach someone.
	s.finishCall(ctx, m, now, err)
	return false
}
