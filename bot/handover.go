package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Handover: an outcome that changes the lead agency or case manager
// offers the case manager, by DM, a Call the handover button; it opens
// the scheduling form filled in from the conference (reviewModal) for a
// three-way meeting: the case manager, the new case manager and the
// client.

// actionHandover is the offer's button: value subject{Conference}.
const actionHandover = "call_handover"

func (b *Bot) registerHandover() {
	b.HandleAction(actionHandover, b.clickHandover)
}

// renderHandoverOffer is the DM offering the case manager the handover.
// o is c's recorded outcome (nil for none).
func renderHandoverOffer(m store.Outbox, c *caseconf.Conference, o *caseconf.Outcome) (message, string) {
	switch {
	case o == nil:
		return message{}, "the outcome is gone"
	case m.RecipientID != c.CaseManagerID:
		return message{}, "the case manager has changed"
	case caseconf.CanCallHandover(c, o, caseconf.Viewer{UserID: m.RecipientID}) != nil:
		return message{}, "no handover is called for"
	}
	text := fmt.Sprintf(":handshake: *The outcome of %s changes who leads.* %s\nCall the three-way handover meeting (you, the new case manager and the client): the form is filled in from %s.",
		c.Ref, handoverTo(o), c.Ref)
	blocks := append(sections(text), slack.NewActionBlock("handover",
		button(actionHandover, subject{Conference: c.ID}.String(), "Call the handover", slack.StylePrimary)))
	return message{Text: "Call the handover meeting for " + c.Ref, Blocks: blocks}, ""
}

// handoverTo says, in mrkdwn, who takes over.
func handoverTo(o *caseconf.Outcome) string {
	var parts []string
	if o.NewCaseManagerID != "" {
		parts = append(parts, "New case manager: "+user(o.NewCaseManagerID)+".")
	}
	if o.NewLeadAgency != "" {
		parts = append(parts, "New lead agency: "+escape(o.NewLeadAgency)+".")
	}
	return strings.Join(parts, " ")
}

// clickHandover opens the handover form, for the conference's case
// manager only; to anyone else the conference does not exist.
func (b *Bot) clickHandover(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	c, o, err := b.store.HandoverForm(ctx, subj.Conference, b.viewer(r.UserID))
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	// Slack's trigger lasts three seconds: the names get one of them.
	nctx, cancel := context.WithTimeout(ctx, time.Second)
	names := b.names(nctx, []string{c.CaseManagerID, o.NewCaseManagerID})
	cancel()
	earliest := b.cal.AddWorkingDays(b.now(), caseconf.MinNoticeWorkingDays)
	b.openView(ctx, r, r.Interaction.TriggerID, handoverModal(r.UserID, earliest, c, o, names, b.cal))
}

// handoverPurpose is the handover form's purpose: from whom to whom.
func handoverPurpose(c *caseconf.Conference, o *caseconf.Outcome, names map[string]string) string {
	from := cmpOr(names[c.CaseManagerID], "the current case manager")
	to := names[o.NewCaseManagerID]
	switch {
	case to != "" && o.NewLeadAgency != "":
		to += " (" + o.NewLeadAgency + ")"
	case to == "" && o.NewLeadAgency != "":
		to = o.NewLeadAgency
	case to == "":
		to = "the new case manager"
	}
	return fmt.Sprintf("Handover from %s to %s: agree the handover of the client's plan, actions and reviews with the client, following %s.", from, to, c.Ref)
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// handoverModal is reviewModal (the client, consent if it still holds,
// place, time, chair and minute taker) made the handover's: the reason is
// the transfer of case management, the new case manager (if on Slack) the
// one invitee, no invitees off Slack, and the client attending.
func handoverModal(caller string, earliest time.Time, c *caseconf.Conference, o *caseconf.Outcome, names map[string]string, cal caseconf.Calendar) slack.ModalViewRequest {
	view := reviewModal(caller, earliest, c, time.Time{}, cal)
	view.Title = plain("Call the handover")
	view.PrivateMetadata = followsHandover + subject{Conference: c.ID}.String()
	var invitees []string
	if o.NewCaseManagerID != "" && o.NewCaseManagerID != caller {
		invitees = []string{o.NewCaseManagerID}
	}
	for _, blk := range view.Blocks.BlockSet {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		external := strings.HasPrefix(in.BlockID, "ext_") // caseconf.ExternalField's rows
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			switch {
			case in.BlockID == caseconf.FieldPurpose:
				fill(el, handoverPurpose(c, o, names))
			case external, in.BlockID == caseconf.FieldChildCareMgr, in.BlockID == caseconf.FieldToldHow:
				el.InitialValue = ""
			}
		case *slack.MultiSelectBlockElement:
			switch in.BlockID {
			case caseconf.FieldReasons:
				el.InitialOptions = chosen(el.Options, []string{"case_transfer"})
			case caseconf.FieldSlackInvitees:
				el.InitialUsers = invitees
			}
		case *slack.SelectBlockElement:
			if external || in.BlockID == caseconf.FieldAbsence {
				el.InitialOption = nil
			}
		case *slack.RadioButtonsBlockElement:
			if in.BlockID == caseconf.FieldClientAttends {
				if yes := chosen(el.Options, []string{"yes"}); len(yes) == 1 {
					el.InitialOption = yes[0]
				}
			}
		}
	}
	intro := fmt.Sprintf(":handshake: The handover meeting after *%s*: you, the new case manager and the client, filled in from it. %s Check everything before you press Schedule.",
		c.Ref, handoverTo(o))
	if !consentCarries(c.Consent, earliest, cal) {
		intro += " The client's consent recorded then does not cover the meeting (or there was none): record it again below."
	}
	if o.NewCaseManagerID == "" {
		intro += " The new case manager is not on Slack: add them below as an invitee not on Slack."
	}
	// The review's own introduction gives way to the handover's.
	view.Blocks.BlockSet = slices.Delete(view.Blocks.BlockSet, 0, 1)
	view.Blocks.BlockSet = slices.Insert(view.Blocks.BlockSet, 0, slack.Block(section(intro)))
	return view
}
