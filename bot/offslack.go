package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// People not on Slack in the scheduling form (and the edit and review
// forms made from it): any number of rows, added with Add person not on
// Slack and taken out with Remove (views.update, as the outcome form's
// action rows). Each row is numbered for good: its blocks are
// ext_FIELD_N, so what is typed stays with its row, and a row taken out
// reads as blank (caseconf.ExternalInvitee.Blank) on submission.

const (
	actionExtAdd    = "ext_add"    // in the form: one more row
	actionExtRemove = "ext_remove" // "ext_remove:N": take row N out
	extRowsBlock    = "ext_rows"   // the block of the Add button
	// extRowBlocks is how many blocks one row takes: its title with
	// Remove, and six fields.
	extRowBlocks = 7
	// maxExtRowNumber bounds the rows a submission is read for, whatever
	// block IDs it claims.
	maxExtRowNumber = 200
)

// externalRowBlocks is row i of the people not on Slack, shown as the
// n-th.
func externalRowBlocks(i, n int) []slack.Block {
	field := func(name string) string { return caseconf.ExternalField(name, i) }
	remove := button(actionExtRemove+":"+strconv.Itoa(i), strconv.Itoa(i), "Remove", slack.StyleDanger)
	kind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Kind of agency"), field(caseconf.ExtAgencyKind), options(caseconf.AgencyKinds)...)
	text := func(name, label, hint string, max int) *slack.InputBlock {
		return input(field(name), label, hint, textInput(field(name), max, false, ""), true)
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*Person not on Slack %d*", n)), nil, slack.NewAccessory(remove), slack.SectionBlockOptionBlockID(field("row"))),
		text(caseconf.ExtName, "Name", "", caseconf.MaxShortText),
		text(caseconf.ExtRole, "Job title", "e.g. GP, social worker", caseconf.MaxShortText),
		text(caseconf.ExtAgency, "Agency", "", caseconf.MaxShortText),
		input(field(caseconf.ExtAgencyKind), "Kind of agency", "The same list as the consent's: it decides what they may see", kind, true),
		text(caseconf.ExtEmail, "E-mail", "An e-mail address and/or a phone number", caseconf.MaxEmail),
		text(caseconf.ExtPhone, "Phone", "", caseconf.MaxShortText),
	}
}

// externalAddBlock is the Add person not on Slack button.
func externalAddBlock() slack.Block {
	return slack.NewActionBlock(extRowsBlock, button(actionExtAdd, "add", "Add person not on Slack", ""))
}

// extRowOf reads the row number of a block of a row (ext_FIELD_N, or its
// title ext_row_N); ok is false for any other block.
func extRowOf(blockID string) (n int, ok bool) {
	if !strings.HasPrefix(blockID, "ext_") {
		return 0, false
	}
	i := strings.LastIndexByte(blockID, '_')
	n, err := strconv.Atoi(blockID[i+1:])
	if err != nil || n < 0 || n >= maxExtRowNumber || strconv.Itoa(n) != blockID[i+1:] {
		return 0, false
	}
	return n, true
}

// externalRowsIn is how many row numbers a submitted form's state spans
// (its highest row number, plus one): scheduleForm reads that many rows,
// and those taken out read as blank.
func externalRowsIn(v formValues) int {
	rows := 0
	for id := range v {
		if n, ok := extRowOf(id); ok {
			rows = max(rows, n+1)
		}
	}
	return rows
}

