package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Callback and action IDs of the scheduling flow.
const (
	viewSchedule = "schedule"
	// externalRows is how many rows for people not on Slack a new form
	// opens with; Add person not on Slack adds more (bot/offslack.go).
	externalRows = 1
	// consentCheckedValue is the value of the tick that this meeting was
	// checked with the client.
	consentCheckedValue = "checked"
)

func (b *Bot) registerSchedule() {
	b.HandleCommand("new", "", "Call a new case conference (opens a form; people not on Slack are added with *Add person not on Slack*)", b.cmdNew)
	b.HandleView(viewSchedule, b.submitSchedule)
	b.HandleAction(actionExtAdd, b.clickExternalRows)
	b.HandleAction(actionExtRemove, b.clickExternalRows)
}

// cmdNew opens the scheduling modal. Slack's trigger_id lasts three
// seconds, so the ack goes first and the modal opens straight after,
// needing nothing from the database, in the pool for work after the ack
// (bot/afterack.go). The form is prebuilt and encoded once a day
// (bot/prebuilt.go) and posted as it is; a caller whose ID cannot be
// spliced into it, or a bot without its token, gets it built the slow way.
func (b *Bot) cmdNew(ctx context.Context, r *Request, _ []string) {
	r.Ack(nil)
	earliest := b.cal.AddWorkingDays(b.now(), caseconf.MinNoticeWorkingDays)
	triggerID := r.Command.TriggerID
	b.afterAck(ctx, func(ctx context.Context) {
		if b.botToken != "" && triggerID != "" {
			if raw, ok := b.forms.scheduleViewJSON(r.UserID, earliest); ok {
				b.openViewRaw(ctx, r, triggerID, viewSchedule, raw)
				return
			}
		}
		b.openView(ctx, r, triggerID, scheduleModal(r.UserID, earliest))
	})
}

// scheduleModal is the form for calling a conference. Nothing in it is
// posted to a channel.
func scheduleModal(caller string, earliest time.Time) slack.ModalViewRequest {
	return scheduleModalRows(caller, earliest, externalRows)
}

