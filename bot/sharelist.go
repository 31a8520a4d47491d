package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Someone on the share list who was not invited: a share-list person
// offered the agreement by a button in a DM (KindShareAgreement, sent
// when the outcome is recorded) or in show. Once they accept it, naming
// their agency, they see the case details and the minutes go to them, if
// the client's consent covers that agency (caseconf.CanSeeDetails,
// caseconf.MinutesWithheld).

// actionShareAgree opens the agreement for a share-list person; value:
// subject{Conference}.
const actionShareAgree = "share_agree"

const shareAgreementAsk = "You are on the share list for the minutes. Before you can see the case details or receive the minutes, please read and accept the information-sharing and confidentiality agreement."

func shareAgreeButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	return button(actionShareAgree, subject{Conference: c.ID}.String(), "Read and accept the agreement", slack.StylePrimary)
}

// renderShareAgreement offers the agreement of c to m's recipient, on its
// share list and not invited, until they have accepted it. It names no
// client.
func renderShareAgreement(m store.Outbox, c *caseconf.Conference, cal caseconf.Calendar) (message, string) {
	if !caseconf.OffersShareAgreement(c, m.RecipientID) {
		return message{}, "they are no longer on the share list, or have accepted the agreement"
	}
	text := fmt.Sprintf(":lock: %s put you on the share list for the minutes of *%s* (the meeting of %s). %s",
		user(c.CaseManagerID), c.Ref, when(c.StartsAt, cal.Loc), shareAgreementAsk)
	return message{Text: "You are on the share list of " + c.Ref,
		Blocks: []slack.Block{section(text), slack.NewActionBlock("share_agreement", shareAgreeButton(c))}}, ""
}

// clickShareAgree opens the agreement for a share-list person to read and
// accept (caseconf.CanAcceptShare); for anyone else the conference does
// not exist.
func (b *Bot) clickShareAgree(ctx context.Context, r *Request) {
	r.Ack(nil)
	s, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || s.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	c, err := b.store.ConferenceByID(ctx, s.Conference, b.viewer(r.UserID), "share_agreement.open")
	if err == nil {
		err = caseconf.CanAcceptShare(c, r.UserID)
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	sh := c.SharerFor(r.UserID)
	if sh.Accepted() {
		r.Reply(ctx, fmt.Sprintf("You have already accepted the agreement for %s.", c.Ref))
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, agreementView(c, sh.Agency, sh.AgencyKind, subject{Conference: c.ID}))
}

// submitShareAgreement records a share-list person's acceptance, and says
// in the modal whether the minutes are on their way.
func (b *Bot) submitShareAgreement(ctx context.Context, r *Request, id int64, agency *store.AgencyAnswer) {
	c, sent, err := b.store.AcceptShareAgreement(ctx, id, r.UserID, agency, b.MinutesParts)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldAgency)
		return
	}
	v := b.viewer(r.UserID)
	var text string
	switch {
	case sent:
		text = fmt.Sprintf(":white_check_mark: Thank you. The minutes of *%s* are on their way to you, and `/caseconf show %s` shows its details.", c.Ref, c.Ref)
	case caseconf.CanSeeDetails(c, v):
		text = fmt.Sprintf(":white_check_mark: Thank you. `/caseconf show %s` shows its details.", c.Ref)
	default:
		text = fmt.Sprintf(":white_check_mark: Thank you. The client's consent does not cover your agency, so the case details and minutes of *%s* are withheld from you; %s can tell you more.",
			c.Ref, user(c.CaseManagerID))
	}
	r.Ack(slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewAgreement + "_done", Title: plain("Confidentiality"), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}},
	}))
}
