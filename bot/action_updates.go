package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// Updating an action from its DM or reminder: Add progress note and
// Propose new date open a modal each; what is saved is kept with its
// history, and the case manager is told through the outbox. A date the
// owner proposes waits for the case manager's Accept or Keep the old
// date; the case manager's or chair's own takes effect at once.

const (
	actionNote       = "action_note" // button and modal; value subject{Action}
	actionNewDate    = "action_date" // button and modal; value subject{Action}
	actionDateAccept = "date_accept" // value subject{Update}
	actionDateKeep   = "date_keep"   // value subject{Update}
)

func (b *Bot) registerActionUpdates() {
	b.HandleAction(actionNote, b.clickActionUpdate)
	b.HandleAction(actionNewDate, b.clickActionUpdate)
	b.HandleView(actionNote, b.submitActionNote)
	b.HandleView(actionNewDate, b.submitActionDate)
	b.HandleAction(actionDateAccept, b.clickDateDecision)
	b.HandleAction(actionDateKeep, b.clickDateDecision)
}

// actionButtons are the buttons on every message about action id to
// someone who may change it: Mark done, Add progress note, Propose new
// date, Close… (not achieved, no longer needed).
func actionButtons(id int64) []slack.BlockElement {
	v := subject{Action: id}.String()
	return []slack.BlockElement{
		doneButton(&caseconf.Action{ID: id}),
		button(actionNote, v, "Add progress note", ""),
		button(actionNewDate, v, "Propose new date", ""),
		closeButton(id),
	}
}

// clickActionUpdate opens the progress note or new date modal for the
// action's owner, case manager or chair (caseconf.CanUpdateAction).
// Anyone else is told it is not theirs, and no form opens.
func (b *Bot) clickActionUpdate(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	subj, err := parseSubject(act.Value)
	if err != nil || subj.Action == 0 {
		b.replyError(ctx, r, caseconf.ActionNotFound())
		return
	}
	v := b.viewer(r.UserID)
	c, a, err := b.store.OpenActionUpdate(ctx, subj.Action, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	view := noteModal(c, a, v)
	if actionName(act.ActionID) == actionNewDate {
		view = dateModal(c, a, v)
	}
	b.openView(ctx, r, r.Interaction.TriggerID, view)
}

// actionAbout is what an action modal says of the action: what it is
// (if v may see case details) and when it is due.
// It fits one section of a modal however the text grows when escaped.
func actionAbout(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer) string {
	text := fmt.Sprintf("An action from *%s*, owned by %s, due *%s*.", c.Ref, ownerBrief(a), a.DueOn.Format(dueLayout))
	if caseconf.CanSeeDetails(c, v) {
		text += fmt.Sprintf("\n*%s:* %s", clip(a.Area, 200, ""), clip(a.What, 1500, ""))
	}
	return text
}

// ownerBrief is ownerText within a few hundred characters once escaped.
func ownerBrief(a *caseconf.Action) string {
	switch {
	case a.OwnerID != "", a.OwnerClient:
		return ownerText(a)
	case a.OwnerAgency == "":
		return clip(a.OwnerName, 200, "") + " (not on Slack)"
	}
	return clip(a.OwnerName, 200, "") + ", " + clip(a.OwnerAgency, 200, "") + " (not on Slack)"
}

func noteModal(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer) slack.ModalViewRequest {
	hint := "Kept with the action's history."
	if v.UserID != c.CaseManagerID {
		hint += " The case manager is told."
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: actionNote, Title: plain("Progress note"),
		Submit: plain("Save"), Close: plain("Cancel"), PrivateMetadata: subject{Action: a.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(actionAbout(c, a, v)),
			input(caseconf.FieldProgressNote, "Progress so far", hint, textInput(caseconf.FieldProgressNote, caseconf.MaxProgressNote, true, ""), false),
		}},
	}
}

func dateModal(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer) slack.ModalViewRequest {
	how, submit := fmt.Sprintf("The case manager, %s, is asked to agree it; until they do, the action stays due on %s.", user(c.CaseManagerID), a.DueOn.Format(dueLayout)), "Propose"
	if caseconf.NewDateTakesEffect(c, v) {
		how, submit = "As you run this conference, the new date takes effect at once, and the owner's reminders follow it.", "Change date"
	}
	picker := slack.NewDatePickerBlockElement(caseconf.FieldNewDue)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: actionNewDate, Title: plain("New date"),
		Submit: plain(submit), Close: plain("Cancel"), PrivateMetadata: subject{Action: a.ID}.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(actionAbout(c, a, v)),
			input(caseconf.FieldNewDue, "New date to be met or reviewed", "", picker, false),
			input(caseconf.FieldDueReason, "Why should the date move?", how, textInput(caseconf.FieldDueReason, caseconf.MaxDueReason, true, ""), false),
		}},
	}
}

