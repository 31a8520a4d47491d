package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// IDs of show, list, cancel and the letter.
const (
	actionLetter = "letter" // value: subject{Conference, Invitee}
	// actionShowPage turns the pages of a show too long for one message:
	// showpage:prev and showpage:next, value subject{Conference, Page}.
	actionShowPage = "showpage"
	viewCancel     = "cancel"
	fieldCancel    = "cancel_reason"
	listLimit      = 25
)

func (b *Bot) registerConferences() {
	b.HandleCommand("list", "", "Your upcoming conferences", b.cmdList)
	b.HandleCommand("show", "REF", "Show a conference, e.g. `/caseconf show CC-0001`; the case manager and chair *Record reply* and *Add report received* there for people not on Slack", b.cmdShow)
	b.HandleCommand("cancel", "REF", "Cancel a conference you called", b.cmdCancel)
	b.HandleCommand("client", "CLIENTREF", "A client's chronology: every conference, its outcome and actions, consent and handovers (their case manager and administrators; others see the conferences they may see)", b.cmdClient)
	b.HandleAction(actionLetter, b.clickLetter)
	b.HandleAction(actionShowPage, b.clickShowPage)
	b.HandleAction(actionChronologyPage, b.clickChronologyPage)
	b.HandleView(viewCancel, b.submitCancel)
}

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
// has answered them already and returns nil. Anything that is not a
// reference reads as one that does not exist, without asking the store.
func (b *Bot) conferenceArg(ctx context.Context, r *Request, args []string, name, action string) *caseconf.Conference {
	ref, ok := b.refArg(ctx, r, args, name)
	if !ok {
		return nil
	}
	c, err := b.store.ConferenceByRef(ctx, ref, b.viewer(r.UserID), action)
	if err != nil {
		b.replyError(ctx, r, err)
		return nil
	}
	return c
}