// clickExternalRows adds a row for someone not on Slack to the open
// scheduling (or edit, or review) form, or takes one out, keeping
// everything typed: the form's own blocks are kept, its rows rebuilt,
// every field filled in from the view's state, and the view replaced
// (views.update with its hash). A form with no room for another row
// (Slack's 100 blocks) says so in place of the button.
func (b *Bot) clickExternalRows(ctx context.Context, r *Request) {
	r.Ack(nil)
	ic := r.Interaction
	if ic.View.ID == "" || (ic.View.CallbackID != viewSchedule && ic.View.CallbackID != viewEdit) {
		b.dm(ctx, r.UserID, caseconf.ErrorMessage(caseconf.NotFound()))
		return
	}
	// The rows the form has, in order, and the first number a new row
	// may take: on an edit form, never one standing for someone invited.
	var rows []int
	next := 0
	if ic.View.CallbackID == viewEdit {
		var st editState
		if decodeState(ic.View.PrivateMetadata, &st) != nil {
			b.dm(ctx, r.UserID, caseconf.ErrorMessage(caseconf.NotFound()))
			return
		}
		next = len(st.External)
	}
	var kept []slack.Block
	at := -1 // where the rows go
	for _, blk := range ic.View.Blocks.BlockSet {
		id := blockID(blk)
		if n, ok := extRowOf(id); ok || id == extRowsBlock {
			if at < 0 {
				at = len(kept)
			}
			if ok && !slices.Contains(rows, n) {
				rows = append(rows, n)
			}
			continue
		}
		kept = append(kept, blk)
	}
	if at < 0 {
		b.dm(ctx, r.UserID, caseconf.ErrorMessage(caseconf.NotFound()))
		return
	}
	for _, n := range rows {
		next = max(next, n+1)
	}
	act := ic.ActionCallback.BlockActions[0]
	switch actionName(act.ActionID) {
	case actionExtAdd:
		if next < maxExtRowNumber {
			rows = append(rows, next)
		}
	case actionExtRemove:
		if n, err := strconv.Atoi(act.Value); err == nil {
			rows = slices.DeleteFunc(rows, func(x int) bool { return x == n })
		}
	}
	room := (maxModalBlocks - len(kept) - 1) / extRowBlocks
	if len(rows) > room {
		rows = rows[:room]
	}
	var rowBlocks []slack.Block
	for i, n := range rows {
		rowBlocks = append(rowBlocks, externalRowBlocks(n, i+1)...)
	}
	if len(rows) < room && next < maxExtRowNumber {
		rowBlocks = append(rowBlocks, externalAddBlock())
	} else {
		rowBlocks = append(rowBlocks, slack.NewContextBlock(extRowsBlock, mrkdwn(fmt.Sprintf(
			":warning: This form holds at most %d people not on Slack (Slack allows %d blocks in a form). Call the conference, then add the rest with `/caseconf edit`, or invite them on Slack.", len(rows), maxModalBlocks))))
	}
	blocks := slices.Concat(kept[:at], rowBlocks, kept[at:])
	keepTyped(blocks, viewValues(ic))
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: ic.View.CallbackID, Title: ic.View.Title,
		Submit: ic.View.Submit, Close: ic.View.Close, PrivateMetadata: ic.View.PrivateMetadata,
		Blocks: slack.Blocks{BlockSet: blocks}}
	b.updateView(ctx, r, view)
}

// blockID is a block's ID, for the kinds of block a form has.
func blockID(blk slack.Block) string {
	switch x := blk.(type) {
	case *slack.InputBlock:
		return x.BlockID
	case *slack.SectionBlock:
		return x.BlockID
	case *slack.ActionBlock:
		return x.BlockID
	case *slack.ContextBlock:
		return x.BlockID
	case *slack.HeaderBlock:
		return x.BlockID
	}
	return ""
}

// keepTyped fills every input of blocks in with what the view's state
// holds for it, so a form rebuilt keeps what was typed and chosen.
func keepTyped(blocks []slack.Block, v formValues) {
	for _, blk := range blocks {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		st, ok := v[in.BlockID][in.BlockID]
		if !ok {
			continue
		}
		var picked []string
		for _, o := range st.SelectedOptions {
			picked = append(picked, o.Value)
		}
		one := func(opts []*slack.OptionBlockObject) *slack.OptionBlockObject {
			if o := chosen(opts, []string{st.SelectedOption.Value}); len(o) == 1 {
				return o[0]
			}
			return nil
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			fill(el, st.Value)
		case *slack.NumberInputBlockElement:
			el.InitialValue = st.Value
		case *slack.DatePickerBlockElement:
			el.InitialDate = st.SelectedDate
		case *slack.TimePickerBlockElement:
			el.InitialTime = st.SelectedTime
		case *slack.SelectBlockElement:
			if el.Type == slack.OptTypeUser {
				el.InitialUser = st.SelectedUser
			} else {
				el.InitialOption = one(el.Options)
			}
		case *slack.MultiSelectBlockElement:
			if el.Type == slack.MultiOptTypeUser {
				el.InitialUsers = st.SelectedUsers
			} else {
				el.InitialOptions = chosen(el.Options, picked)
			}
		case *slack.CheckboxGroupsBlockElement:
			el.InitialOptions = chosen(el.Options, picked)
		case *slack.RadioButtonsBlockElement:
			el.InitialOption = one(el.Options)
		}
	}
}

// Record reply and Add report received: in show, for the case manager
// and the chair, one of each per person not on Slack; Record reply is on
// the reminder the case manager gets about them too.
const (
	actionRecordReply = "record_reply"    // "record_reply:ID", value subject{Invitee}
	actionEnterReport = "enter_report"    // "enter_report:ID", value subject{Invitee}
	viewReply         = "record_reply"    // private metadata subject{Invitee}
	viewEnteredReport = "report_received" // private metadata subject{Invitee}
)

