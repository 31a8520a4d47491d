package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// IDs of show, list, cancel and the letter.
const (
	actionLetter = "letter" // value: conferenceID:inviteeID
	viewCancel   = "cancel"
	fieldCancel  = "cancel_reason"
	listLimit    = 25
)

// replyError tells the user what went wrong, privately. Internal errors are
// logged (without user text) and answered with a generic apology.
func (b *Bot) replyError(ctx context.Context, r *Request, err error) {
	if caseconf.ErrorCode(err) == caseconf.EINTERNAL {
		b.log.Error("request failed", "kind", r.Kind, "user", r.UserID, "err", err)
	}
	r.Reply(ctx, caseconf.ErrorMessage(err))
}

// ackViewError answers a modal submission that failed. Bad input is shown
// on the field; anything else (the conference was cancelled, the user may
// not do this, an internal error) replaces the modal with the message,
// since a field error on a block the modal lacks shows nothing useful.
func (b *Bot) ackViewError(ctx context.Context, r *Request, err error, field string) {
	code := caseconf.ErrorCode(err)
	if code == caseconf.EINTERNAL {
		b.log.Error("modal submission failed", "user", r.UserID, "err", err)
	}
	if code == caseconf.EINVALID && field != "" {
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{field: caseconf.ErrorMessage(err)}))
		return
	}
	r.Ack(slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("caseconf"), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(caseconf.ErrorMessage(err))}},
	}))
}