// cmdShow shows a conference to someone who may see it: with, on the
// day, the agenda, and the agency reports as far as they may read them
// (meetingBlocks). To anyone else it reads exactly as a reference that
// does not exist. What does not fit one message is paged (showMessage).
func (b *Bot) cmdShow(ctx context.Context, r *Request, args []string) {
	ref, ok := b.refArg(ctx, r, args, "show")
	if !ok {
		return
	}
	v := b.viewer(r.UserID)
	sh, err := b.store.ShowByRef(ctx, ref, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	msg := showMessage(sh.Conference, v, sh.Reports, sh.Outcome, b.now(), b.cal, 0)
	r.Reply(ctx, msg.Text, msg.Blocks...)
}

// clickShowPage answers a page button of show by replacing the page shown
// with the one asked for, read and audited as show reads.
func (b *Bot) clickShowPage(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	v := b.viewer(r.UserID)
	sh, err := b.store.ShowByID(ctx, subj.Conference, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.replaceClicked(ctx, r, showMessage(sh.Conference, v, sh.Reports, sh.Outcome, b.now(), b.cal, int(subj.Page)))
}

// showMessage is page (from 0; the last if there are fewer) of what show
// says to v about c: the conference (showBlocks), the meeting
// (meetingBlocks), the recorded outcome's summary and action plan (o,
// nil unless caseconf.CanSeePlan allows v; outcomeBlocks) and the button
// to record the outcome or draft the client's letter, on every page.
func showMessage(c *caseconf.Conference, v caseconf.Viewer, reports []caseconf.Report, o *caseconf.Outcome, now time.Time, cal caseconf.Calendar, page int) message {
	blocks := showBlocks(c, v, cal)
	var end []slack.Block
	switch {
	case caseconf.CanEdit(c, v, now) == nil: // the case manager, before the meeting
		end = append(end, slack.NewActionBlock("edit", editButton(c)))
	case caseconf.CanRecordOutcome(c, v, now) == nil:
		end = append(end, slack.NewActionBlock("outcome", recordButton(c)))
	case caseconf.CanAmendOutcome(c, v) == nil: // its chair, minute taker or case manager, once it is recorded
		buttons := []slack.BlockElement{button(actionRecord, subject{Conference: c.ID}.String(), "Correct the record", "")}
		if caseconf.CanDraftClientLetter(c, v) == nil {
			buttons = append(buttons, clientLetterButton(c))
		}
		end = append(end, slack.NewActionBlock("outcome", buttons...))
	case caseconf.CanDraftClientLetter(c, v) == nil: // the case manager, once the outcome is recorded
		end = append(end, slack.NewActionBlock("client_letter", clientLetterButton(c)))
	}
	room := maxMessageBlocks - len(blocks) - len(end)
	roomText := maxMessageText - messageChars(blocks) - messageChars(end)
	blocks = append(blocks, meetingBlocksWithin(c, v, reports, now, cal, room, roomText)...)
	if o != nil && caseconf.CanSeePlan(c, v) {
		blocks = append(blocks, outcomeBlocks(o, cal.Date(now))...)
	}
	return pagedMessage(c.Ref, blocks, end, page, actionShowPage, func(p int) string {
		return subject{Conference: c.ID, Page: int64(p)}.String()
	})
}

// outcomeBlocks is a recorded outcome as show gives it: the summary, the
// review date, and the action plan, each action with what it is, its
// owner, its date and its state (actionState) on the calendar day today.
// Every block is within Slack's limits; pagedMessage pages the rest.
func outcomeBlocks(o *caseconf.Outcome, today time.Time) []slack.Block {
	head := "*Outcome* recorded " + o.RecordedAt.Format("2 Jan 2006") + " by " + user(o.RecordedBy)
	if !o.ReviewOn.IsZero() {
		head += " · review by " + o.ReviewOn.Format(dueLayout)
	}
	if o.Version > 1 {
		// The history: the earlier versions are kept, in the export.
		head += fmt.Sprintf("\n*Corrected* %s by %s: version %d (%d earlier kept, in `/caseconf export`). *What changed and why:* %s",
			o.AmendedAt.Format("2 Jan 2006"), user(o.AmendedBy), o.Version, o.Version-1, escape(o.AmendReason))
	}
	out := sections(head + "\n*Summary:* " + escape(o.Summary))
	open := 0
	for i := range o.Actions {
		if o.Actions[i].Open() {
			open++
		}
	}
	if len(o.Actions) == 0 {
		return append(out, section("*Action plan:* no actions"))
	}
	out = append(out, section(fmt.Sprintf("*Action plan* · %d actions, %d open", len(o.Actions), open)))
	for i := range o.Actions {
		a := &o.Actions[i]
		out = append(out, sections(fmt.Sprintf("*%d.* %s · owner %s\n*%s:* %s", i+1, actionState(a, today, true), ownerText(a),
			escape(a.Area), escape(a.What)))...)
	}
	return out
}

// pageNavText is the most text a page's note and buttons take.
const pageNavText = 100

// pagedMessage is body, with end after it, as one message when it fits,
// and otherwise page (from 0) of it: as much as fits one message with end,
// a note of which page it is and the buttons to the previous and next
// pages (action:prev, action:next, their values from value). Nothing is
// left out: every block is on one page.
func pagedMessage(text string, body, end []slack.Block, page int, action string, value func(page int) string) message {
	if len(body)+len(end) <= maxMessageBlocks && messageChars(body)+messageChars(end) <= maxMessageText {
		return message{Text: text, Blocks: append(body, end...)}
	}
	pages := packWithin(body, maxMessageBlocks-len(end)-2, maxMessageText-messageChars(end)-pageNavText)
	page = min(max(page, 0), len(pages)-1)
	out := append(append([]slack.Block(nil), pages[page]...), end...)
	var buttons []slack.BlockElement
	if page > 0 {
		buttons = append(buttons, button(action+":prev", value(page-1), "Previous page", ""))
	}
	if page < len(pages)-1 {
		buttons = append(buttons, button(action+":next", value(page+1), "Next page", slack.StylePrimary))
	}
	out = append(out, note(fmt.Sprintf("Page %d of %d", page+1, len(pages))), slack.NewActionBlock(action+"_pages", buttons...))
	return message{Text: fmt.Sprintf("%s (page %d of %d)", text, page+1, len(pages)), Blocks: out}
}

// showBlocks renders a conference for one reader, who may see it.
func showBlocks(c *caseconf.Conference, v caseconf.Viewer, cal caseconf.Calendar) []slack.Block {
	me := c.InviteeFor(v.UserID)
	details := caseconf.CanSeeDetails(c, v)
	title := "*" + c.Ref + "*"
	if details {
		title += " · client " + escape(c.ClientRef)
	}
	if caseconf.Organiser(c, v) && c.ClientName != "" {
		title += " (" + escape(c.ClientName) + ")"
	}
	status := fmt.Sprintf("*When:* %s (%d minutes) · called by %s", when(c.StartsAt, cal.Loc), c.DurationMinutes, user(c.CaseManagerID))
	if c.Cancelled() {
		status = ":no_entry: *Cancelled.*"
		if details {
			status += " " + escape(c.CancelReason)
		}
		status += "\n*Was:* " + when(c.StartsAt, cal.Loc)
	}
	blocks := []slack.Block{section(title + "\n" + status)}

	if !details {
		why := "The client's consent does not cover your agency, so case details are withheld."
		offer := caseconf.OffersShareAgreement(c, v.UserID)
		switch {
		case offer:
			why = shareAgreementAsk
		case me != nil && !me.Accepted():
			why = "Case details are withheld until you accept the information-sharing agreement on your invitation."
		}
		blocks = append(blocks, section(fmt.Sprintf(":lock: %s\n*Where:* %s\n*Your answer:* %s",
			why, escape(c.Place), answerText(me))))
		if offer {
			blocks = append(blocks, slack.NewActionBlock("share_agreement", shareAgreeButton(c)))
		}
		return blocks
	}
	blocks = append(blocks, caseDetails(c)...)
	if me != nil {
		blocks = append(blocks, section("*Your answer:* "+answerText(me)))
	}

	notice := "Normal notice"
	if c.Urgent {
		notice = "*Urgent* (short notice): " + escape(c.UrgentReason)
	}
	consent := c.Consent
	var consentLine string
	if consent.Method == caseconf.ConsentNone {
		consentLine = fmt.Sprintf("*No consent.* Shared on the basis: %s.\n*Decided by:* %s\n*Why:* %s",
			escape(caseconf.NoConsentBasisLabel(consent.NoConsentReason)), escape(consent.DecidedBy), escape(consent.Explanation))
	} else {
		consentLine = fmt.Sprintf("*Consent:* %s, given %s, valid until %s", consent.MethodLabel(),
			consent.GivenOn.Format("2 Jan 2006"), consent.ValidUntil.Format("2 Jan 2006"))
		if l := consent.CheckLine(); l != "" {
			consentLine += "\n*This meeting:* " + escape(l)
		}
	}
	consentLine += "\n*Covers:* " + labels(caseconf.AgencyKinds, consent.AgencyKinds)
	blocks = append(blocks, sections(consentLine+"\n"+notice)...)

	blocks = append(blocks, inviteeList(c, v)...)
	blocks = append(blocks, offSlackBlocks(c, v)...)

	if v.UserID == c.CaseManagerID {
		var buttons []slack.BlockElement
		for _, inv := range c.Invitees {
			if caseconf.CanDraftLetter(c, v, &inv) == nil && len(buttons) < 5 {
				buttons = append(buttons, button(actionLetter+":"+strconv.FormatInt(inv.ID, 10),
					subject{Conference: c.ID, Invitee: inv.ID}.String(), "Draft letter to "+truncate(inv.Name, 40), ""))
			}
		}
		if len(buttons) > 0 {
			blocks = append(blocks, slack.NewActionBlock("letters", buttons...))
		}
		if len(c.Invitees) > 0 && caseconf.CanCorrectAgency(c, v, &c.Invitees[0]) == nil {
			blocks = append(blocks, slack.NewActionBlock("agency", correctAgencyButton(c))) // bot/agency.go
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
		if me := e.Me(); me != nil {
			switch {
			case !me.Accepted():
				line += " · accept the agreement in your invitation DM to see details and reply"
			case !me.Answered():
				line += " · you have not answered yet"
			default:
				line += " · your answer: " + string(me.Response.Answer)
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
	if c == nil {
		return
	}
	if err := caseconf.CanCancel(c, b.viewer(r.UserID)); err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Ack(nil)
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewCancel, Title: plain("Cancel " + c.Ref),
		Submit: plain("Cancel conference"), Close: plain("Keep it"),
		PrivateMetadata: subject{Conference: c.ID}.String(),
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
	reason, ok := requiredText(r, viewValues(ic), fieldCancel, "Please give a reason.", caseconf.MaxReasonText, true)
	if !ok {
		return
	}
	subj, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil {
		b.ackViewError(ctx, r, caseconf.NotFound(), "")
		return
	}
	c, err := b.store.CancelConference(ctx, subj.Conference, b.viewer(r.UserID), reason)
	if err != nil {
		b.ackViewError(ctx, r, err, fieldCancel)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	b.log.Info("conference cancelled", "conference", c.ID, "user", r.UserID)
	// The notices to invitees were written to the outbox with the
	// cancellation; each invitation DM is updated when its notice goes.
	b.sender.Wake()
	b.refreshSummary(ctx, c.ID)
}