func (b *Bot) registerOffSlack() {
	b.HandleAction(actionRecordReply, b.clickRecordReply)
	b.HandleAction(actionEnterReport, b.clickEnterReport)
	b.HandleView(viewReply, b.submitReply)
	b.HandleView(viewEnteredReport, b.submitEnteredReport)
}

// recordReplyButton opens the Record reply form for inv.
func recordReplyButton(inv *caseconf.Invitee) *slack.ButtonBlockElement {
	return button(actionRecordReply+":"+strconv.FormatInt(inv.ID, 10), subject{Invitee: inv.ID}.String(),
		"Record reply: "+truncate(inv.Name, 40), slack.StylePrimary)
}

// offSlackBlocks are show's buttons for v about the people not on Slack:
// for each, Record reply, and Add report received while a report may be
// entered (caseconf.CanRecordReply, caseconf.CanEnterReport).
func offSlackBlocks(c *caseconf.Conference, v caseconf.Viewer) []slack.Block {
	var out []slack.Block
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		if caseconf.CanRecordReply(c, v, inv) != nil {
			continue
		}
		buttons := []slack.BlockElement{recordReplyButton(inv)}
		if caseconf.CanEnterReport(c, v, inv) == nil {
			label := "Add report received"
			if inv.ReportSent() {
				label = "Update report received"
			}
			buttons = append(buttons, button(actionEnterReport+":"+strconv.FormatInt(inv.ID, 10), subject{Invitee: inv.ID}.String(), label, ""))
		}
		out = append(out, slack.NewActionBlock("offslack_"+strconv.FormatInt(inv.ID, 10), buttons...))
	}
	return out
}

// clickRecordReply opens the Record reply form of the person not on Slack
// the button names, for the case manager or chair.
func (b *Bot) clickRecordReply(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	c, inv, _, err := b.store.OffSlackInvitee(ctx, inviteeID(act.Value), b.viewer(r.UserID), false)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, replyModal(c, inv, b.cal))
}

// replyModal is the Record reply form of inv, filled in with what is
// recorded now.
func replyModal(c *caseconf.Conference, inv *caseconf.Invitee, cal caseconf.Calendar) slack.ModalViewRequest {
	reply, line := string(caseconf.AnswerNoReply), ""
	if resp := inv.Response; resp != nil {
		reply, line = string(resp.Answer), resp.Colleague+resp.Reason
	}
	how, on := caseconf.AgreedNotYet, ""
	if inv.Accepted() && inv.AcceptedHow != "" {
		how, on = inv.AcceptedHow, inv.AcceptedAt.UTC().Format(caseconf.DateLayout)
	}
	opts := func(o []caseconf.Option) [][2]string {
		out := make([][2]string, len(o))
		for i, x := range o {
			out[i] = [2]string{x.Value, x.Label}
		}
		return out
	}
	// Each of the three may be 200 characters that escape to five each
	// (&): clipped, so the section stays within Slack's 3,000.
	who := clip(inv.Name, 600, "")
	if detail := strings.Trim(clip(inv.Role, 600, "")+", "+clip(inv.Agency, 600, ""), ", "); detail != "" {
		who += " (" + detail + ")"
	}
	replyIn := radioInput(caseconf.FieldReply, "Their reply", reply, opts(caseconf.ReplyChoices)...)
	replyIn.Optional = false
	agreedIn := radioInput(caseconf.FieldAgreedHow, "Did they accept the information-sharing agreement?", how, opts(caseconf.AgreementWays)...)
	agreedIn.Optional = false
	blocks := []slack.Block{
		section(fmt.Sprintf("*%s* · %s\n%s is not on Slack: record what they told you. Everyone who sees the conference sees their reply; it is kept with the date and your name.",
			c.Ref, when(c.StartsAt, cal.Loc), who)),
		replyIn,
		input(caseconf.FieldReplyLine, "The colleague they are sending, or why they are not involved", "The colleague's name is needed; the reason is optional",
			textInput(caseconf.FieldReplyLine, caseconf.MaxShortText, false, line), true),
		agreedIn,
		dateInput(caseconf.FieldAgreedOn, "On what date?", "Unless Not yet", on),
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: viewReply, Title: plain("Record reply"),
		Submit: plain("Save"), Close: plain("Cancel"), PrivateMetadata: subject{Invitee: inv.ID}.String(),
		Blocks: slack.Blocks{BlockSet: blocks}}
}