// conferenceArg reads the one REF argument of a subcommand and the
// conference it names, as the caller may see it, auditing the read as
// action. On a missing argument or a conference the caller may not see it
// has answered them already and returns nil.
func (b *Bot) conferenceArg(ctx context.Context, r *Request, args []string, name, action string) *store.Conference {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf "+name+" CC-0001`")
		return nil
	}
	c, err := b.store.ConferenceByRef(ctx, strings.ToUpper(args[0]), b.viewer(r.UserID), action)
	if err != nil {
		b.replyError(ctx, r, err)
		return nil
	}
	return c
}

// cmdShow shows a conference to someone who may see it. To anyone else it
// reads exactly as a reference that does not exist.
func (b *Bot) cmdShow(ctx context.Context, r *Request, args []string) {
	c := b.conferenceArg(ctx, r, args, "show", "conference.show")
	if c == nil {
		return
	}
	blocks := showBlocks(c, r.UserID, b.admins[r.UserID], b.cal)
	r.Reply(ctx, c.Ref, blocks...)
}

// organiser reports whether user runs the conference (or administers the
// service): they see everything, including the client's full name.
func organiser(c *store.Conference, userID string, admin bool) bool {
	return admin || userID == c.CaseManagerID || userID == c.ChairID || userID == c.MinuteTakerID
}

// showBlocks renders a conference for one reader.
func showBlocks(c *store.Conference, userID string, admin bool, cal caseconf.Calendar) []slack.Block {
	title := fmt.Sprintf("*%s* · client %s", c.Ref, escape(c.ClientRef))
	full := organiser(c, userID, admin)
	if full && c.ClientName.Valid {
		title += " (" + escape(c.ClientName.String) + ")"
	}
	var me *store.Invitee
	for i := range c.Invitees {
		if c.Invitees[i].SlackUserID.String == userID {
			me = &c.Invitees[i]
		}
	}
	details := full || me == nil || me.Covered(c) // me == nil: on the share list
	status := fmt.Sprintf("*When:* %s (%d minutes) · called by %s", when(c.StartsAt, cal.Loc), c.DurationMinutes, user(c.CaseManagerID))
	if c.Status == caseconf.StatusCancelled {
		status = ":no_entry: *Cancelled.*"
		if details {
			status += " " + escape(c.CancelReason.String)
		}
		status += "\n*Was:* " + when(c.StartsAt, cal.Loc)
	}
	blocks := []slack.Block{section(title + "\n" + status)}

	if !details {
		blocks = append(blocks, section(fmt.Sprintf(":lock: The client's consent does not cover your agency, so case details are withheld.\n*Where:* %s\n*Your answer:* %s",
			escape(c.Place), answerText(me))))
		return blocks
	}
	blocks = append(blocks, caseDetails(c)...)
	if me != nil {
		blocks = append(blocks, section("*Your answer:* "+answerText(me)))
	}

	notice := "Normal notice"
	if c.Urgent {
		notice = "*Urgent* (short notice): " + escape(c.UrgentReason.String)
	}
	consent := c.Consent()
	var consentLine string
	if consent.Method == caseconf.ConsentNone {
		consentLine = fmt.Sprintf("*No consent.* Reason: %s. %s", caseconf.Label(caseconf.NoConsentReasons, consent.NoConsentReason), escape(consent.Explanation))
	} else {
		consentLine = fmt.Sprintf("*Consent:* %s, given %s, valid until %s", consent.Method,
			consent.GivenOn.Format("2 Jan 2006"), consent.ValidUntil.Format("2 Jan 2006"))
	}
	consentLine += "\n*Covers:* " + labels(caseconf.AgencyKinds, consent.AgencyKinds)
	blocks = append(blocks, section(consentLine+"\n"+notice))

	blocks = append(blocks, inviteeList(c)...)

	if userID == c.CaseManagerID && c.Status != caseconf.StatusCancelled {
		var buttons []slack.BlockElement
		for _, inv := range c.Invitees {
			if !inv.OnSlack() && len(buttons) < 5 {
				buttons = append(buttons, button(actionLetter+":"+strconv.FormatInt(inv.ID, 10),
					fmt.Sprintf("%d:%d", c.ID, inv.ID), "Draft letter to "+truncate(inv.Name, 40), ""))
			}
		}
		if len(buttons) > 0 {
			blocks = append(blocks, slack.NewActionBlock("letters", buttons...))
		}
	}
	return blocks
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// clickLetter drafts a letter asking an invitee who is not on Slack (a GP,
// say) to attend, for the case manager to send themselves.
func (b *Bot) clickLetter(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	confPart, invPart, _ := strings.Cut(act.Value, ":")
	confID, invID := inviteeID(confPart), inviteeID(invPart)
	c, err := b.store.ConferenceByID(ctx, confID, b.viewer(r.UserID), "conference.letter")
	if err == nil && c.CaseManagerID != r.UserID {
		err = caseconf.Errorf(caseconf.EFORBIDDEN, "Only the case manager can draft letters for this conference.")
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	var to *store.Invitee
	for i := range c.Invitees {
		if c.Invitees[i].ID == invID && !c.Invitees[i].OnSlack() {
			to = &c.Invitees[i]
		}
	}
	if to == nil {
		b.replyError(ctx, r, caseconf.Errorf(caseconf.ENOTFOUND, "That invitee is no longer on this conference."))
		return
	}
	if !to.Covered(c) {
		b.replyError(ctx, r, caseconf.Errorf(caseconf.EFORBIDDEN,
			"The client's consent does not cover %s, so a letter with case details cannot be drafted for them. Record consent that covers this kind of agency first.",
			caseconf.Label(caseconf.AgencyKinds, to.AgencyKind.String)))
		return
	}
	from := "[your name]"
	if u, err := b.api.GetUserInfoContext(ctx, r.UserID); err == nil && u.RealName != "" {
		from = u.RealName
	}
	letter := draftLetter(c, to, from, b.now(), b.cal)
	blocks := []slack.Block{section("Here is a draft to copy, check and send yourself:")}
	for _, part := range splitText(letter, maxSectionText-6) {
		blocks = append(blocks, section("```"+part+"```"))
	}
	r.Reply(ctx, "Draft letter", blocks...)
}

// draftLetter is a letter requesting attendance, modelled on the sample
// request to a GP in the practitioners' toolkit.
func draftLetter(c *store.Conference, to *store.Invitee, from string, now time.Time, cal caseconf.Calendar) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n\nDear %s,\n\n", cal.Date(now).Format("2 January 2006"), to.Name)
	fmt.Fprintf(&sb, "I am writing to you in regard to our shared client, %s.\n\n", c.ClientRef)
	fmt.Fprintf(&sb, "We would like to hold a multi-agency case conference with the services involved in their care, to discuss:\n%s\n\n", c.Purpose)
	fmt.Fprintf(&sb, "In particular: %s.\n\n", strings.ToLower(labels(caseconf.Reasons, c.Reasons)))
	fmt.Fprintf(&sb, "The conference is on %s, for about %d minutes, at %s.\n\n",
		c.StartsAt.In(cal.Loc).Format("Monday 2 January 2006 at 15:04"), c.DurationMinutes, c.Place)
	sb.WriteString("I would be grateful if you could attend, or send a colleague who has been briefed. If that is not possible, a short written report on your involvement, recent contact, any concerns and your recommendations would be read out at the meeting. Please let me know, or suggest a time that would suit you better.\n\n")
	if c.ConsentMethod == caseconf.ConsentNone {
		sb.WriteString("The conference is being held without the client's consent, for a reason recognised in our information-sharing policy. Please treat this letter as confidential.\n\n")
	} else {
		sb.WriteString("The client has consented to information being shared between the services invited. Please treat this letter as confidential.\n\n")
	}
	fmt.Fprintf(&sb, "Yours sincerely,\n\n%s\nCase manager (ref. %s)", from, c.Ref)
	return sb.String()
}

// cmdList lists the caller's upcoming conferences, soonest first.
func (b *Bot) cmdList(ctx context.Context, r *Request, _ []string) {
	entries, err := b.store.Upcoming(ctx, r.UserID, b.now(), listLimit)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if len(entries) == 0 {
		r.Reply(ctx, "You have no upcoming case conferences. `/caseconf new` calls one.")
		return
	}
	var lines []string
	for i := range entries {
		e := &entries[i]
		roles := e.Roles(r.UserID)
		names := make([]string, len(roles))
		for j, role := range roles {
			names[j] = string(role)
		}
		line := fmt.Sprintf("• *%s* · %s · you: %s", e.Ref, when(e.StartsAt, b.cal.Loc), strings.Join(names, ", "))
		if e.InviteeID.Valid {
			switch {
			case !e.Accepted:
				line += " · accept the agreement in your invitation DM to see details and reply"
			case !e.Answer.Valid:
				line += " · you have not answered yet"
			default:
				line += " · your answer: " + e.Answer.String
			}
		}
		lines = append(lines, line)
	}
	text := "*Your upcoming case conferences*\n" + strings.Join(lines, "\n")
	r.Reply(ctx, text, section(text), note("`/caseconf show REF` for details."))
}

// cmdCancel asks the case manager for a reason, in a modal.
func (b *Bot) cmdCancel(ctx context.Context, r *Request, args []string) {
	c := b.conferenceArg(ctx, r, args, "cancel", "conference.cancel.open")
	switch {
	case c == nil:
		return
	case c.CaseManagerID != r.UserID:
		b.replyError(ctx, r, caseconf.Errorf(caseconf.EFORBIDDEN, "Only the case manager can cancel this conference."))
		return
	case c.Status == caseconf.StatusCancelled:
		b.replyError(ctx, r, caseconf.Errorf(caseconf.ECONFLICT, "This conference is already cancelled."))
		return
	}
	r.Ack(nil)
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewCancel, Title: plain("Cancel " + c.Ref),
		Submit: plain("Cancel conference"), Close: plain("Keep it"),
		PrivateMetadata: strconv.FormatInt(c.ID, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Cancel *%s* on %s? Every invitee on Slack will be told by DM.", c.Ref, when(c.StartsAt, b.cal.Loc))),
			input(fieldCancel, "Reason", "Recorded with the conference; shown to invitees who may see case details.",
				textInput(fieldCancel, caseconf.MaxReasonText, true, ""), false),
		}},
	}
	b.openView(ctx, r, r.Command.TriggerID, view)
}

func (b *Bot) submitCancel(ctx context.Context, r *Request) {
	ic := r.Interaction
	reason, ok := requiredText(r, viewValues(ic), fieldCancel, "Please give a reason.", caseconf.MaxReasonText)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(ic.View.PrivateMetadata, 10, 64)
	c, err := b.store.CancelConference(ctx, id, b.viewer(r.UserID), reason)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldCancel)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	b.log.Info("conference cancelled", "conference", c.ID, "user", r.UserID)
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		if !inv.OnSlack() {
			continue
		}
		text := fmt.Sprintf(":no_entry: *%s* on %s, called by %s, has been cancelled.", c.Ref, when(c.StartsAt, b.cal.Loc), user(c.CaseManagerID))
		if inv.AcceptedAt.Valid && inv.Covered(c) {
			text += "\n*Reason:* " + escape(reason)
		}
		if _, _, err := b.api.PostMessageContext(ctx, inv.SlackUserID.String,
			slack.MsgOptionText(c.Ref+" has been cancelled", false), slack.MsgOptionBlocks(section(text))); err != nil {
			b.log.Warn("cancellation DM failed", "conference", c.ID, "invitee", inv.ID, "err", err)
		}
		b.refreshInvitation(ctx, c, inv)
	}
	b.refreshSummary(ctx, c.ID)
}
