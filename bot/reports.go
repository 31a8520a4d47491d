package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// IDs of the agency report flow.
const (
	actionReport = "report" // value: subject{Invitee}; opens the report form
	viewReport   = "report"
)

func (b *Bot) registerReports() {
	b.HandleCommand("report", "REF", "Write or update your agency report for a conference you are invited to", b.cmdReport)
	b.HandleAction(actionReport, b.clickReport)
	b.HandleView(viewReport, b.submitReport)
}

// reportButton opens the invitee's report form: from their invitation
// and from the reminder that a report is owed.
func reportButton(inv *caseconf.Invitee) *slack.ButtonBlockElement {
	label, style := "Write report", slack.StylePrimary
	if inv.ReportSent() {
		label, style = "Update report", ""
	}
	return button(actionReport, subject{Invitee: inv.ID}.String(), label, style)
}

// cmdReport opens the caller's report form for conference REF. Whether
// they may write it, and what they wrote before, are the answer: they are
// read before the ack, as cancel does, and the form opens straight after.
func (b *Bot) cmdReport(ctx context.Context, r *Request, args []string) {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf report CC-0001`")
		return
	}
	if !caseconf.IsRef(args[0]) {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	c, inv, rep, err := b.store.ReportDraftByRef(ctx, args[0], b.viewer(r.UserID))
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Ack(nil)
	b.openView(ctx, r, r.Command.TriggerID, reportModal(c, inv, rep, b.cal))
}

// clickReport opens the report form from a button. Only the invitee's own
// Slack user gets it; anyone else is told it does not exist.
func (b *Bot) clickReport(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	c, inv, rep, err := b.store.ReportDraft(ctx, inviteeID(act.Value), r.UserID)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.openView(ctx, r, r.Interaction.TriggerID, reportModal(c, inv, rep, b.cal))
}

// reportModal is the report form, filled in with the last version saved
// (or the invitee's agency, the first time).
func reportModal(c *caseconf.Conference, inv *caseconf.Invitee, rep *caseconf.Report, cal caseconf.Calendar) slack.ModalViewRequest {
	f := caseconf.ReportForm{Agency: inv.Agency}
	submit := "Send report"
	if rep != nil {
		f, submit = rep.Form(), "Save changes"
	}
	intro := fmt.Sprintf("*Your agency report for %s* · client %s\n*Meeting:* %s", c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc))
	if inv.Answered() && inv.Response.Answer == caseconf.AnswerApologies {
		intro += "\nYou can't attend, so the chair will read your report out at the meeting."
	} else {
		intro += "\nThe chair sees every report, and reads out those of agencies not at the meeting."
	}
	blocks := []slack.Block{section(intro)}
	if rep != nil {
		blocks = append(blocks, note(fmt.Sprintf("You last saved this report <!date^%d^{date_short} {time}|%s> (version %d). Saving again keeps the earlier versions.",
			rep.UpdatedAt.Unix(), rep.UpdatedAt.UTC().Format("2 Jan 15:04 UTC"), rep.Revision)))
	}
	long := func(id, label, hint, initial string, optional bool) *slack.InputBlock {
		return input(id, label, hint, textInput(id, caseconf.MaxReportText, true, initial), optional)
	}
	blocks = append(blocks,
		input(caseconf.FieldReportAgency, "Your agency", "", textInput(caseconf.FieldReportAgency, caseconf.MaxShortText, false, f.Agency), false),
		input(caseconf.FieldReportRole, "Your role", "e.g. GP partner, housing support worker", textInput(caseconf.FieldReportRole, caseconf.MaxShortText, false, f.Role), false),
		long(caseconf.FieldInvolvement, "Your involvement with the client", "How your agency knows them and what it does for them", f.Involvement, false),
		input(caseconf.FieldLastContact, "Last contact", "When you last saw or spoke with them, and how",
			textInput(caseconf.FieldLastContact, caseconf.MaxReasonText, true, f.LastContact), false),
		long(caseconf.FieldConcerns, "Current concerns", "Or say that you have none", f.Concerns, false),
		long(caseconf.FieldWorked, "What has worked", "", f.Worked, true),
		long(caseconf.FieldNotWorked, "What has not worked", "", f.NotWorked, true),
		long(caseconf.FieldRecommendations, "Your recommendations", "", f.Recommendations, false),
		note(":lock: Shared only with the people entitled to this conference's case details. Please keep to facts you can evidence."),
	)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewReport, Title: plain("Agency report"),
		Submit: plain(submit), Close: plain("Cancel"),
		PrivateMetadata: subject{Invitee: inv.ID}.String(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func reportForm(v formValues) caseconf.ReportForm {
	return caseconf.ReportForm{
		Agency: v.text(caseconf.FieldReportAgency), Role: v.text(caseconf.FieldReportRole),
		Involvement: v.text(caseconf.FieldInvolvement), LastContact: v.text(caseconf.FieldLastContact),
		Concerns: v.text(caseconf.FieldConcerns), Worked: v.text(caseconf.FieldWorked),
		NotWorked: v.text(caseconf.FieldNotWorked), Recommendations: v.text(caseconf.FieldRecommendations),
	}
}

// submitReport checks the form (problems go back into it, field by field,
// and nothing is stored), saves the report once per form submission, and
// then re-renders the invitee's invitation and the case manager's summary.
func (b *Bot) submitReport(ctx context.Context, r *Request) {
	ic := r.Interaction
	rep, errs := reportForm(viewValues(ic)).Validate()
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	saved, err := b.store.SaveReport(ctx, inviteeID(ic.View.PrivateMetadata), r.UserID, rep, "view:"+ic.View.ID)
	if caseconf.ErrorCode(err) == caseconf.EINTERNAL {
		b.log.Error("could not store a report", "user", r.UserID, "err", err)
		// The form stays open with what they typed (or, if Slack closed
		// it meanwhile, it comes back to them by DM).
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
	if !saved.New {
		return // saved before: what it changed is shown already
	}
	b.log.Info("report saved", "conference", saved.Conference.ID, "invitee", saved.Invitee.ID, "user", r.UserID, "revision", saved.Revision)
	b.refreshInvitation(ctx, saved.Conference, saved.Invitee)
	b.refreshSummary(ctx, saved.Conference.ID)
}
