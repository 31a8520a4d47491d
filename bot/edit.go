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
	"github.com/caseconf/caseconf/store"
)

// Editing a conference: /caseconf edit REF, and the Edit button in show
// and in the case manager's summary, open the scheduling form filled in
// from the conference (without the client and the consent, which an edit
// cannot change). Saving changes it in place: everyone still involved is
// told once what changed, new invitees are invited, those taken off are
// told, and the calendars follow (store.EditConference).

const (
	actionEdit = "edit"            // value: subject{Conference}; opens the edit form
	viewEdit   = "conference_edit" // the edit form; private metadata: editState
)

func (b *Bot) registerEdit() {
	b.HandleCommand("edit", "REF", "Change a conference you called: date, time, place, purpose, chair, minute taker or who is invited", b.cmdEdit)
	b.HandleAction(actionEdit, b.clickEdit)
	b.HandleView(viewEdit, b.submitEdit)
}

// editState is what the edit form carries: the conference, its calendar
// SEQUENCE when the form was opened (a change saved since makes the form
// stale), and which invitee not on Slack each of its rows stands for.
type editState struct {
	Conference int64   `json:"c"`
	Opened     int     `json:"s"`
	External   []int64 `json:"x"`
}

// editButton opens the edit form of c.
func editButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	return button(actionEdit, subject{Conference: c.ID}.String(), "Edit", "")
}

// cmdEdit opens the edit form of conference REF for its case manager.
// The ack goes first; the conference is read after it, and the form
// opened while the trigger lasts.
func (b *Bot) cmdEdit(ctx context.Context, r *Request, args []string) {
	r.Ack(nil)
	ref, ok := b.refArg(ctx, r, args, "edit")
	if !ok {
		return
	}
	b.openEdit(ctx, r, r.Command.TriggerID, ref, 0)
}

// clickEdit opens the edit form from an Edit button.
func (b *Bot) clickEdit(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	b.openEdit(ctx, r, r.Interaction.TriggerID, "", subj.Conference)
}

func (b *Bot) openEdit(ctx context.Context, r *Request, triggerID, ref string, id int64) {
	c, err := b.store.EditForm(ctx, ref, id, b.viewer(r.UserID), b.now())
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	view, err := editModal(c, b.cal)
	if err != nil {
		b.log.Error("could not build the edit form", "conference", c.ID, "err", err)
		r.Reply(ctx, caseconf.ErrorMessage(err))
		return
	}
	b.openView(ctx, r, triggerID, view)
}

// editModal is the scheduling form filled in from c, less the client and
// the consent: the fields an edit may change.
func editModal(c *caseconf.Conference, cal caseconf.Calendar) (slack.ModalViewRequest, error) {
	var external []caseconf.Invitee
	st := editState{Conference: c.ID, Opened: c.CalendarSequence}
	for _, inv := range c.Invitees {
		if !inv.OnSlack() {
			external = append(external, inv)
			st.External = append(st.External, inv.ID)
		}
	}
	view := scheduleModalRows(c.CaseManagerID, c.StartsAt.In(cal.Loc), max(externalRows, len(external)))
	meta, err := encodeState(st)
	if err != nil {
		return view, err
	}
	view.CallbackID = viewEdit
	view.Title = plain("Change " + c.Ref)
	view.Submit = plain("Save changes")
	view.PrivateMetadata = meta
	prefillSchedule(view.Blocks.BlockSet, c, cal, external, prefillEdit, false)
	// The client and the consent are not the edit's to change.
	drop := map[string]bool{caseconf.FieldClientRef: true, caseconf.FieldClientName: true, caseconf.FieldConsentMethod: true,
		caseconf.FieldConsentGiven: true, caseconf.FieldConsentUntil: true, caseconf.FieldConsentChecked: true,
		caseconf.FieldConsentNotChecked: true, caseconf.FieldNoConsentBasis: true, caseconf.FieldNoConsentDecidedBy: true,
		caseconf.FieldNoConsentWhy: true, caseconf.FieldAgencyKinds: true}
	blocks := []slack.Block{section(fmt.Sprintf(":pencil2: *Changing %s.* Everyone still invited is told once what changed, with a new calendar file; anyone you take off is told they are no longer invited; anyone you add is invited. Answers and agreements are kept. The client and the consent cannot change here (`/caseconf consent` renews consent).", c.Ref))}
	for _, blk := range view.Blocks.BlockSet {
		if in, ok := blk.(*slack.InputBlock); ok && drop[in.BlockID] {
			continue
		}
		if h, ok := blk.(*slack.HeaderBlock); ok && h.Text != nil {
			switch h.Text.Text {
			case "Consent to share information":
				continue
			case "The client":
				h = header("The conference")
				blk = h
			}
		}
		blocks = append(blocks, blk)
	}
	view.Blocks.BlockSet = blocks
	return view, nil
}

