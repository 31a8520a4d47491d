package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Recording the outcome: /caseconf record REF and the Record outcome
// button (in show, and on the reminder that the outcome is not recorded)
// open the form; Add action and Remove change its rows; Save keeps a
// draft or records it, and the minutes and actions go round through the
// outbox.

func (b *Bot) registerOutcome() {
	b.HandleCommand("record", "REF", "Record the outcome, action plan and who gets the minutes (chair, minute taker or case manager); after the outcome, correct it", b.cmdRecord)
	b.HandleAction(actionRecord, b.clickRecord)
	b.HandleAction(actionOutcomeAdd, b.clickOutcomeRows)
	b.HandleAction(actionOutcomeRemove, b.clickOutcomeRows)
	b.HandleAction(caseconf.FieldSaveAs, b.clickOutcomeRows) // relabels Save
	b.HandleView(viewOutcome, b.submitOutcome)
}

// cmdRecord opens the outcome form of conference REF for its chair,
// minute taker or case manager. Whether they may is the answer, so it is
// read before the ack (as report does); to anyone else the conference
// does not exist.
func (b *Bot) cmdRecord(ctx context.Context, r *Request, args []string) {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf record CC-0001`")
		return
	}
	if !caseconf.IsRef(args[0]) {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	form, err := b.store.OpenOutcome(ctx, args[0], 0, b.viewer(r.UserID), b.now())
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Ack(nil)
	b.openOutcome(ctx, r, r.Command.TriggerID, form)
}

// clickRecord opens the outcome form from a button.
func (b *Bot) clickRecord(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	form, err := b.store.OpenOutcome(ctx, "", subj.Conference, b.viewer(r.UserID), b.now())
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openOutcome(ctx, r, r.Interaction.TriggerID, form)
}

func (b *Bot) openOutcome(ctx context.Context, r *Request, triggerID string, form store.OutcomeForm) {
	f, by, at, amend := withCarried(outcomeDefaults(form.Conference), form.Carried), "", time.Time{}, 0
	if form.Draft != nil {
		f, by, at = *form.Draft, form.DraftBy, form.DraftAt
		if f.SaveAs != caseconf.SaveDraft {
			f.SaveAs = "" // only a draft's own choice is kept: Final is never chosen for them
		}
	}
	if form.Recorded != nil {
		f, amend = recordedForm(form.Recorded, form.Share), form.Recorded.Version // bot/amend.go
	}
	view, err := outcomeModal(form.Conference, f, by, at, b.cal, amend)
	for err != nil && form.Draft == nil && form.Recorded == nil && len(f.Actions) > 1 {
		// More open actions under review than the form holds: the last
		// are left out, open in the plan under review.
		f.Actions = f.Actions[:len(f.Actions)-1]
		view, err = outcomeModal(form.Conference, f, by, at, b.cal, amend)
	}
	if err != nil {
		b.log.Error("could not build the outcome form", "conference", form.Conference.ID, "err", err)
		r.Reply(ctx, caseconf.ErrorMessage(err))
		return
	}
	b.openView(ctx, r, triggerID, view)
}

// clickOutcomeRows adds an action row to the open outcome form, or
// removes one, or relabels its submit button for the Save as chosen,
// keeping everything typed: the form is rebuilt from the
// view's state and replaced (views.update with the view's hash, so a
// second quick click cannot replace a newer picture with an older one).
// A form with no room for another row (Slack's 100 blocks) keeps the rows
// it has, and says so where the button was.
func (b *Bot) clickOutcomeRows(ctx context.Context, r *Request) {
	r.Ack(nil)
	ic := r.Interaction
	var st outcomeState
	if ic.View.ID == "" || ic.View.CallbackID != viewOutcome || decodeState(ic.View.PrivateMetadata, &st) != nil || st.Conference == 0 {
		b.dm(ctx, r.UserID, caseconf.ErrorMessage(caseconf.NotFound()))
		return
	}
	c, err := b.store.OutcomeConference(ctx, st.Conference, b.viewer(r.UserID), b.now())
	if err != nil {
		// A click in a form has no response_url to answer through.
		b.dm(ctx, r.UserID, caseconf.ErrorMessage(err))
		return
	}
	st.Meeting = c.StartsAt.Unix()
	act := ic.ActionCallback.BlockActions[0]
	f := outcomeFormFrom(viewValues(ic), st)
	switch actionName(act.ActionID) {
	case actionOutcomeAdd:
		st.Rows = append(st.Rows, st.Next)
		st.Next++
		f = outcomeFormFrom(viewValues(ic), st)
	case actionOutcomeRemove:
		if row, err := strconv.Atoi(act.Value); err == nil {
			st.Rows = slices.DeleteFunc(st.Rows, func(n int) bool { return n == row })
			f = outcomeFormFrom(viewValues(ic), st)
		}
	case caseconf.FieldSaveAs:
		f.SaveAs = act.SelectedOption.Value
	}
	view, err := outcomeModal(c, f, "", time.Time{}, b.cal, st.Version)
	if err != nil {
		// One more row would not fit: the form stays as it was, with the
		// note in place of the button.
		f.Actions = f.Actions[:len(f.Actions)-1]
		if view, err = outcomeModal(c, f, "", time.Time{}, b.cal, st.Version); err != nil {
			b.log.Error("could not rebuild the outcome form", "conference", c.ID, "err", err)
			return
		}
	}
	b.updateView(ctx, r, view)
}

// submitOutcome checks the form field by field (problems go back into
// it, and nothing is stored), then keeps it as a draft or records the
// outcome, once per form submission. The minutes, the actions and the
// case manager's notice were written to the outbox with the record; the
// sender is woken after the ack.
func (b *Bot) submitOutcome(ctx context.Context, r *Request) {
	ic := r.Interaction
	var st outcomeState
	if decodeState(ic.View.PrivateMetadata, &st) != nil || st.Conference == 0 || len(st.Rows) > caseconf.MaxActionRows {
		b.ackViewError(ctx, r, caseconf.NotFound(), "")
		return
	}
	f := outcomeFormFrom(viewValues(ic), st)
	if st.Version > 0 {
		b.submitAmendment(ctx, r, st, f) // bot/amend.go
		return
	}
	if errs := f.CheckSaveAs(); errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	v, key := b.viewer(r.UserID), "view:"+ic.View.ID
	if f.Draft() {
		if errs := f.ValidateDraft(); errs != nil {
			r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
			return
		}
		c, err := b.store.SaveOutcomeDraft(ctx, st.Conference, v, b.now(), f, key)
		if b.outcomeFailed(ctx, r, err) {
			return
		}
		b.log.Info("outcome draft saved", "conference", c.ID, "user", r.UserID, "rows", len(f.Actions))
		r.Ack(outcomeDone(fmt.Sprintf(":memo: *Draft saved.* Finish it with `/caseconf record %s`: the form opens as you left it. Nothing has been sent.", c.Ref)))
		return
	}
	meeting := time.Unix(st.Meeting, 0)
	o, errs := f.Validate(meeting, b.now(), b.cal)
	if errs == nil {
		// Owners on Slack are people the conference involves (the store
		// refuses anyone else too; here the answer goes on the row).
		if c, err := b.store.ConferenceSnapshot(ctx, st.Conference); err == nil && caseconf.CanRecordOutcome(c, v, b.now()) == nil {
			errs = f.CheckOwners(c)
		}
	}
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	rec, err := b.store.RecordOutcome(ctx, st.Conference, v, b.now(), meeting, o, key, b.MinutesParts)
	if b.outcomeFailed(ctx, r, err) {
		return
	}
	text := fmt.Sprintf(":white_check_mark: *The outcome of %s is recorded.* The minutes go by direct message to %d people on Slack; each action owner on Slack gets their action.", rec.Conference.Ref, rec.Recipients)
	if rec.Withheld > 0 {
		text += fmt.Sprintf(" %d on the share list do not get them (the client's consent does not cover them): the case manager is told.", rec.Withheld)
	}
	if !rec.New {
		text = fmt.Sprintf(":white_check_mark: *The outcome of %s is recorded.*", rec.Conference.Ref)
	}
	r.Ack(outcomeDone(text))
	if rec.New {
		b.log.Info("outcome recorded", "conference", rec.Conference.ID, "user", r.UserID, "actions", len(o.Actions),
			"recipients", rec.Recipients, "withheld", rec.Withheld)
		b.sender.Wake()
		owners := []string{rec.Conference.ChairID, rec.Conference.CaseManagerID}
		for _, a := range o.Actions {
			owners = append(owners, a.OwnerID)
		}
		b.RefreshHome(owners...)
	}
}

// outcomeFailed answers a submission the store refused or could not
// store, and reports whether it did.
func (b *Bot) outcomeFailed(ctx context.Context, r *Request, err error) bool {
	switch {
	case err == nil:
		return false
	case caseconf.ErrorCode(err) == caseconf.EINTERNAL:
		b.log.Error("could not store an outcome", "user", r.UserID, "err", err)
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{
			caseconf.FieldSummary: "Sorry, we could not save this just now. Please press Save again: the same form is never saved twice.",
		}))
	default:
		b.ackViewError(ctx, r, err, "")
	}
	return true
}

// outcomeDone replaces the form with what happened.
func outcomeDone(text string) doneResponse {
	return doneResponse{slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("Outcome"), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}},
	})}
}
