package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Correcting an invitee's agency: the case manager, from show, names the
// invitee (or someone on the share list who was not invited and named
// their agency accepting its agreement) and their agency and kind as they
// are (chosen wrongly, or changed with their job). The kind decides what the client's consent
// lets the invitee see, decided again at every read and send; the change
// is audited with what it was.

const (
	actionCorrectAgency = "correct_agency" // value: subject{Conference}; opens the form
	viewCorrectAgency   = "correct_agency"
	fieldInvitee        = "agency_invitee"
	// sharerOption prefixes the choice of someone on the share list who
	// was not invited: "s:USERID".
	sharerOption = "s:"

	// maxAgencyChoices is the most invitees the form offers (Slack's
	// limit on a select's options).
	maxAgencyChoices = 100
)

func (b *Bot) registerAgency() {
	b.HandleAction(actionCorrectAgency, b.clickCorrectAgency)
	b.HandleView(viewCorrectAgency, b.submitCorrectAgency)
}

func correctAgencyButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	return button(actionCorrectAgency, subject{Conference: c.ID}.String(), "Correct an invitee's agency", "")
}

// clickCorrectAgency opens the form for the case manager
// (caseconf.CanCorrectAgency).
func (b *Bot) clickCorrectAgency(ctx context.Context, r *Request) {
	r.Ack(nil)
	s, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || s.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	v := b.viewer(r.UserID)
	c, err := b.store.ConferenceByID(ctx, s.Conference, v, "conference.agency_form")
	if err == nil && len(c.Invitees) > 0 {
		err = caseconf.CanCorrectAgency(c, v, &c.Invitees[0])
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if len(c.Invitees) == 0 {
		r.Reply(ctx, fmt.Sprintf("%s has no invitees.", c.Ref))
		return
	}
	var users []string
	for _, inv := range c.Invitees {
		if inv.OnSlack() && inv.Name == "" {
			users = append(users, inv.SlackUserID)
		}
	}
	for _, sh := range c.Sharers {
		if sh.Accepted() {
			users = append(users, sh.UserID)
		}
	}
	b.openView(ctx, r, r.Interaction.TriggerID, correctAgencyModal(c, b.names(ctx, users)))
}

// correctAgencyModal asks which invitee, and their agency and its kind.
func correctAgencyModal(c *caseconf.Conference, names map[string]string) slack.ModalViewRequest {
	var opts []*slack.OptionBlockObject
	for i := range c.Invitees {
		if i == maxAgencyChoices {
			break
		}
		inv := &c.Invitees[i]
		who := inv.Name
		if who == "" {
			who = names[inv.SlackUserID]
		}
		if who == "" {
			who = inv.SlackUserID
		}
		kind := "kind not known yet"
		if inv.AgencyKind != "" {
			kind = caseconf.Label(caseconf.AgencyKinds, inv.AgencyKind)
		}
		label := who + " · " + kind
		if inv.Agency != "" {
			label = who + " · " + inv.Agency + " (" + kind + ")"
		}
		opts = append(opts, slack.NewOptionBlockObject(strconv.FormatInt(inv.ID, 10), plain(truncate(label, 75)), nil))
	}
	// Those on the share list who were not invited and accepted its
	// agreement, naming their agency themselves: "s:USERID".
	for _, sh := range c.Sharers {
		if len(opts) == maxAgencyChoices {
			break
		}
		if caseconf.CanCorrectShareAgency(c, caseconf.Viewer{UserID: c.CaseManagerID}, &sh) != nil {
			continue
		}
		who := names[sh.UserID]
		if who == "" {
			who = sh.UserID
		}
		label := who + " (share list) · " + sh.Agency + " (" + caseconf.Label(caseconf.AgencyKinds, sh.AgencyKind) + ")"
		opts = append(opts, slack.NewOptionBlockObject(sharerOption+sh.UserID, plain(truncate(label, 75)), nil))
	}
	blocks := []slack.Block{
		section(fmt.Sprintf("*Correct an invitee's agency* for %s: when it was chosen wrongly, or their job changed. The kind of agency decides what the client's consent lets them see, from now on; the change is recorded with what it was.", c.Ref)),
		input(fieldInvitee, "Invitee", "", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), fieldInvitee, opts...), false),
		input(fieldAgency, "Their agency", "e.g. Westminster Probation", textInput(fieldAgency, caseconf.MaxShortText, false, ""), false),
		input(fieldAgencyKind, "Kind of agency", "", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), fieldAgencyKind, options(caseconf.AgencyKinds)...), false),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewCorrectAgency, Title: plain("Correct an agency"),
		Submit: plain("Correct"), Close: plain("Cancel"),
		PrivateMetadata: subject{Conference: c.ID}.String(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func (b *Bot) submitCorrectAgency(ctx context.Context, r *Request) {
	ic := r.Interaction
	v := viewValues(ic)
	meta, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil || meta.Conference == 0 {
		b.ackViewError(ctx, r, caseconf.NotFound(), fieldInvitee)
		return
	}
	chosen := v.option(fieldInvitee)
	sharer, isSharer := strings.CutPrefix(chosen, sharerOption)
	inviteeID, _ := strconv.ParseInt(chosen, 10, 64)
	agency := store.AgencyAnswer{Agency: strings.TrimSpace(v.text(fieldAgency)), Kind: v.option(fieldAgencyKind)}
	errs := map[string]string{}
	if inviteeID <= 0 && (!isSharer || !caseconf.IsSlackUserID(sharer)) {
		errs[fieldInvitee] = "Please choose the invitee."
	}
	if n, k := caseconf.CheckAgency(agency.Agency, agency.Kind); n != "" || k != "" {
		if n != "" {
			errs[fieldAgency] = n
		}
		if k != "" {
			errs[fieldAgencyKind] = k
		}
	}
	if len(errs) > 0 {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	if isSharer {
		_, changed, err := b.store.CorrectShareAgency(ctx, meta.Conference, sharer, b.viewer(r.UserID), agency, b.MinutesParts)
		if err != nil {
			b.ackViewError(ctx, r, err, fieldInvitee)
			return
		}
		r.Ack(slack.NewClearViewSubmissionResponse())
		if changed {
			b.sender.Wake() // the minutes, if they may have them now
		}
		return
	}
	c, inv, changed, err := b.store.CorrectAgency(ctx, meta.Conference, inviteeID, b.viewer(r.UserID), agency)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldInvitee)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if !changed {
		return
	}
	// What the invitee's invitation and the summary show follows the new
	// kind at once.
	if inv.OnSlack() {
		b.refreshInvitation(ctx, c, inv)
	}
	b.refreshSummary(ctx, c.ID)
}