// submitEdit saves the edit form. Problems with what was typed go back
// onto its fields; a form opened before someone else's change was saved
// is refused ("changed since you opened"), and nothing is overwritten.
// The notices were written to the outbox with the change; the sender is
// woken after the ack, and the case manager's summary brought up to date.
func (b *Bot) submitEdit(ctx context.Context, r *Request) {
	ic := r.Interaction
	var st editState
	if decodeState(ic.View.PrivateMetadata, &st) != nil || st.Conference == 0 {
		b.ackViewError(ctx, r, caseconf.NotFound(), "")
		return
	}
	form := scheduleForm(viewValues(ic), max(externalRowsIn(viewValues(ic)), len(st.External)))
	for i := range form.External {
		if i < len(st.External) {
			form.External[i].ID = st.External[i]
		}
	}
	c, edit, errs, err := b.store.EditConference(ctx, store.Edit{ConferenceID: st.Conference, Viewer: b.viewer(r.UserID),
		Opened: st.Opened, SourceKey: "view:" + ic.View.ID, Form: form, Cal: b.cal})
	switch {
	case errs != nil:
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	case err != nil:
		b.ackViewError(ctx, r, err, "")
		return
	case edit == nil:
		r.Ack(editDone(fmt.Sprintf("Nothing was changed: the form was saved as %s already stands.", c.Ref)))
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	b.log.Info("conference changed", "conference", c.ID, "user", r.UserID, "change", edit.ID, "fields", edit.Fields())
	b.sender.Wake()
	b.refreshSummary(ctx, c.ID)
}

// editDone replaces the edit form with a message.
func editDone(text string) *slack.ViewSubmissionResponse {
	return slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("caseconf"), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}},
	})
}

// How a scheduling form is filled in from a conference.
type prefillMode int

const (
	prefillReview prefillMode = iota // its review: the consent only if it still holds
	prefillEdit                      // an edit: the date, the urgency and the consent as they are
)