// submitActionNote keeps a progress note, once per form submission; bad
// input is answered on the field and nothing is stored.
func (b *Bot) submitActionNote(ctx context.Context, r *Request) {
	ic := r.Interaction
	subj, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil || subj.Action == 0 {
		b.ackViewError(ctx, r, caseconf.ActionNotFound(), "")
		return
	}
	note, errs := caseconf.ValidateNote(viewValues(ic).text(caseconf.FieldProgressNote))
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	res, err := b.store.AddProgressNote(ctx, subj.Action, b.viewer(r.UserID), note, "view:"+ic.View.ID)
	if b.updateFailed(ctx, r, err, caseconf.FieldProgressNote) {
		return
	}
	text := ":memo: *Progress note saved* with the action's history."
	if r.UserID != res.Conference.CaseManagerID {
		text += fmt.Sprintf(" The case manager, %s, is told.", user(res.Conference.CaseManagerID))
	}
	r.Ack(updateDone("Progress note", text))
	if res.New {
		b.log.Info("action progress note", "conference", res.Conference.ID, "action", res.Action.ID, "user", r.UserID)
		b.sender.Wake()
	}
}

// submitActionDate proposes a new date, or (from the case manager or
// chair) moves the action to it, once per form submission.
func (b *Bot) submitActionDate(ctx context.Context, r *Request) {
	ic := r.Interaction
	subj, err := parseSubject(ic.View.PrivateMetadata)
	if err != nil || subj.Action == 0 {
		b.ackViewError(ctx, r, caseconf.ActionNotFound(), "")
		return
	}
	vals := viewValues(ic)
	// The date it has is checked by the store, on the locked action.
	due, reason, errs := caseconf.ValidateNewDate(vals.get(caseconf.FieldNewDue).SelectedDate, vals.text(caseconf.FieldDueReason), time.Time{}, b.now(), b.cal)
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	res, err := b.store.NewActionDate(ctx, subj.Action, b.viewer(r.UserID), due, reason, "view:"+ic.View.ID)
	if b.updateFailed(ctx, r, err, caseconf.FieldNewDue) {
		return
	}
	u := res.Update
	text := fmt.Sprintf(":calendar: *Done.* The action is now due on *%s*.", u.NewDue.Format(dueLayout))
	if res.Action.OwnerID != "" && res.Action.OwnerID != r.UserID {
		text += fmt.Sprintf(" %s is told.", user(res.Action.OwnerID))
	}
	if u.State != caseconf.UpdateMade {
		text = fmt.Sprintf(":calendar: *Proposed.* %s is asked to agree *%s*; until they do, the action stays due on %s. You will hear what they decide.",
			user(res.Conference.CaseManagerID), u.NewDue.Format(dueLayout), u.OldDue.Format(dueLayout))
	}
	r.Ack(updateDone("New date", text))
	if res.New {
		b.log.Info("action date", "conference", res.Conference.ID, "action", res.Action.ID, "user", r.UserID, "state", string(u.State))
		b.sender.Wake()
	}
}

// updateFailed answers a submission the store refused or could not
// store, and reports whether it did: bad input on field, anything else in
// place of the form.
func (b *Bot) updateFailed(ctx context.Context, r *Request, err error, field string) bool {
	switch {
	case err == nil:
		return false
	case caseconf.ErrorCode(err) == caseconf.EINTERNAL:
		b.log.Error("could not store an action update", "user", r.UserID, "err", err)
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{
			field: "Sorry, we could not save this just now. Please press the button again: the same form is never saved twice.",
		}))
	default:
		b.ackViewError(ctx, r, err, field)
	}
	return true
}

func updateDone(title, text string) *slack.ViewSubmissionResponse {
	return slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}},
	})
}

// clickDateDecision accepts a proposed date, or keeps the old one, for
// the case manager or chair (caseconf.CanDecideDate), and turns the
// message clicked into what was decided. Anyone else is told it is not
// theirs, and nothing changes; a second press changes nothing more.
func (b *Bot) clickDateDecision(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	v := b.viewer(r.UserID)
	subj, err := parseSubject(act.Value)
	if err != nil || subj.Update == 0 {
		b.replyError(ctx, r, caseconf.CanDecideDate(nil, nil, nil, v))
		return
	}
	d, err := b.store.DecideActionDate(ctx, subj.Update, v, actionName(act.ActionID) == actionDateAccept)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if d.Changed {
		b.log.Info("action date decided", "conference", d.Conference.ID, "action", d.Action.ID, "user", r.UserID, "state", string(d.Update.State))
		b.sender.Wake()
	}
	b.replaceClicked(ctx, r, updateMessage(d.Conference, d.Action, d.Update, v))
}
