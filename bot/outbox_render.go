package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

// What each outbox message says, rendered when it is sent from the data
// as it is then, and what its posting changes.

// renderData is what a batch of messages needs to be rendered, read at
// once for the whole batch.
type renderData struct {
	at          time.Time
	conferences map[int64]*caseconf.Conference
	states      map[int64]caseconf.ReminderState // by message ID
}

func (s *Sender) load(ctx context.Context, ms []store.Outbox) (*renderData, error) {
	d := &renderData{at: time.Now()}
	ids := make([]int64, 0, len(ms))
	seen := map[int64]bool{}
	for _, m := range ms {
		if m.ConferenceID != 0 && !seen[m.ConferenceID] {
			seen[m.ConferenceID] = true
			ids = append(ids, m.ConferenceID)
		}
	}
	var err error
	if d.conferences, err = s.bot.store.ConferenceSnapshots(ctx, ids); err != nil {
		return nil, err
	}
	if d.states, err = s.bot.store.ReminderStates(ctx, ms, reminders.Subject); err != nil {
		return nil, err
	}
	return d, nil
}

// render is what message m says now, from the data as it is now. skip is
// set (and msg empty) when it no longer applies.
func (s *Sender) render(ctx context.Context, m store.Outbox, data *renderData) (msg message, skip string, err error) {
	b := s.bot
	switch m.Kind {
	case store.KindSendFailed:
		failed, err := b.store.OutboxMessage(ctx, m.SubjectID)
		if errors.Is(err, sql.ErrNoRows) {
			return message{}, "the message it is about is gone", nil
		}
		if err != nil {
			return message{}, "", err
		}
		return sendFailedMessage(failed, b.refOf(ctx, m.ConferenceID)), "", nil
	}
	c := data.conferences[m.ConferenceID]
	if c == nil {
		return message{}, "its conference no longer exists", nil
	}
	if isReminder(m.Kind) {
		return b.renderReminder(ctx, m, c, data.states[m.ID])
	}
	switch m.Kind {
	case store.KindInvitation:
		inv := c.Invitee(m.SubjectID)
		switch {
		case inv == nil:
			return message{}, "the invitee is no longer on the conference", nil
		case c.Cancelled():
			return message{}, "the conference was cancelled before the invitation went", nil
		case inv.Invitation.Posted():
			return message{}, "already posted", nil
		}
		return invitationMessage(c, inv, b.cal), "", nil
	case store.KindSummary:
		if c.Summary.Posted() {
			return message{}, "already posted", nil
		}
		failed, err := b.store.FailedInvitations(ctx, c.ID)
		if err != nil {
			return message{}, "", err
		}
		return summaryMessage(c, b.cal, failed), "", nil
	case store.KindCancellation:
		inv := c.Invitee(m.SubjectID)
		if inv == nil {
			return message{}, "the invitee is no longer on the conference", nil
		}
		return cancellationMessage(c, inv, b.cal), "", nil
	case store.KindActionDone:
		return b.renderActionDone(ctx, m, c)
	// The outcome's messages (bot/minutes.go).
	case store.KindMinutes:
		return b.renderMinutes(ctx, m, c)
	case store.KindActionAssigned:
		return b.renderActionAssigned(ctx, m, c)
	case store.KindMinutesWithheld:
		return b.renderMinutesWithheld(ctx, m, c)
	case store.KindHandoverOffer: // bot/handover.go
		return b.renderHandoverOffer(ctx, m, c)
	// Updates to an action (bot/action_updates_render.go).
	case store.KindActionUpdate:
		return b.renderActionUpdate(ctx, m, c)
	case store.KindActionDate:
		return b.renderActionDate(ctx, m, c)
	case store.KindNoConsentDPO: // bot/consent.go
		return noConsentDPOMessage(c, b.cal), "", nil
	}
	return message{}, "no such kind of message: " + m.Kind, nil
}

func (b *Bot) refOf(ctx context.Context, conferenceID int64) string {
	if c, err := b.store.ConferenceSnapshot(ctx, conferenceID); err == nil {
		return c.Ref
	}
	return "a conference"
}

// recordPosted remembers where a posted message lives, for updates, and
// re-renders what depends on it.
func (s *Sender) recordPosted(ctx context.Context, m store.Outbox, at caseconf.MessageRef, posted message) error {
	b := s.bot
	switch m.Kind {
	case store.KindInvitation:
		if err := b.store.SetInvitationMessage(ctx, m.SubjectID, at); err != nil {
			return err
		}
		// An answer given meanwhile is shown at once: the message was
		// rendered from the data as it was when it was claimed.
		if c, err := b.store.ConferenceSnapshot(ctx, m.ConferenceID); err == nil {
			if inv := c.Invitee(m.SubjectID); inv != nil && (inv.Accepted() || inv.Answered()) {
				b.refreshInvitation(ctx, c, inv)
			}
		}
	case store.KindSummary:
		if err := b.store.SetSummaryMessage(ctx, m.ConferenceID, at); err != nil {
			return err
		}
		// Re-rendered only if something changed since it was rendered.
		b.refreshSummaryFrom(ctx, m.ConferenceID, posted.fingerprint())
	case store.KindCancellation:
		if c, err := b.store.ConferenceSnapshot(ctx, m.ConferenceID); err == nil {
			if inv := c.Invitee(m.SubjectID); inv != nil {
				b.refreshInvitation(ctx, c, inv)
			}
		}
	case store.KindMinutes:
		// The log of disclosures says when Slack took each part.
		return b.store.MinutesDelivered(ctx, m, time.Now())
	}
	return nil
}

// cancellationMessage tells an invitee their conference is off; the
// reason only to those who may see case details.
func cancellationMessage(c *caseconf.Conference, inv *caseconf.Invitee, cal caseconf.Calendar) message {
	text := fmt.Sprintf(":no_entry: *%s* on %s, called by %s, has been cancelled.", c.Ref, when(c.StartsAt, cal.Loc), user(c.CaseManagerID))
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: inv.SlackUserID}) && c.CancelReason != "" {
		text += "\n*Reason:* " + escape(c.CancelReason)
	}
	return message{c.Ref + " has been cancelled", sections(text)}
}

// sendFailedMessage tells a case manager a message to someone could not be
// delivered.
func sendFailedMessage(failed store.Outbox, ref string) message {
	what := "A message"
	switch failed.Kind {
	case store.KindInvitation:
		what = "The invitation"
	case store.KindCancellation:
		what = "The cancellation notice"
	}
	why := ""
	if n := len(failed.Errors); n > 0 {
		why = " (" + escape(failed.Errors[n-1]) + ")"
	}
	text := fmt.Sprintf(":warning: %s for *%s* could not be delivered to %s%s. Please contact them directly.", what, ref, user(failed.RecipientID), why)
	return message{ref + ": a message could not be delivered", sections(text)}
}
