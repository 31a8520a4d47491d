package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Actions over time: Close… (not achieved, or no longer needed, with a
// reason) for whoever may change an action, and Reassign for its case
// manager or chair, each opening a small modal; `/caseconf plan REF` lists
// a conference's whole plan, with its states, to its case manager and
// chair, with those buttons on each open action.

const (
	actionClose    = "action_close"    // button and modal; value subject{Action}
	actionReassign = "action_reassign" // button and modal; value subject{Action}
	// actionPlanPage turns the pages of a plan too long for one message:
	// planpage:prev and planpage:next, value subject{Conference, Page}.
	actionPlanPage = "planpage"
)

func (b *Bot) registerActionChanges() {
	b.HandleAction(actionClose, b.clickActionChange)
	b.HandleAction(actionReassign, b.clickActionChange)
	b.HandleView(actionClose, b.submitActionClose)
	b.HandleView(actionReassign, b.submitActionReassign)
	b.HandleAction(actionPlanPage, b.clickPlanPage)
	b.HandleCommand("plan", "REF", "A conference's action plan with each action's state, to reassign or close actions (its case manager and chair)", b.cmdPlan)
}

func closeButton(id int64) *slack.ButtonBlockElement {
	return button(actionClose, subject{Action: id}.String(), "Close…", "")
}

func reassignButton(id int64) *slack.ButtonBlockElement {
	return button(actionReassign, subject{Action: id}.String(), "Reassign", "")
}

// managerButtons are action a's buttons (actionButtons) for viewer, with
// Reassign when they run conference c (caseconf.CanReassignAction).
func managerButtons(c *caseconf.Conference, a *caseconf.Action, viewer string) []slack.BlockElement {
	out := actionButtons(a.ID)
	if caseconf.CanReassignAction(c, a, caseconf.Viewer{UserID: viewer}) == nil {
		out = append(out, reassignButton(a.ID))
	}
	return out
}

// clickActionChange opens the Close or Reassign form for whoever may use
// it. Anyone else is told, and no form opens.
func (b *Bot) clickActionChange(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	subj, err := parseSubject(act.Value)
	if err != nil || subj.Action == 0 {
		b.replyError(ctx, r, caseconf.ActionNotFound())
		return
	}
	v := b.viewer(r.UserID)
	if actionName(act.ActionID) == actionReassign {
		c, a, err := b.store.OpenReassign(ctx, subj.Action, v)
		if err != nil {
			b.replyError(ctx, r, err)
			return
		}
		b.openView(ctx, r, r.Interaction.TriggerID, reassignModal(c, a, v))
		return
	}
	c, a, err := b.store.OpenClose(ctx, subj.Action, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, closeModal(c, a, v))
}

func closeModal(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer) slack.ModalViewRequest {
	hint := "Kept with the action, and shown wherever it is listed."
	if v.UserID != c.CaseManagerID {
		hint += " The case manager is told."
	}
	as := radioInput(caseconf.FieldCloseAs, "Close it as", "",
		[2]string{string(caseconf.ActionNotAchieved), "Not achieved"}, [2]string{string(caseconf.ActionNotNeeded), "No longer needed"})
	as.Optional = false
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: actionClose, Title: plain("Close action"),
		Submit: plain("Close action"), Close: plain("Cancel"), PrivateMetadata: subject{Action: a.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(actionAbout(c, a, v) + "\nIf it was done, use *Mark done* instead."),
			as,
			input(caseconf.FieldCloseReason, "Why?", hint, textInput(caseconf.FieldCloseReason, caseconf.MaxCloseReason, true, ""), false),
		}},
	}
}

func reassignModal(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: actionReassign, Title: plain("Reassign action"),
		Submit: plain("Reassign"), Close: plain("Cancel"), PrivateMetadata: subject{Action: a.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(actionAbout(c, a, v) + "\nThe new owner and the one before are told; reminders follow the new owner (the case manager's, for someone not on Slack)."),
			userInput(caseconf.FieldNewOwner, "New owner (on Slack)", "Someone invited to the conference, or its case manager, chair or minute taker", ""),
			input(caseconf.FieldNewOwnerName, "…or someone not on Slack: name", "Write “the client” for the client; a carer needs no agency",
				textInput(caseconf.FieldNewOwnerName, caseconf.MaxShortText, false, ""), true),
			input(caseconf.FieldNewOwnerAgency, "…and their agency, if any", "", textInput(caseconf.FieldNewOwnerAgency, caseconf.MaxShortText, false, ""), true),
		}},
	}
}