// prefillSchedule fills the scheduling form's blocks in from conference
// c: its reasons, purpose, time, length, place, invitees (external, the
// rows of those not on Slack), chair, minute taker and the client's
// participation; the consent, if consentHolds (never this meeting's
// check with the client: each meeting asks again); and, for an edit, the
// date and urgency.
func prefillSchedule(blocks []slack.Block, c *caseconf.Conference, cal caseconf.Calendar, external []caseconf.Invitee, mode prefillMode, consentHolds bool) {
	start := c.StartsAt.In(cal.Loc)
	var onSlack []string
	for _, inv := range c.Invitees {
		if inv.OnSlack() {
			onSlack = append(onSlack, inv.SlackUserID)
		}
	}
	for _, blk := range blocks {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			fill(el, prefillText(in.BlockID, c, external, mode))
		case *slack.MultiSelectBlockElement:
			switch in.BlockID {
			case caseconf.FieldReasons:
				el.InitialOptions = chosen(el.Options, c.Reasons)
			case caseconf.FieldSlackInvitees:
				el.InitialUsers = onSlack
			}
		case *slack.SelectBlockElement:
			switch in.BlockID {
			case caseconf.FieldChair:
				el.InitialUser = c.ChairID
			case caseconf.FieldMinuteTaker:
				el.InitialUser = c.MinuteTakerID
			case caseconf.FieldAbsence:
				// The circumstance is decided for one meeting (permission
				// given for it, the child-care manager's decision): a
				// review asks again, as it does this meeting's consent.
				if o := chosen(el.Options, []string{c.ClientAbsence}); mode == prefillEdit && !c.ClientAttends && len(o) == 1 {
					el.InitialOption = o[0]
				}
			default:
				for i, inv := range external {
					if in.BlockID == caseconf.ExternalField("agency_kind", i) {
						if o := chosen(el.Options, []string{inv.AgencyKind}); len(o) == 1 {
							el.InitialOption = o[0]
						}
					}
				}
			}
		case *slack.TimePickerBlockElement:
			el.InitialTime = start.Format("15:04")
		case *slack.NumberInputBlockElement:
			el.InitialValue = strconv.Itoa(c.DurationMinutes)
		case *slack.RadioButtonsBlockElement:
			switch in.BlockID {
			case caseconf.FieldClientAttends:
				attends := "no"
				if c.ClientAttends {
					attends = "yes"
				}
				if o := chosen(el.Options, []string{attends}); len(o) == 1 {
					el.InitialOption = o[0]
				}
			case caseconf.FieldConsentMethod:
				if consentHolds {
					if o := chosen(el.Options, []string{c.Consent.Method}); len(o) == 1 {
						el.InitialOption = o[0]
					}
				}
			}
		case *slack.DatePickerBlockElement:
			switch {
			case in.BlockID == caseconf.FieldDate && mode == prefillEdit:
				el.InitialDate = start.Format(caseconf.DateLayout)
			case !consentHolds:
			case in.BlockID == caseconf.FieldConsentGiven:
				el.InitialDate = c.Consent.GivenOn.Format(caseconf.DateLayout)
			case in.BlockID == caseconf.FieldConsentUntil:
				el.InitialDate = c.Consent.ValidUntil.Format(caseconf.DateLayout)
			}
		case *slack.CheckboxGroupsBlockElement:
			switch {
			case in.BlockID == caseconf.FieldAgencyKinds && consentHolds:
				el.InitialOptions = chosen(el.Options, c.Consent.AgencyKinds)
			case in.BlockID == caseconf.FieldUrgent && mode == prefillEdit && c.Urgent:
				el.InitialOptions = el.Options
			}
		}
	}
}

// prefillText is the initial value of text field id in a form filled in
// from c.
func prefillText(id string, c *caseconf.Conference, external []caseconf.Invitee, mode prefillMode) string {
	switch id {
	case caseconf.FieldClientRef:
		return c.ClientRef
	case caseconf.FieldClientName:
		return c.ClientName
	case caseconf.FieldPurpose:
		return c.Purpose
	case caseconf.FieldPlace:
		return c.Place
	case caseconf.FieldChildCareMgr:
		if mode != prefillEdit {
			return "" // their decision was for that meeting (see FieldAbsence)
		}
		return c.ChildCareManager
	case caseconf.FieldToldHow:
		return c.ClientToldHow
	case caseconf.FieldUrgentReason:
		if mode == prefillEdit {
			return c.UrgentReason
		}
	}
	for i, inv := range external {
		switch id {
		case caseconf.ExternalField("name", i):
			return inv.Name
		case caseconf.ExternalField("role", i):
			return inv.Role
		case caseconf.ExternalField("agency", i):
			return inv.Agency
		case caseconf.ExternalField(caseconf.ExtEmail, i):
			return inv.Email
		case caseconf.ExternalField(caseconf.ExtPhone, i):
			return inv.Phone
		}
	}
	return ""
}

// editNames is how many people a change notice names as invited or no
// longer invited; the rest are counted.
const editNames = 20