// scheduleModalRows is scheduleModal with rows rows for people not on
// Slack.
func scheduleModalRows(caller string, earliest time.Time, rows int) slack.ModalViewRequest {
	dateEl := slack.NewDatePickerBlockElement(caseconf.FieldDate)
	dateEl.InitialDate = earliest.Format(caseconf.DateLayout)
	timeEl := slack.NewTimePickerBlockElement(caseconf.FieldTime)
	timeEl.InitialTime = "10:00"
	lengthEl := slack.NewNumberInputBlockElement(nil, caseconf.FieldLength, false)
	lengthEl.InitialValue = "60"
	lengthEl.MinValue = "1"
	lengthEl.MaxValue = strconv.Itoa(caseconf.MaxLength)

	urgentEl := slack.NewCheckboxGroupsBlockElement(caseconf.FieldUrgent,
		slack.NewOptionBlockObject("urgent", plain("Urgent: less than ten working days' notice"), nil))
	invitees := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), caseconf.FieldSlackInvitees)
	chair := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, caseconf.FieldChair)
	chair.InitialUser = caller
	minutes := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, caseconf.FieldMinuteTaker)
	minutes.InitialUser = caller

	blocks := []slack.Block{
		note(":lock: Nothing in this form is posted to a channel. Invitees see case details only after accepting the confidentiality agreement, and only if the client's consent covers their agency."),
		header("The client"),
		input(caseconf.FieldClientRef, "Client reference", "Initials and your case number, e.g. JS-4411. Invitees see it only once they accept the confidentiality agreement.",
			textInput(caseconf.FieldClientRef, caseconf.MaxClientRef, false, ""), false),
		input(caseconf.FieldClientName, "Full name (optional, sensitive)", "",
			textInput(caseconf.FieldClientName, caseconf.MaxClientName, false, ""), true),
		input(caseconf.FieldReasons, "Why is the conference needed?", "",
			slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Choose one or more"), caseconf.FieldReasons, options(caseconf.ConferenceReasons)...), false),
		input(caseconf.FieldPurpose, "Purpose and aims", "",
			textInput(caseconf.FieldPurpose, caseconf.MaxPurpose, true, ""), false),

		header("When and where"),
		input(caseconf.FieldDate, "Date", "At least ten working days' notice is the norm.", dateEl, false),
		input(caseconf.FieldTime, "Start time", "", timeEl, false),
		input(caseconf.FieldLength, "Expected length (minutes)", "", lengthEl, false),
		input(caseconf.FieldPlace, "Place or video link", "An address (e.g. the GP surgery) or a meeting link",
			textInput(caseconf.FieldPlace, caseconf.MaxPlace, false, ""), false),
		input(caseconf.FieldUrgent, "Short notice", "", urgentEl, true),
		input(caseconf.FieldUrgentReason, "Why is it urgent?", "One line; needed with less than ten working days' notice",
			textInput(caseconf.FieldUrgentReason, caseconf.MaxReasonText, false, ""), true),

		header("Who"),
		input(caseconf.FieldSlackInvitees, "Invitees on Slack", "Each gets a direct message with the invitation.", invitees, true),
		input(caseconf.FieldChair, "Chair", "", chair, false),
		input(caseconf.FieldMinuteTaker, "Minute taker", "", minutes, false),
		section("*People not on Slack* (a GP surgery, say): as full participants. You (or the chair) record their replies and reports in `/caseconf show`, and you are reminded to chase them. Leave a row blank, or remove it, if you don't need it."),
	}
	for i := 0; i < rows; i++ {
		blocks = append(blocks, externalRowBlocks(i, i+1)...)
	}
	blocks = append(blocks, externalAddBlock())
	blocks = append(blocks,
		header("The client's participation"),
		input(caseconf.FieldClientAttends, "Will the client attend?", "A case conference should include the client.",
			slack.NewRadioButtonsBlockElement(caseconf.FieldClientAttends,
				slack.NewOptionBlockObject("yes", plain("Yes"), nil), slack.NewOptionBlockObject("no", plain("No"), nil)), false),
		input(caseconf.FieldAbsence, "If not, which of the policy's circumstances applies?", "The policy allows a conference without the client only in these.",
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose one"), caseconf.FieldAbsence, options(caseconf.ClientAbsences)...), true),
		input(caseconf.FieldChildCareMgr, "Child-welfare reasons: the child-care manager who decided", "Only the child-care manager may decide this: their name and team",
			textInput(caseconf.FieldChildCareMgr, caseconf.MaxShortText, false, ""), true),
		input(caseconf.FieldToldHow, "If not, how will the outcome reach them?", "e.g. one-to-one with their key worker, or in writing",
			textInput(caseconf.FieldToldHow, caseconf.MaxReasonText, false, ""), true),

		header("Consent to share information"),
		input(caseconf.FieldConsentMethod, "Consent to share", "Whether or not the client attends.",
			slack.NewRadioButtonsBlockElement(caseconf.FieldConsentMethod, options(caseconf.ConsentMethods)...), false),
		input(caseconf.FieldConsentGiven, "Date consent was given", "The date the form was signed, or verbal consent given", slack.NewDatePickerBlockElement(caseconf.FieldConsentGiven), true),
		input(caseconf.FieldConsentUntil, "Consent valid until", "Leave blank for six months after it was given",
			slack.NewDatePickerBlockElement(caseconf.FieldConsentUntil), true),
		input(caseconf.FieldConsentChecked, "Signed form: this meeting", "The policy: verbal consent should be obtained for each meeting even when the form is signed.",
			slack.NewCheckboxGroupsBlockElement(caseconf.FieldConsentChecked,
				slack.NewOptionBlockObject(consentCheckedValue, plain("Checked with the client: they agree to this meeting and these services"), nil)), true),
		input(caseconf.FieldConsentNotChecked, "Signed form: if you could not check with them, why not?", "",
			textInput(caseconf.FieldConsentNotChecked, caseconf.MaxReasonText, false, ""), true),
		input(caseconf.FieldNoConsentBasis, "Without consent: the basis for sharing", "The data-protection lead is told.",
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose the basis"), caseconf.FieldNoConsentBasis, options(caseconf.NoConsentBases)...), true),
		input(caseconf.FieldNoConsentDecidedBy, "Without consent: who decided", "Name and role",
			textInput(caseconf.FieldNoConsentDecidedBy, caseconf.MaxShortText, false, ""), true),
		input(caseconf.FieldNoConsentWhy, "Without consent: why", "",
			textInput(caseconf.FieldNoConsentWhy, caseconf.MaxReasonText, false, ""), true),
		input(caseconf.FieldAgencyKinds, "Agencies information may be shared with", "Invitees from other kinds of agency see no case details and get no reports or minutes.",
			slack.NewCheckboxGroupsBlockElement(caseconf.FieldAgencyKinds, options(caseconf.AgencyKinds)...), false),
	)
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: viewSchedule,
		Title:      plain("Call a case conference"),
		Submit:     plain("Schedule"),
		Close:      plain("Cancel"),
		Blocks:     slack.Blocks{BlockSet: blocks},
	}
}

// formValues reads a submitted view's state.
type formValues map[string]map[string]slack.BlockAction

// checkRequired says what is wrong with a required text field, trimmed,
// or "" when it may be stored (caseconf.CheckText: length, control
// characters; and something visible in it).
func checkRequired(text, missing string, max int, multiline bool) string {
	if !caseconf.Visible(text) {
		return missing
	}
	return caseconf.CheckText(text, max, multiline)
}

// requiredText reads a required text field of a submitted modal, trimmed.
// If it is blank, too long or holds control characters, ok is false and
// the submission has been answered with the error on that field.
func requiredText(r *Request, v formValues, id, missing string, max int, multiline bool) (text string, ok bool) {
	text = strings.TrimSpace(v.text(id))
	if msg := checkRequired(text, missing, max, multiline); msg != "" {
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{id: msg}))
		return "", false
	}
	return text, true
}