// submitActionClose closes an action as not achieved or no longer needed;
// a missing choice or reason is answered on its field and nothing is
// stored.
func (b *Bot) submitActionClose(ctx context.Context, r *Request) {
	ic := r.Interaction
	subj, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil || subj.Action == 0 {
		b.ackViewError(ctx, r, caseconf.ActionNotFound(), "")
		return
	}
	vals := viewValues(ic)
	to, reason, errs := caseconf.ValidateClose(vals.option(caseconf.FieldCloseAs), vals.text(caseconf.FieldCloseReason))
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	res, err := b.store.CloseAction(ctx, subj.Action, b.viewer(r.UserID), to, reason)
	if b.updateFailed(ctx, r, err, caseconf.FieldCloseReason) {
		return
	}
	text := fmt.Sprintf(":white_check_mark: *Closed.* The action from *%s* is closed as *%s*; it is no longer chased.", res.Conference.Ref, to.Label())
	if r.UserID != res.Conference.CaseManagerID {
		text += fmt.Sprintf(" The case manager, %s, is told.", user(res.Conference.CaseManagerID))
	}
	r.Ack(updateDone("Action closed", text))
	b.log.Info("action closed", "conference", res.Conference.ID, "action", res.Action.ID, "user", r.UserID, "status", string(to))
	b.sender.Wake()
	b.RefreshHome(res.Action.OwnerID, res.Conference.CaseManagerID, r.UserID)
}

// submitActionReassign gives an action to someone else; the store checks
// the new owner on the locked rows (caseconf.ValidateReassign), and what
// is wrong with them is answered on the form.
func (b *Bot) submitActionReassign(ctx context.Context, r *Request) {
	ic := r.Interaction
	subj, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil || subj.Action == 0 {
		b.ackViewError(ctx, r, caseconf.ActionNotFound(), "")
		return
	}
	vals := viewValues(ic)
	o := caseconf.Owner{UserID: vals.get(caseconf.FieldNewOwner).SelectedUser, Name: vals.text(caseconf.FieldNewOwnerName),
		Agency: vals.text(caseconf.FieldNewOwnerAgency)}
	if _, errs := caseconf.ValidateReassign(nil, nil, "", o.Name, o.Agency); o.UserID == "" && errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs)) // nobody chosen, or a bad name: no need to ask the store
		return
	}
	res, err := b.store.ReassignAction(ctx, subj.Action, b.viewer(r.UserID), o)
	if b.updateFailed(ctx, r, err, caseconf.FieldNewOwner) {
		return
	}
	a := res.Action
	text := fmt.Sprintf(":arrows_counterclockwise: *Reassigned.* The action from *%s* is now %s's; it was %s's. Both are told, and reminders follow the new owner.",
		res.Conference.Ref, ownerText(a), ownerText(&caseconf.Action{OwnerID: res.Before.UserID, OwnerName: res.Before.Name, OwnerAgency: res.Before.Agency, OwnerClient: res.Before.Client}))
	r.Ack(updateDone("Action reassigned", text))
	b.log.Info("action reassigned", "conference", res.Conference.ID, "action", a.ID, "user", r.UserID)
	b.sender.Wake()
	b.RefreshHome(a.OwnerID, res.Before.UserID, res.Conference.CaseManagerID)
}

