package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// The answers to an invitation, as buttons: in the invitation, in the
// reminder that asks for an answer, and on Home. "Sending a colleague"
// and "Not involved" open a modal for their line of text.
const (
	viewNotInvolved     = "not_involved"
	fieldNotInvolvedWhy = "not_involved_why"
)

// answerButtons are the buttons that answer invitee id's invitation.
func answerButtons(id string) []slack.BlockElement {
	return []slack.BlockElement{
		button(actionRespond+":"+string(caseconf.AnswerAttending), id, "Attending", slack.StylePrimary),
		button(actionRespond+":"+string(caseconf.AnswerColleague), id, "Sending a colleague", ""),
		button(actionRespond+":"+string(caseconf.AnswerApologies), id, "Can't attend — I'll send a report", ""),
		button(actionRespond+":"+string(caseconf.AnswerNotInvolved), id, "Not involved", ""),
	}
}

// notInvolvedModal asks for the optional line explaining why the invitee
// is not involved with the client.
func notInvolvedModal(c *caseconf.Conference, inv *caseconf.Invitee) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewNotInvolved, Title: plain("Not involved"),
		Submit: plain("Send"), Close: plain("Back"),
		PrivateMetadata: subject{Invitee: inv.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("You are not involved with the client of %s. %s is told; no report is owed and you will not be reminded.",
				c.Ref, user(c.CaseManagerID))),
			input(fieldNotInvolvedWhy, "Why (optional)", "One line for the case manager, e.g. not registered with this practice.",
				textInput(fieldNotInvolvedWhy, caseconf.MaxNotInvolvedReason, false, ""), true),
		}},
	}
}

// submitNotInvolved records "not involved" with its optional line.
func (b *Bot) submitNotInvolved(ctx context.Context, r *Request) {
	ic := r.Interaction
	reason, problem := caseconf.CheckNotInvolvedReason(viewValues(ic).text(fieldNotInvolvedWhy))
	if problem != "" {
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{fieldNotInvolvedWhy: problem}))
		return
	}
	c, inv, changed, err := b.store.RecordResponse(ctx, inviteeID(ic.View.PrivateMetadata), r.UserID, caseconf.AnswerNotInvolved, reason)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldNotInvolvedWhy)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if changed {
		b.refreshInvitation(ctx, c, inv)
		b.refreshSummary(ctx, c.ID)
	}
}
