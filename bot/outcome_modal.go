package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// The outcome form: who was there, the record, the action plan in rows
// that Add action and Remove change (views.update), and who the minutes
// go to. Slack modals have no dynamic rows, so which rows the form has is
// kept in its private_metadata (outcomeState); what is typed in them is
// Slack's view state, and every rendering starts from it.

// IDs of the outcome flow.
const (
	viewOutcome         = "outcome"
	actionRecord        = "record"         // value: subject{Conference}; opens the form
	actionOutcomeAdd    = "outcome_add"    // in the form: one more action row
	actionOutcomeRemove = "outcome_remove" // "outcome_remove:ROW": drop that row
)

// Slack's limit on blocks in a modal, and how many blocks one action row
// takes.
const (
	maxModalBlocks = 100
	rowBlocks      = 7
)

// outcomeState is what the outcome form keeps in its private_metadata.
type outcomeState struct {
	Conference int64 `json:"c"`
	Meeting    int64 `json:"m"` // when the meeting started, Unix seconds: the form's dates are checked against it
	Rows       []int `json:"r"` // the action rows, in order
	Next       int   `json:"n"` // the number the next row added gets
	// Carry is, for each row that starts from an open action of the plan
	// under review, that action.
	Carry map[int]int64 `json:"k,omitempty"`
	// Version is, in a form correcting the recorded outcome, the version
	// it opened on (0: a form recording it); IDs is, for each row showing
	// a recorded action, that action.
	Version int           `json:"v,omitempty"`
	IDs     map[int]int64 `json:"i,omitempty"`
}

// recordButton opens the outcome form of conference c.
func recordButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	return button(actionRecord, subject{Conference: c.ID}.String(), "Record outcome", slack.StylePrimary)
}

// outcomeDefaults is a new outcome form, filled in from the answers: who
// said they would attend (and the chair and minute taker, who ran it), a
// briefed colleague by name, apologies from those who could not, and
// every invitee on the share list.
func outcomeDefaults(c *caseconf.Conference) caseconf.OutcomeForm {
	// How to save it is not chosen for them: nothing goes round by accident.
	f := caseconf.OutcomeForm{LeadChanged: "no", Actions: []caseconf.ActionForm{{Row: 1}}}
	seen := map[string]bool{}
	attended := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			f.Attended = append(f.Attended, u)
		}
	}
	attended(c.ChairID)
	attended(c.MinuteTakerID)
	var others, sent, share [][2]string // each person's line in full, and their name alone
	for _, inv := range c.Invitees {
		if !inv.OnSlack() {
			// Their reply as recorded for them (Record reply).
			line := [2]string{strings.TrimRight(inv.Name+", "+inv.Role+", "+inv.Agency, ", "), inv.Name}
			switch {
			case inv.Response == nil:
			case inv.Response.Answer == caseconf.AnswerNotInvolved:
				continue
			case inv.Response.Answer == caseconf.AnswerAttending:
				others = append(others, line)
			case inv.Response.Answer == caseconf.AnswerColleague:
				others = append(others, [2]string{strings.TrimRight(inv.Response.Colleague+", briefed colleague, "+inv.Agency, ", "), inv.Response.Colleague})
			case inv.Response.Answer == caseconf.AnswerApologies:
				sent = append(sent, line)
			}
			share = append(share, [2]string{strings.TrimRight(inv.Name+", "+inv.Contact, ", "), inv.Name})
			continue
		}
		if inv.Response != nil && inv.Response.Answer == caseconf.AnswerNotInvolved {
			continue // not involved with the client: the minutes are not theirs to start with
		}
		f.ShareWith = append(f.ShareWith, inv.SlackUserID)
		if inv.Response == nil {
			continue
		}
		switch inv.Response.Answer {
		case caseconf.AnswerAttending:
			attended(inv.SlackUserID)
		case caseconf.AnswerColleague:
			others = append(others, [2]string{strings.TrimRight(inv.Response.Colleague+", briefed colleague, "+inv.Agency, ", "), inv.Response.Colleague})
		case caseconf.AnswerApologies:
			f.Apologies = append(f.Apologies, inv.SlackUserID)
		}
	}
	f.AttendedOthers, f.ShareOthers = fitLines(others, caseconf.MaxPeopleText), fitLines(share, caseconf.MaxPeopleText)
	f.ApologiesOthers = fitLines(sent, caseconf.MaxPeopleText)
	return f
}