// actionState is an action's state as a list shows it on the calendar day
// today: open (overdue, or due today; a new date proposed), done, not
// achieved, no longer needed; a closed one with why, if the reader may see case details.
func actionState(a *caseconf.Action, today time.Time, details bool) string {
	switch {
	case a.DateProposed():
		return "*open* · due " + dueLabel(a.DueOn, today) + " · a new date proposed: " + a.ProposedDueOn.Format(dueLayout)
	case a.Open():
		return "*open* · due " + dueLabel(a.DueOn, today)
	case a.Done():
		return "*done*" + doneWhen(a)
	}
	s := "*closed: " + a.Status.Label() + "*"
	if a.ClosedBy != "" {
		s += " by " + user(a.ClosedBy)
	}
	if details && a.CloseReason != "" {
		s += " — " + escape(truncate(a.CloseReason, 500))
	}
	return s
}

// closedLine is one action closed lately, as a list shows it to v: its
// conference, what it was (if v may see case details) and its state.
func closedLine(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer, today time.Time) string {
	details := caseconf.CanSeeDetails(c, v)
	text := fmt.Sprintf("*%s* · %s", c.Ref, actionState(a, today, details))
	if details {
		text += fmt.Sprintf("\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 300)))
	}
	if a.OwnerID == "" {
		text += "\n*Owner:* " + ownerText(a)
	}
	return text
}

// cmdPlan lists a conference's action plan to its case manager and
// chair (caseconf.CanManagePlan), each action with its owner and state,
// and the buttons to change the open ones.
func (b *Bot) cmdPlan(ctx context.Context, r *Request, args []string) {
	ref, ok := b.refArg(ctx, r, args, "plan")
	if !ok {
		return
	}
	v := b.viewer(r.UserID)
	c, plan, err := b.store.PlanByRef(ctx, ref, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	msg := planMessage(c, plan, v, b.cal.Date(b.now()), 0)
	r.Reply(ctx, msg.Text, msg.Blocks...)
}

// planMessage is page (from 0; the last if there are fewer) of
// conference c's action plan as v sees it: each action whole on one page,
// with its buttons, and buttons to turn the pages when the plan does not
// fit one message.
func planMessage(c *caseconf.Conference, plan []*caseconf.Action, v caseconf.Viewer, today time.Time, page int) message {
	if len(plan) == 0 {
		return message{Text: c.Ref + " has no actions", Blocks: sections(fmt.Sprintf("*%s* has no action plan yet: it is recorded with the outcome.", c.Ref))}
	}
	open := 0
	for _, a := range plan {
		if a.Open() {
			open++
		}
	}
	head := section(fmt.Sprintf("*Action plan of %s* · %d actions, %d open", c.Ref, len(plan), open))
	details := caseconf.CanSeeDetails(c, v)
	// Pages of whole actions, each within one message with the heading
	// and the page buttons.
	var pages [][]slack.Block
	var cur []slack.Block
	room, roomText := maxMessageBlocks-3, maxMessageText-messageChars([]slack.Block{head})-pageNavText
	for i, a := range plan {
		text := fmt.Sprintf("*%d.* %s · owner %s", i+1, actionState(a, today, details), ownerBrief(a))
		if details {
			text += fmt.Sprintf("\n*%s:* %s", clip(a.Area, 100, ""), clip(a.What, 300, ""))
		}
		item := sections(text)
		if a.Open() && !c.Cancelled() {
			item = append(item, slack.NewActionBlock(fmt.Sprintf("plan_action_%d", a.ID), managerButtons(c, a, v.UserID)...))
		}
		if len(cur) > 0 && (len(cur)+len(item) > room || messageChars(cur)+messageChars(item) > roomText) {
			pages = append(pages, cur)
			cur = nil
		}
		cur = append(cur, item...)
	}
	pages = append(pages, cur)
	page = min(max(page, 0), len(pages)-1)
	blocks := append([]slack.Block{head}, pages[page]...)
	text := fmt.Sprintf("Action plan of %s (%d open)", c.Ref, open)
	if len(pages) > 1 {
		var buttons []slack.BlockElement
		if page > 0 {
			buttons = append(buttons, button(actionPlanPage+":prev", subject{Conference: c.ID, Page: int64(page - 1)}.String(), "Previous page", ""))
		}
		if page < len(pages)-1 {
			buttons = append(buttons, button(actionPlanPage+":next", subject{Conference: c.ID, Page: int64(page + 1)}.String(), "Next page", ""))
		}
		blocks = append(blocks, note(fmt.Sprintf("Page %d of %d", page+1, len(pages))), slack.NewActionBlock("plan_pages", buttons...))
		text += fmt.Sprintf(", page %d of %d", page+1, len(pages))
	}
	return message{Text: text, Blocks: blocks}
}

// clickPlanPage answers a page button of plan by replacing the page shown
// with the one asked for, read and audited as plan reads.
func (b *Bot) clickPlanPage(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	v := b.viewer(r.UserID)
	c, plan, err := b.store.PlanByID(ctx, subj.Conference, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.replaceClicked(ctx, r, planMessage(c, plan, v, b.cal.Date(b.now()), int(subj.Page)))
}

// renderActionClosed is the case manager's notice that an action was
// closed as not achieved or no longer needed, by whom and why.
func renderActionClosed(m store.Outbox, c *caseconf.Conference, a *caseconf.Action) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case !a.Status.ClosingStatus():
		return message{}, "the action is not closed that way any more"
	case m.RecipientID != c.CaseManagerID:
		return message{}, "the case manager has changed"
	}
	text := fmt.Sprintf(":no_entry_sign: %s closed an action from *%s* as *%s*.", user(a.ClosedBy), c.Ref, a.Status.Label())
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
		text += fmt.Sprintf("\n*%s:* %s\n*Owner:* %s\n*Why:* %s", escape(a.Area), escape(truncate(a.What, 1000)), ownerText(a), escape(a.CloseReason))
	}
	return message{Text: "An action from " + c.Ref + " was closed as " + a.Status.Label(), Blocks: sections(text)}, ""
}

