package bot

import (
	"context"
	"fmt"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// What each outbox message says, rendered when it is sent from the data
// as it is then, and what its posting changes.

// render is what message m says now, from d, the data its batch read
// (store.RenderData): it reads nothing more. skip is set (and msg empty)
// when it no longer applies.
func (b *Bot) render(m store.Outbox, d *store.RenderData) (msg message, skip string) {
	if m.Kind == caseconf.KindSendFailed {
		failed := d.Messages[m.SubjectID]
		if failed == nil {
			return message{}, "the message it is about is gone"
		}
		ref := "a conference"
		c := d.Conferences[m.ConferenceID]
		if c != nil {
			ref = c.Ref
		}
		if failed.Kind.Email() {
			return emailFailedMessage(failed, ref, c), ""
		}
		return sendFailedMessage(failed, ref), ""
	}
	c := d.Conferences[m.ConferenceID]
	if c == nil {
		return message{}, "its conference no longer exists"
	}
	if m.Kind.Reminder() {
		return b.renderReminder(m, c, d.Reminders[m.ID])
	}
	switch m.Kind {
	case caseconf.KindInvitation:
		inv := c.Invitee(m.SubjectID)
		switch {
		case inv == nil:
			return message{}, "the invitee is no longer on the conference"
		case c.Cancelled():
			return message{}, "the conference was cancelled before the invitation went"
		case inv.Invitation.Posted():
			return message{}, "already posted"
		}
		return invitationMessage(c, inv, b.cal), ""
	case caseconf.KindSummary:
		if c.Summary.Posted() {
			return message{}, "already posted"
		}
		return summaryMessage(c, b.cal, d.Failed[c.ID]), ""
	case caseconf.KindCancellation:
		inv := c.Invitee(m.SubjectID)
		if inv == nil {
			return message{}, "the invitee is no longer on the conference"
		}
		return cancellationMessage(c, inv, b.cal), ""
	case caseconf.KindActionDone:
		return renderActionDone(m, c, d.Actions[m.SubjectID])
	// Actions closed or given to someone else (bot/action_change.go).
	case caseconf.KindActionClosed:
		return renderActionClosed(m, c, d.Actions[m.SubjectID])
	case caseconf.KindActionReassigned:
		return renderActionReassigned(m, c, d.Actions[m.SubjectID])
	case caseconf.KindActionTakenOff:
		return renderActionTakenOff(m, c, d.Actions[m.SubjectID])
	// The outcome's messages (bot/minutes.go).
	case caseconf.KindMinutes:
		return b.renderMinutes(m, c, d)
	case caseconf.KindActionAssigned:
		return renderActionAssigned(m, c, d.Actions[m.SubjectID])
	case caseconf.KindAmendedMinutes: // bot/amend.go
		return b.renderAmendedMinutes(m, c, d)
	case caseconf.KindActionAmended:
		return renderActionAmended(m, c, d.Actions[m.SubjectID], d.Outcomes[c.ID])
	case caseconf.KindActionRemoved:
		return renderActionRemoved(m, c, d.Actions[m.SubjectID], d.Outcomes[c.ID])
	case caseconf.KindMinutesWithheld:
		return b.renderMinutesWithheld(m, c, d.Outcomes[c.ID], d.ShareLists[c.ID])
	case caseconf.KindShareAgreement: // bot/sharelist.go
		return renderShareAgreement(m, c, b.cal)
	case caseconf.KindHandoverOffer: // bot/handover.go
		return renderHandoverOffer(m, c, d.Outcomes[c.ID])
	// Updates to an action (bot/action_updates_render.go).
	case caseconf.KindActionUpdate:
		return renderActionUpdate(m, c, d)
	case caseconf.KindActionDate:
		return renderActionDate(m, c, d)
	case caseconf.KindEmailAddressNeeded: // bot/email.go
		return emailAddressNeededMessage(c), ""
	case caseconf.KindNoConsentDPO: // bot/consent.go
		return noConsentDPOMessage(c, b.cal), ""
	// Changes to the conference (bot/edit.go).
	case caseconf.KindConferenceChanged:
		return renderConferenceChanged(m, c, d.Edits[m.SubjectID], b.cal)
	case caseconf.KindUninvited:
		return renderUninvited(m, c, d.Edits[m.SubjectID], b.cal)
	}
	return message{}, "no such kind of message: " + string(m.Kind)
}

// afterPost re-renders what depends on message m, posted as msg: an
// invitation shows at once an answer (or a cancellation) made while it
// was being posted; the summary, whatever changed since it was rendered;
// an invitation that was cancelled shows so. p is what recording the post
// found (store.MarkPosted); d, what the batch read.
func (s *Sender) afterPost(ctx context.Context, m store.Outbox, msg message, p store.Posted, d *store.RenderData) {
	b := s.bot
	switch m.Kind {
	case caseconf.KindInvitation:
		if c := p.Conference; c != nil {
			if inv := c.Invitee(m.SubjectID); inv != nil && invitationMessage(c, inv, b.cal).fingerprint() != msg.fingerprint() {
				b.refreshInvitation(ctx, c, inv)
			}
		}
	case caseconf.KindSummary:
		// Updated only if something changed since it was rendered, from
		// what the mark read under the conference's lock: a change after
		// it finds the summary posted and updates it itself.
		if c := p.Conference; c != nil && c.Summary.Posted() {
			if now := summaryMessage(c, b.cal, p.Failed); now.fingerprint() != msg.fingerprint() {
				b.updateSummary(ctx, c, now)
			}
		}
	case caseconf.KindCancellation:
		if c := d.Conferences[m.ConferenceID]; c != nil {
			if inv := c.Invitee(m.SubjectID); inv != nil {
				b.refreshInvitation(ctx, c, inv)
			}
		}
	}
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
func sendFailedMessage(failed *store.Outbox, ref string) message {
	what := "A message"
	switch failed.Kind {
	case caseconf.KindInvitation:
		what = "The invitation"
	case caseconf.KindCancellation:
		what = "The cancellation notice"
	}
	why := ""
	if n := len(failed.Errors); n > 0 {
		why = " (" + escape(failed.Errors[n-1]) + ")"
	}
	text := fmt.Sprintf(":warning: %s for *%s* could not be delivered to %s%s. Please contact them directly.", what, ref, user(failed.RecipientID), why)
	return message{ref + ": a message could not be delivered", sections(text)}
}

// emailFailedMessage tells a case manager an e-mail to someone not on
// Slack could not be delivered: to whom, what, and why (the mail server's
// reply code).
func emailFailedMessage(failed *store.Outbox, ref string, c *caseconf.Conference) message {
	what := map[caseconf.MessageKind]string{
		caseconf.KindEmailInvitation:   "The e-mailed invitation",
		caseconf.KindEmailChange:       "The e-mail telling of the change",
		caseconf.KindEmailCancellation: "The e-mailed cancellation",
		caseconf.KindEmailMinutes:      "The e-mail carrying the minutes PDF",
	}[failed.Kind]
	to := escape(failed.RecipientID)
	if c != nil && failed.Kind != caseconf.KindEmailMinutes {
		if inv := c.Invitee(failed.SubjectID); inv != nil {
			to = escape(inv.Name) + " (" + to + ")"
		}
	}
	why := ""
	if n := len(failed.Errors); n > 0 {
		why = " (" + escape(failed.Errors[n-1]) + ")"
	}
	text := fmt.Sprintf(":warning: %s for *%s* could not be delivered to %s%s. Please contact them another way.", what, ref, to, why)
	return message{ref + ": an e-mail could not be delivered", sections(text)}
}