// renderConferenceChanged is the notice of change e to conference c for
// m's recipient: what changed, as far as they may see it (when and how
// long, to everyone; the place and who comes, once they accepted the
// agreement; the case details, if they may see them), and, for an
// invitee who said they would come to a meeting that moved, the request
// to confirm, with the answer buttons.
func renderConferenceChanged(m store.Outbox, c *caseconf.Conference, e *caseconf.ConferenceEdit, cal caseconf.Calendar) (message, string) {
	switch {
	case e == nil:
		return message{}, "the change is gone"
	case c.Cancelled():
		return message{}, "the conference was cancelled since"
	case len(c.Roles(m.RecipientID)) == 0:
		return message{}, "the recipient is no longer part of the conference"
	}
	v := caseconf.Viewer{UserID: m.RecipientID}
	inv := c.InviteeFor(m.RecipientID)
	accepted := inv == nil || inv.Accepted() // the chair and minute taker need no agreement
	details := caseconf.CanSeeDetails(c, v)
	var lines []string
	hidden := false
	var invited, uninvited []string
	for _, ch := range e.Changes {
		switch ch.Field {
		case caseconf.ChangeWhen:
			was, _ := time.Parse(time.RFC3339, ch.Before)
			lines = append(lines, fmt.Sprintf("*When:* now %s (was %s)", when(c.StartsAt, cal.Loc), when(was, cal.Loc)))
		case caseconf.ChangeLength:
			lines = append(lines, fmt.Sprintf("*Length:* now %s minutes (was %s)", ch.After, ch.Before))
		case caseconf.ChangePlace:
			if accepted {
				lines = append(lines, "*Where:* now "+clip(ch.After, briefPlace, showRest(c.Ref)))
			} else {
				hidden = true
			}
		case caseconf.ChangeChair, caseconf.ChangeMinuteTaker:
			role := "Chair"
			if ch.Field == caseconf.ChangeMinuteTaker {
				role = "Minute taker"
			}
			switch {
			case ch.After == m.RecipientID:
				lines = append(lines, fmt.Sprintf("*%s:* you (was %s)", role, user(ch.Before)))
			case accepted:
				lines = append(lines, fmt.Sprintf("*%s:* now %s (was %s)", role, user(ch.After), user(ch.Before)))
			default:
				hidden = true
			}
		case caseconf.ChangeInvited, caseconf.ChangeUninvited, caseconf.ChangeExternal:
			if !accepted {
				hidden = true
				continue
			}
			name := ch.After
			if ch.Field == caseconf.ChangeUninvited {
				name = ch.Before
			}
			if caseconf.IsSlackUserID(name) {
				name = user(name)
			} else {
				name = clip(name, briefName, "")
			}
			switch ch.Field {
			case caseconf.ChangeInvited:
				invited = append(invited, name)
			case caseconf.ChangeUninvited:
				uninvited = append(uninvited, name)
			default:
				lines = append(lines, "*Details corrected for* "+name)
			}
		default: // purpose, reasons, the client's participation, urgency: case details
			if details {
				lines = append(lines, "*"+changeLabel(ch.Field)+":* updated")
			} else {
				hidden = true
			}
		}
	}
	if len(invited) > 0 {
		lines = append(lines, "*Also invited:* "+nameList(invited))
	}
	if len(uninvited) > 0 {
		lines = append(lines, "*No longer invited:* "+nameList(uninvited))
	}
	if hidden {
		switch {
		case !accepted:
			lines = append(lines, "Other details changed too: you will see them once you accept the information-sharing agreement on your invitation.")
		default:
			lines = append(lines, "Other case details changed too; the client's consent does not cover your agency, so they are withheld.")
		}
	}
	head := fmt.Sprintf(":pencil2: *%s has been changed* by %s.", c.Ref, user(e.By))
	text := c.Ref + " has been changed"
	blocks := lineSections(head, bullets(lines))
	if e.Moved() && inv != nil && inv.Attends() {
		blocks = append(blocks,
			section("*The time has moved.* You said you would come (or send a colleague), and that answer stands unless you change it. Can you still make the new time?"),
			slack.NewActionBlock("respond", answerButtons(subject{Invitee: inv.ID}.String())...))
		text += ": please confirm you can still come"
	}
	more := "`/caseconf show " + c.Ref + "` shows the conference as it now is."
	if !accepted {
		more = "Your invitation above shows the new details."
	} else if inv != nil {
		more += " Your invitation has been updated, and a new calendar file follows."
	}
	blocks = append(blocks, note(more))
	return message{text, blocks}, ""
}