// renderActionReassigned tells an action's new chaser (its owner, or the
// case manager for an owner not on Slack) that it is theirs, with its
// buttons.
func renderActionReassigned(m store.Outbox, c *caseconf.Conference, a *caseconf.Action) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case c.Cancelled():
		return message{}, "the conference was cancelled"
	case a.Closed():
		return message{}, "the action is closed"
	case caseconf.ActionChaser(a.OwnerID, c.CaseManagerID) != m.RecipientID:
		return message{}, "the action has changed hands again"
	}
	due := a.DueOn.Format(dueLayout)
	lead := fmt.Sprintf(":clipboard: %s gave *you* an action from the plan agreed at *%s*, to be met or reviewed by *%s*", user(a.ReassignedBy), c.Ref, due)
	if a.OwnerID == "" {
		lead = fmt.Sprintf(":clipboard: %s gave an action from *%s* to %s, to be met or reviewed by *%s*: as they are not on Slack, you chase it", user(a.ReassignedBy), c.Ref, ownerText(a), due)
	}
	text := lead + fmt.Sprintf(":\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 1500)))
	if !caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
		text = lead + fmt.Sprintf(". Its details are withheld until you have accepted the conference's information-sharing agreement, and the client's consent covers your agency; %s can tell you more.", user(c.CaseManagerID))
	}
	blocks := append(sections(text), slack.NewActionBlock("action", actionButtons(a.ID)...))
	return message{Text: "An action from " + c.Ref + " is now yours, by " + due, Blocks: blocks}, ""
}

// renderActionTakenOff tells an action's chaser before that it was given
// to someone else, and that its reminders stop.
func renderActionTakenOff(m store.Outbox, c *caseconf.Conference, a *caseconf.Action) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case caseconf.ActionChaser(a.OwnerID, c.CaseManagerID) == m.RecipientID:
		return message{}, "the action is theirs again"
	}
	// Who has it now is a case detail when they are not on Slack (the
	// client, a carer): only for those who may see case details.
	details := caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID})
	to := "someone not on Slack"
	switch {
	case details:
		to = ownerBrief(a)
	case a.OwnerID != "":
		to = user(a.OwnerID)
	}
	text := fmt.Sprintf(":arrows_counterclockwise: %s gave an action of yours from *%s* to %s. You will not be reminded of it again.", user(a.ReassignedBy), c.Ref, to)
	if details {
		text += fmt.Sprintf("\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 1500)))
	}
	return message{Text: "An action from " + c.Ref + " was given to someone else", Blocks: sections(text)}, ""
}