// submitReply checks the Record reply form (problems go back onto it)
// and stores it; the case manager's summary follows.
func (b *Bot) submitReply(ctx context.Context, r *Request) {
	ic := r.Interaction
	v := viewValues(ic)
	reply, errs := caseconf.ReplyForm{Reply: v.option(caseconf.FieldReply), Line: v.text(caseconf.FieldReplyLine),
		AgreedHow: v.option(caseconf.FieldAgreedHow), AgreedOn: v.get(caseconf.FieldAgreedOn).SelectedDate}.Validate(b.cal.Date(b.now()))
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	c, inv, changed, err := b.store.RecordReply(ctx, inviteeID(ic.View.PrivateMetadata), b.viewer(r.UserID), reply)
	if err != nil {
		b.ackViewError(ctx, r, err, caseconf.FieldReplyLine)
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if changed {
		b.log.Info("reply recorded", "conference", c.ID, "invitee", inv.ID, "user", r.UserID)
		b.refreshSummary(ctx, c.ID)
	}
}

// clickEnterReport opens the Add report received form of the person not
// on Slack the button names.
func (b *Bot) clickEnterReport(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	c, inv, rep, err := b.store.OffSlackInvitee(ctx, inviteeID(act.Value), b.viewer(r.UserID), true)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, enteredReportModal(c, inv, rep, b.cal, b.cal.Date(b.now())))
}

// enteredReportModal is the report form (reportModal) for the case
// manager entering the report inv sent, with how and when it arrived.
func enteredReportModal(c *caseconf.Conference, inv *caseconf.Invitee, rep *caseconf.Report, cal caseconf.Calendar, today time.Time) slack.ModalViewRequest {
	view := reportModal(c, inv, rep, cal)
	how, on := "", today.Format(caseconf.DateLayout)
	if rep != nil && rep.Received != nil {
		how, on = rep.Received.How, rep.Received.On.Format(caseconf.DateLayout)
	}
	view.Blocks.BlockSet[0] = section(fmt.Sprintf("*The report of %s (not on Slack) for %s* · client %s\n*Meeting:* %s\nEnter it as they sent it: it is kept with the other reports, read by the same people, and marked as entered by you.",
		escape(inv.Name), c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc)))
	received := []slack.Block{
		input(caseconf.FieldReceivedHow, "How did it arrive?", "e.g. by e-mail from Dr Patel", textInput(caseconf.FieldReceivedHow, caseconf.MaxReceivedHow, false, how), false),
		dateInput(caseconf.FieldReceivedOn, "When did it arrive?", "", on),
	}
	view.Blocks.BlockSet = slices.Insert(view.Blocks.BlockSet, 1, received...)
	for _, blk := range view.Blocks.BlockSet {
		if in, ok := blk.(*slack.InputBlock); ok {
			switch in.BlockID {
			case caseconf.FieldReportAgency:
				in.Label = plain("Their agency")
			case caseconf.FieldReportRole:
				in.Label = plain("Their role")
				if el, ok := in.Element.(*slack.PlainTextInputBlockElement); ok && rep == nil {
					fill(el, inv.Role)
				}
			case caseconf.FieldInvolvement:
				in.Label = plain("Their involvement with the client")
			case caseconf.FieldRecommendations:
				in.Label = plain("Their recommendations")
			}
		}
	}
	view.CallbackID, view.Title, view.Submit = viewEnteredReport, plain("Report received"), plain("Save report")
	return view
}

// submitEnteredReport checks and stores a report entered for someone not
// on Slack, once per form submission.
func (b *Bot) submitEnteredReport(ctx context.Context, r *Request) {
	ic := r.Interaction
	v := viewValues(ic)
	rep, errs := reportForm(v).Validate()
	receipt, rerrs := caseconf.CheckReceipt(v.text(caseconf.FieldReceivedHow), v.get(caseconf.FieldReceivedOn).SelectedDate, b.cal.Date(b.now()))
	for k, msg := range rerrs {
		if errs == nil {
			errs = caseconf.FieldErrors{}
		}
		errs[k] = msg
	}
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	rep.Received = &receipt
	saved, err := b.store.EnterReport(ctx, inviteeID(ic.View.PrivateMetadata), b.viewer(r.UserID), rep, "view:"+ic.View.ID)
	if caseconf.ErrorCode(err) == caseconf.EINTERNAL {
		b.log.Error("could not store an entered report", "user", r.UserID, "err", err)
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{
			caseconf.FieldInvolvement: "Sorry, we could not save this just now. Please press the button again: the same form is never saved twice.",
		}))
		return
	}
	if err != nil {
		b.ackViewError(ctx, r, err, "")
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if saved.New {
		b.log.Info("report entered", "conference", saved.Conference.ID, "invitee", saved.Invitee.ID, "user", r.UserID, "revision", saved.Revision)
		b.refreshSummary(ctx, saved.Conference.ID)
	}
}