// withCarried is a review's new outcome form f starting its action plan
// with the open actions of the plan under review, filled in (each within
// its field's length) for the recorder to keep, mark done or drop, and
// then a blank row for a new action.
func withCarried(f caseconf.OutcomeForm, carried []*caseconf.Action) caseconf.OutcomeForm {
	if len(carried) == 0 {
		return f
	}
	f.Actions = nil
	for i, a := range carried {
		row := caseconf.ActionForm{Row: i + 1, Carry: a.ID, Area: truncate(a.Area, caseconf.MaxShortText),
			What: truncate(a.What, caseconf.MaxActionText), OwnerID: a.OwnerID}
		if a.OwnerID == "" {
			row.OwnerName, row.OwnerAgency = truncate(a.OwnerName, caseconf.MaxShortText), truncate(a.OwnerAgency, caseconf.MaxShortText)
		}
		if !a.DueOn.IsZero() {
			row.DueOn = a.DueOn.Format(caseconf.DateLayout)
		}
		f.Actions = append(f.Actions, row)
	}
	f.Actions = append(f.Actions, caseconf.ActionForm{Row: len(carried) + 1})
	return f
}

// fitLines is people's lines, one a line, within max characters, so that
// the form opens (Slack refuses a field filled in past its max_length) and
// can be submitted: a line that no longer fits in full gives just the
// person's name, and one that does not fit even so is left out (only when
// more than about seven are listed; the minute taker adds them by hand).
func fitLines(lines [][2]string, max int) string {
	var out []string
	n := -1 // no newline before the first line
	for _, l := range lines {
		for _, s := range l {
			if k := len([]rune(s)); s != "" && n+1+k <= max {
				out, n = append(out, s), n+1+k
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// stateFor is the form state of f, for conference c (correcting version
// version of its outcome; 0 to record it).
func stateFor(c *caseconf.Conference, f caseconf.OutcomeForm, version int) outcomeState {
	st := outcomeState{Conference: c.ID, Meeting: c.StartsAt.Unix(), Next: 1, Version: version}
	for _, a := range f.Actions {
		st.Rows = append(st.Rows, a.Row)
		st.Next = max(st.Next, a.Row+1)
		if a.ID != 0 && version > 0 {
			if st.IDs == nil {
				st.IDs = map[int]int64{}
			}
			st.IDs[a.Row] = a.ID
		}
		if a.Carry != 0 {
			if st.Carry == nil {
				st.Carry = map[int]int64{}
			}
			st.Carry[a.Row] = a.Carry
		}
	}
	return st
}

// outcomeFormFrom reads the outcome form from a view's state.
func outcomeFormFrom(v formValues, st outcomeState) caseconf.OutcomeForm {
	f := caseconf.OutcomeForm{
		Attended: v.get(caseconf.FieldAttended).SelectedUsers, AttendedOthers: v.text(caseconf.FieldAttendedOthers),
		Apologies: v.get(caseconf.FieldApologies).SelectedUsers, ApologiesOthers: v.text(caseconf.FieldApologiesOthers),
		LeadChanged: v.option(caseconf.FieldLeadChanged), NewCaseManager: v.get(caseconf.FieldNewCaseManager).SelectedUser,
		NewLeadAgency: v.text(caseconf.FieldNewLeadAgency), Summary: v.text(caseconf.FieldSummary),
		Worked: v.text(caseconf.FieldOutcomeWorked), NotWorked: v.text(caseconf.FieldOutcomeNotWork),
		ClientViews: v.text(caseconf.FieldClientViews), ReviewOn: v.get(caseconf.FieldReviewOn).SelectedDate,
		ShareWith: v.get(caseconf.FieldShareWith).SelectedUsers, ShareOthers: v.text(caseconf.FieldShareOthers),
		SaveAs: v.option(caseconf.FieldSaveAs), AmendReason: v.text(caseconf.FieldAmendReason),
	}
	for _, row := range st.Rows {
		field := func(name string) string { return caseconf.ActionField(name, row) }
		f.Actions = append(f.Actions, caseconf.ActionForm{Row: row, Area: v.text(field(caseconf.ActionArea)),
			What: v.text(field(caseconf.ActionWhat)), OwnerID: v.get(field(caseconf.ActionOwner)).SelectedUser,
			OwnerName: v.text(field(caseconf.ActionOwnerName)), OwnerAgency: v.text(field(caseconf.ActionOwnerAgency)),
			DueOn: v.get(field(caseconf.ActionDue)).SelectedDate, Carry: st.Carry[row], ID: st.IDs[row]})
		if a := &f.Actions[len(f.Actions)-1]; a.Carry != 0 {
			a.Choice = v.option(field(caseconf.ActionChoice))
		}
	}
	return f
}

func usersInput(id, label, hint string, initial []string) *slack.InputBlock {
	el := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), id)
	el.InitialUsers = initial
	return input(id, label, hint, el, true)
}

func userInput(id, label, hint, initial string) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose someone"), id)
	el.InitialUser = initial
	return input(id, label, hint, el, true)
}

func dateInput(id, label, hint, initial string) *slack.InputBlock {
	el := slack.NewDatePickerBlockElement(id)
	el.InitialDate = initial
	return input(id, label, hint, el, true)
}

func radioInput(id, label string, initial string, opts ...[2]string) *slack.InputBlock {
	var os []*slack.OptionBlockObject
	var chosen *slack.OptionBlockObject
	for _, o := range opts {
		opt := slack.NewOptionBlockObject(o[0], plain(o[1]), nil)
		os = append(os, opt)
		if o[0] == initial {
			chosen = opt
		}
	}
	el := slack.NewRadioButtonsBlockElement(id, os...)
	el.InitialOption = chosen
	return input(id, label, "", el, true)
}

// outcomeModal is the outcome form of conference c holding f (and, for a
// draft, who saved it when). When the form has room for no more action
// rows, Add action gives way to a note saying so. Every input
// is optional to Slack: what a final outcome needs is checked on submit
// (caseconf.OutcomeForm.Validate), and a draft may be incomplete.
//
// Its one submit button says what it will do: until Save as is chosen
// (nothing is chosen for them), just Save, which asks them to choose;
// choosing dispatches an action and the form is relabelled (Record and
// send minutes, or Save draft). With amend (the version of the recorded
// outcome a form correcting it opened on, bot/amend.go; 0 for a form
// recording it) the form has no Save as, and asks what changed and why
// instead.
func outcomeModal(c *caseconf.Conference, f caseconf.OutcomeForm, draftBy string, draftAt time.Time, cal caseconf.Calendar, amend int) (slack.ModalViewRequest, error) {
	text := func(id, label, hint, initial string, max int, multiline bool) *slack.InputBlock {
		return input(id, label, hint, textInput(id, max, multiline, initial), true)
	}
	intro := fmt.Sprintf("*Outcome of %s* · client %s\n*Meeting:* %s", c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc))
	var reports []string
	for _, inv := range c.Invitees {
		if inv.ReportSent() {
			reports = append(reports, user(inv.SlackUserID))
		}
	}
	if len(reports) > 0 {
		intro += "\n*Reports received from:* " + strings.Join(reports, ", ")
	}
	head := []slack.Block{section(intro)}
	if amend > 0 {
		head = append(head, amendNote(c, amend))
	}
	if draftBy != "" {
		head = append(head, note(fmt.Sprintf("This is the draft %s saved <!date^%d^{date_short} at {time}|%s>. Choose *Final* below to record it and send the minutes.",
			user(draftBy), draftAt.Unix(), draftAt.UTC().Format("2 Jan 15:04 UTC"))))
	}
	head = append(head,
		header("Who was there"),
		usersInput(caseconf.FieldAttended, "Attended (on Slack)", "Their job titles and agencies come from their invitations.", f.Attended),
		text(caseconf.FieldAttendedOthers, "Others who attended", "One a line: name, job title, agency", f.AttendedOthers, caseconf.MaxPeopleText, true),
		usersInput(caseconf.FieldApologies, "Apologies (on Slack)", "", f.Apologies),
		text(caseconf.FieldApologiesOthers, "Other apologies", "One a line: name, job title, agency", f.ApologiesOthers, caseconf.MaxPeopleText, true),
		radioInput(caseconf.FieldLeadChanged, "Did the lead agency or case manager change?", f.LeadChanged, [2]string{"no", "No"}, [2]string{"yes", "Yes"}),
		userInput(caseconf.FieldNewCaseManager, "New case manager", "If they changed", f.NewCaseManager),
		text(caseconf.FieldNewLeadAgency, "New lead agency", "If it changed", f.NewLeadAgency, caseconf.MaxShortText, false),
		text(caseconf.FieldSummary, "Summary of issues", "", f.Summary, caseconf.MaxOutcomeText, true),
		text(caseconf.FieldOutcomeWorked, "What has worked well in the past", "", f.Worked, caseconf.MaxOutcomeText, true),
		text(caseconf.FieldOutcomeNotWork, "What has not worked", "", f.NotWorked, caseconf.MaxOutcomeText, true),
		text(caseconf.FieldClientViews, "The client's views", "If they were not there, say how their views were sought", f.ClientViews, caseconf.MaxOutcomeText, true),
		dateInput(caseconf.FieldReviewOn, "Date of the review meeting", "", f.ReviewOn),
		header("Action plan"),
	)
	tail := []slack.Block{
		header("Who gets the minutes"),
		usersInput(caseconf.FieldShareWith, "Share with (on Slack)", "Everyone invited, whether or not they came. Only those the client's consent covers get them; the case manager is told of the rest.", f.ShareWith),
		text(caseconf.FieldShareOthers, "Share with (not on Slack)", "One a line: name, contact. The case manager is reminded to send them the minutes.", f.ShareOthers, caseconf.MaxPeopleText, true),
	}
	submit, title, version := "Save", "Outcome "+c.Ref, 0
	if amend > 0 {
		tail = append(tail, input(caseconf.FieldAmendReason, "What changed and why",
			"Required. Everyone the amended minutes go to reads it.", textInput(caseconf.FieldAmendReason, caseconf.MaxAmendReason, true, f.AmendReason), true))
		submit, title, version = submitAmend, "Correct "+c.Ref, amend
	} else {
		saveAs := radioInput(caseconf.FieldSaveAs, "Save as", f.SaveAs,
			[2]string{caseconf.SaveFinal, "Final: record it, send the minutes and the actions now"},
			[2]string{caseconf.SaveDraft, "Draft: keep it to finish later"})
		saveAs.DispatchAction = true // the button is relabelled for the choice
		tail = append(tail, saveAs)
		switch f.SaveAs {
		case caseconf.SaveFinal:
			submit = "Record and send minutes"
		case caseconf.SaveDraft:
			submit = "Save draft"
		}
	}
	tail = append(tail, note(":lock: The minutes go by direct message only, to people the client's consent covers. Each one sent is logged."))
	carried := 0 // a row from the plan under review has one block more: its choice
	for _, a := range f.Actions {
		if a.Carry != 0 {
			carried++
		}
	}
	room := (maxModalBlocks - len(head) - len(tail) - 1 - carried) / rowBlocks
	if len(f.Actions) > room {
		return slack.ModalViewRequest{}, fmt.Errorf("outcome form: %d action rows, room for %d", len(f.Actions), room)
	}
	blocks := head
	for i, a := range f.Actions {
		blocks = append(blocks, actionRowBlocks(i+1, a)...)
	}
	if len(f.Actions) < room {
		blocks = append(blocks, slack.NewActionBlock("outcome_rows", button(actionOutcomeAdd, "add", "Add action", "")))
	} else {
		blocks = append(blocks, note(fmt.Sprintf(":warning: This form holds at most %d actions (Slack allows %d blocks in a form). Combine related steps into one action, or save this outcome and add the rest at the review.", room, maxModalBlocks)))
	}
	blocks = append(blocks, tail...)
	meta, err := encodeState(stateFor(c, f, version))
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewOutcome, Title: plain(title),
		Submit: plain(submit), Close: plain("Cancel"), PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: blocks},
	}, nil
}

