package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