// viewValues is a submitted view's state; empty if Slack sent none.
func viewValues(ic *slack.InteractionCallback) formValues {
	if ic.View.State == nil {
		return nil
	}
	return ic.View.State.Values
}

func (v formValues) get(id string) slack.BlockAction { return v[id][id] }
func (v formValues) text(id string) string           { return v.get(id).Value }
func (v formValues) option(id string) string         { return v.get(id).SelectedOption.Value }
func (v formValues) options(id string) []string {
	var out []string
	for _, o := range v.get(id).SelectedOptions {
		out = append(out, o.Value)
	}
	return out
}

func scheduleForm(v formValues, rows int) caseconf.ScheduleForm {
	f := caseconf.ScheduleForm{
		ClientRef: v.text(caseconf.FieldClientRef), ClientName: v.text(caseconf.FieldClientName),
		Reasons: v.options(caseconf.FieldReasons), Purpose: v.text(caseconf.FieldPurpose),
		Date: v.get(caseconf.FieldDate).SelectedDate, Time: v.get(caseconf.FieldTime).SelectedTime,
		Length: v.text(caseconf.FieldLength), Place: v.text(caseconf.FieldPlace),
		SlackInvitees: v.get(caseconf.FieldSlackInvitees).SelectedUsers,
		Chair:         v.get(caseconf.FieldChair).SelectedUser, MinuteTaker: v.get(caseconf.FieldMinuteTaker).SelectedUser,
		ClientAttends:        v.option(caseconf.FieldClientAttends),
		ClientAbsence:        v.option(caseconf.FieldAbsence),
		ChildCareManager:     v.text(caseconf.FieldChildCareMgr),
		ClientToldHow:        v.text(caseconf.FieldToldHow),
		ConsentMethod:        v.option(caseconf.FieldConsentMethod),
		ConsentGiven:         v.get(caseconf.FieldConsentGiven).SelectedDate,
		ConsentUntil:         v.get(caseconf.FieldConsentUntil).SelectedDate,
		ConsentChecked:       slices.Contains(v.options(caseconf.FieldConsentChecked), consentCheckedValue),
		ConsentNotCheckedWhy: v.text(caseconf.FieldConsentNotChecked),
		NoConsentBasis:       v.option(caseconf.FieldNoConsentBasis),
		NoConsentDecidedBy:   v.text(caseconf.FieldNoConsentDecidedBy),
		NoConsentExplanation: v.text(caseconf.FieldNoConsentWhy),
		AgencyKinds:          v.options(caseconf.FieldAgencyKinds),
		Urgent:               len(v.options(caseconf.FieldUrgent)) > 0,
		UrgentReason:         v.text(caseconf.FieldUrgentReason),
	}
	for i := 0; i < rows; i++ {
		field := func(name string) string { return caseconf.ExternalField(name, i) }
		f.External = append(f.External, caseconf.ExternalInvitee{
			Name: v.text(field(caseconf.ExtName)), Role: v.text(field(caseconf.ExtRole)),
			Agency: v.text(field(caseconf.ExtAgency)), AgencyKind: v.option(field(caseconf.ExtAgencyKind)),
			Email: v.text(field(caseconf.ExtEmail)), Phone: v.text(field(caseconf.ExtPhone)),
		})
	}
	return f
}

// submitSchedule validates the form; errors go back into the modal, field
// by field, and nothing is stored. A valid form is stored, the modal
// closes, and the invitations go out after the ack.
func (b *Bot) submitSchedule(ctx context.Context, r *Request) {
	ic := r.Interaction
	form := scheduleForm(viewValues(ic), externalRowsIn(viewValues(ic)))
	sched, errs := form.Validate(b.now(), b.cal)
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	follows, handover, ok := follows(ic.View.PrivateMetadata)
	if !ok {
		b.ackViewError(ctx, r, caseconf.NotFound(), "")
		return
	}
	conf, created, err := b.store.CreateConference(ctx, store.NewConference{
		Schedule: sched, CaseManagerID: r.UserID, SourceKey: "view:" + ic.View.ID,
		Follows: follows, Handover: handover, DPO: b.dpo,
	})
	switch caseconf.ErrorCode(err) {
	case caseconf.ECONFLICT, caseconf.ENOTFOUND, caseconf.EINVALID:
		b.ackViewError(ctx, r, err, caseconf.FieldClientRef) // EINVALID: a review's client changed
		return
	}
	if err != nil {
		b.log.Error("could not store a new conference", "user", r.UserID, "err", err)
		// If Slack has closed the form by now, this reaches the user as a
		// DM with what they typed (Request.Ack, lateAnswer).
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{
			caseconf.FieldClientRef: "Sorry, we could not save this just now. Please press Schedule again: the same form is never saved twice.",
		}))
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	if created {
		b.log.Info("conference scheduled", "conference", conf.ID, "user", r.UserID,
			"invitees", len(conf.Invitees), "urgent", conf.Urgent)
	}
	// The invitations and the summary were written to the outbox with the
	// conference; the sender posts them now. A repeated submission wrote
	// nothing new, and what it would have sent is sent (or waits for
	// Slack) already.
	b.sender.Wake()
}