// actionRowBlocks is one row of the action plan, numbered n as shown.
func actionRowBlocks(n int, a caseconf.ActionForm) []slack.Block {
	field := func(name string) string { return caseconf.ActionField(name, a.Row) }
	remove := button(actionOutcomeRemove+":"+strconv.Itoa(a.Row), strconv.Itoa(a.Row), "Remove", slack.StyleDanger)
	title := fmt.Sprintf("*Action %d*", n)
	var choice []slack.Block
	if a.Carry != 0 {
		title += " · open in the plan under review: keep it in the new plan (as it reads below), mark it done, or drop it. Removed, it stays open there."
		choice = append(choice, radioInput(field(caseconf.ActionChoice), "At this review", a.Choice,
			[2]string{caseconf.CarryKeep, "Keep: carry it into the new plan"},
			[2]string{caseconf.CarryDone, "Done"},
			[2]string{caseconf.CarryDrop, "Drop: no longer needed"}))
	}
	return append([]slack.Block{
		slack.NewSectionBlock(mrkdwn(title), nil, slack.NewAccessory(remove)),
		input(field(caseconf.ActionArea), "Area of need", "The presenting problem", textInput(field(caseconf.ActionArea), caseconf.MaxShortText, false, a.Area), true),
		input(field(caseconf.ActionWhat), "Action", "What will be done, including risk management and plans for any barriers",
			textInput(field(caseconf.ActionWhat), caseconf.MaxActionText, true, a.What), true),
		userInput(field(caseconf.ActionOwner), "Who is responsible (on Slack)", "Or name someone not on Slack below", a.OwnerID),
		input(field(caseconf.ActionOwnerName), "…or someone not on Slack: name", "", textInput(field(caseconf.ActionOwnerName), caseconf.MaxShortText, false, a.OwnerName), true),
		input(field(caseconf.ActionOwnerAgency), "…and their agency", "", textInput(field(caseconf.ActionOwnerAgency), caseconf.MaxShortText, false, a.OwnerAgency), true),
		dateInput(field(caseconf.ActionDue), "Date to be met or reviewed", "", a.DueOn),
	}, choice...)
}