// renderUninvited tells m's recipient that change e took them off
// conference c: no longer invited, chairing or taking the minutes. It
// names no client.
func renderUninvited(m store.Outbox, c *caseconf.Conference, e *caseconf.ConferenceEdit, cal caseconf.Calendar) (message, string) {
	switch {
	case e == nil:
		return message{}, "the change is gone"
	case len(c.Roles(m.RecipientID)) > 0:
		return message{}, "the recipient is part of the conference again"
	}
	what := "are no longer invited to"
	switch {
	case e.Uninvited(m.RecipientID):
	case slices.ContainsFunc(e.Changes, func(ch caseconf.FieldChange) bool {
		return ch.Field == caseconf.ChangeChair && ch.Before == m.RecipientID
	}):
		what = "no longer chair"
	case slices.ContainsFunc(e.Changes, func(ch caseconf.FieldChange) bool {
		return ch.Field == caseconf.ChangeMinuteTaker && ch.Before == m.RecipientID
	}):
		what = "no longer take the minutes of"
	}
	text := fmt.Sprintf(":wave: You %s *%s* (%s): %s changed it. You will get no more messages about it, and you can no longer see it.",
		what, c.Ref, when(c.StartsAt, cal.Loc), user(e.By))
	return message{"You " + what + " " + c.Ref, []slack.Block{section(text)}}, ""
}

// changeLabel names a case detail a change changed.
func changeLabel(f caseconf.ChangeField) string {
	switch f {
	case caseconf.ChangePurpose:
		return "Purpose and aims"
	case caseconf.ChangeReasons:
		return "Why it is needed"
	case caseconf.ChangeParticipation:
		return "The client's participation"
	case caseconf.ChangeUrgent:
		return "Urgency"
	}
	return string(f)
}

// nameList joins names, naming at most editNames and counting the rest.
func nameList(names []string) string {
	if len(names) > editNames {
		return strings.Join(names[:editNames], ", ") + fmt.Sprintf(" and %d more", len(names)-editNames)
	}
	return strings.Join(names, ", ")
}

// bullets puts each line in a bulleted list.
func bullets(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "• " + l
	}
	return out
}

// updateInvitation puts invitee m.SubjectID's invitation, as the
// conference now stands, in place of the one in their DM, and finishes
// m: retried while Slack fails or limits the rate, like any message. An
// invitation not posted yet needs no update (it goes as the conference
// then stands), nor one of an invitee no longer invited. It reports
// whether Slack took it.
func (s *Sender) updateInvitation(ctx context.Context, m store.Outbox, now time.Time, d *store.RenderData) bool {
	b, st := s.bot, s.bot.store
	var inv *caseconf.Invitee
	c := d.Conferences[m.ConferenceID]
	if c != nil {
		inv = c.Invitee(m.SubjectID)
	}
	switch {
	case inv == nil:
		s.finish(ctx, m, st.MarkCancelled(ctx, m, "the invitee is no longer on the conference"))
		return false
	case !inv.Invitation.Posted():
		s.finish(ctx, m, st.MarkCancelled(ctx, m, "the invitation is not posted yet: it goes as the conference now stands"))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	_, _, _, err := s.api.UpdateMessageContext(sctx, inv.Invitation.Channel, inv.Invitation.TS, invitationMessage(c, inv, b.cal).options()...)
	cancel()
	if err == nil {
		s.finishSent(ctx, m, caseconf.MessageRef{})
		return true
	}
	// Slack refusing it as it is (the DM deleted, say) gives it up: trying
	// again will not help, and the change notice told them anyway.
	s.finishCall(ctx, m, now, err)
	return false
}
