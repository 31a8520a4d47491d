package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Correcting the record: once the outcome is recorded, /caseconf record
// REF (or the Record outcome button) opens the form again for its chair,
// minute taker or case manager, filled in with what was recorded, with a
// required "What changed and why". Saving keeps the version before, and
// sends the amended minutes and the action owners' notices through the
// outbox (store.AmendOutcome).

// submitAmend labels the submit button of a form correcting the record
// (Slack allows 24 characters).
const submitAmend = "Send amended minutes"

// amendNote opens a form correcting version version of c's record.
func amendNote(c *caseconf.Conference, version int) slack.Block {
	return note(fmt.Sprintf(":pencil2: *Correcting the record of %s* (version %d as it stands). Change what was recorded wrongly, then say what changed and why at the end. "+
		"When you send it, version %d is kept as it was, the amended minutes go to everyone on the share list the client's consent covers, and the owners of actions added, changed or removed are told.",
		c.Ref, version, version))
}

// recordedForm is the outcome form filled in with the outcome o as
// recorded, and its whole share list (those the minutes are withheld
// from too), each text within its field's length; each row of the plan
// keeps the action it shows.
func recordedForm(o *caseconf.Outcome, share []store.ShareEntry) caseconf.OutcomeForm {
	f := caseconf.OutcomeForm{LeadChanged: "no", NewCaseManager: o.NewCaseManagerID,
		NewLeadAgency: truncate(o.NewLeadAgency, caseconf.MaxShortText), Summary: truncate(o.Summary, caseconf.MaxOutcomeText),
		Worked: truncate(o.Worked, caseconf.MaxOutcomeText), NotWorked: truncate(o.NotWorked, caseconf.MaxOutcomeText),
		ClientViews: truncate(o.ClientViews, caseconf.MaxOutcomeText)}
	if o.LeadChanged {
		f.LeadChanged = "yes"
	}
	if !o.ReviewOn.IsZero() {
		f.ReviewOn = o.ReviewOn.Format(caseconf.DateLayout)
	}
	people := func(ps []caseconf.Person) (users []string, others string) {
		var lines [][2]string
		for _, p := range ps {
			if p.UserID != "" {
				users = append(users, p.UserID)
				continue
			}
			lines = append(lines, [2]string{strings.TrimRight(p.Name+", "+p.JobTitle+", "+p.Agency, ", "), p.Name})
		}
		return users, fitLines(lines, caseconf.MaxPeopleText)
	}
	f.Attended, f.AttendedOthers = people(o.Attended)
	f.Apologies, f.ApologiesOthers = people(o.Apologies)
	var others [][2]string
	for _, e := range share {
		if e.UserID != "" {
			f.ShareWith = append(f.ShareWith, e.UserID)
			continue
		}
		others = append(others, [2]string{strings.TrimRight(e.Name+", "+e.Contact, ", "), e.Name})
	}
	f.ShareOthers = fitLines(others, caseconf.MaxPeopleText)
	for i, a := range o.Actions {
		row := caseconf.ActionForm{Row: i + 1, ID: a.ID, Area: truncate(a.Area, caseconf.MaxShortText),
			What: truncate(a.What, caseconf.MaxActionText), OwnerID: a.OwnerID}
		if a.OwnerID == "" {
			row.OwnerName, row.OwnerAgency = truncate(a.OwnerName, caseconf.MaxShortText), truncate(a.OwnerAgency, caseconf.MaxShortText)
		}
		if !a.DueOn.IsZero() {
			row.DueOn = a.DueOn.Format(caseconf.DateLayout)
		}
		f.Actions = append(f.Actions, row)
	}
	if len(f.Actions) == 0 {
		f.Actions = []caseconf.ActionForm{{Row: 1}}
	}
	return f
}

// submitAmendment checks a form correcting the record field by field
// (problems go back into it, and nothing is stored), then saves the
// correction once per form submission; the amended minutes and the
// owners' notices were written to the outbox with it, and the sender is
// woken after the ack.
func (b *Bot) submitAmendment(ctx context.Context, r *Request, st outcomeState, f caseconf.OutcomeForm) {
	v, key := b.viewer(r.UserID), "view:"+r.Interaction.View.ID
	c, err := b.store.OutcomeConference(ctx, st.Conference, v, b.now())
	if b.outcomeFailed(ctx, r, err) {
		return
	}
	meeting := time.Unix(st.Meeting, 0)
	was, err := b.store.OutcomeSnapshot(ctx, c.ID)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		was = &caseconf.Outcome{} // not recorded: the store says so
	} else if b.outcomeFailed(ctx, r, err) {
		return
	}
	o, errs := f.ValidateAmendment(meeting, b.now(), b.cal, was)
	if errs == nil {
		// A Slack owner new to a row is someone the conference involves;
		// one kept as recorded is not asked again.
		owner := map[int64]string{}
		for _, a := range was.Actions {
			owner[a.ID] = a.OwnerID
		}
		check := f
		check.Actions = nil
		for _, a := range f.Actions {
			if a.ID == 0 || owner[a.ID] != a.OwnerID {
				check.Actions = append(check.Actions, a)
			}
		}
		errs = check.CheckOwners(c)
	}
	if errs != nil {
		r.Ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	res, err := b.store.AmendOutcome(ctx, st.Conference, v, meeting, st.Version, o, f.AmendReason, key, b.MinutesParts)
	if b.outcomeFailed(ctx, r, err) {
		return
	}
	text := fmt.Sprintf(":white_check_mark: *The record of %s is corrected* (version %d; the one before is kept). The amended minutes go by direct message to %d people on Slack.",
		res.Conference.Ref, res.Version, res.Recipients)
	if n := len(res.Plan.Added) + len(res.Plan.Changed) + len(res.Plan.Removed); n > 0 {
		text += fmt.Sprintf(" The owners of the %d actions added, changed or removed are told (the case manager, for owners not on Slack).", n)
	}
	if res.Withheld > 0 {
		text += fmt.Sprintf(" %d on the share list do not get them (the client's consent does not cover them).", res.Withheld)
	}
	if !res.New {
		text = fmt.Sprintf(":white_check_mark: *The record of %s is corrected.*", res.Conference.Ref)
	}
	r.Ack(outcomeDone(text))
	if res.New {
		b.log.Info("outcome corrected", "conference", res.Conference.ID, "user", r.UserID, "version", res.Version,
			"added", len(res.Plan.Added), "changed", len(res.Plan.Changed), "removed", len(res.Plan.Removed), "recipients", res.Recipients)
		b.sender.Wake()
		owners := []string{res.Conference.ChairID, res.Conference.CaseManagerID}
		for _, a := range res.Plan.Added {
			owners = append(owners, a.OwnerID)
		}
		for _, ch := range res.Plan.Changed {
			owners = append(owners, ch.Before.OwnerID, ch.After.OwnerID)
		}
		for _, a := range res.Plan.Removed {
			owners = append(owners, a.OwnerID)
		}
		b.RefreshHome(owners...)
	}
}

// renderAmendedMinutes is a part of the amended minutes, while the
// version it was written for is the record's latest.
func (b *Bot) renderAmendedMinutes(m store.Outbox, c *caseconf.Conference, d *store.RenderData) (message, string) {
	version, part := caseconf.SplitAmendedPart(m.SubjectID)
	if o := d.Outcomes[c.ID]; o != nil && o.Version != version {
		return message{}, "the record was corrected again: those amended minutes go instead"
	}
	return b.minutesPart(m, c, d, part)
}

// amendedWhy is what changed and why in the latest correction of c's
// record o, for someone who may see case details; "" otherwise.
func amendedWhy(c *caseconf.Conference, o *caseconf.Outcome, to string) string {
	if o == nil || o.AmendReason == "" || !caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: to}) {
		return ""
	}
	return "\n*What changed and why:* " + escape(o.AmendReason)
}

// renderActionAmended tells an action's chaser that a correction of the
// record added their action or changed it, as it now reads; to its
// owner on Slack, with its buttons while it is open.
func renderActionAmended(m store.Outbox, c *caseconf.Conference, a *caseconf.Action, o *caseconf.Outcome) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case c.Cancelled():
		return message{}, "the conference was cancelled"
	case a.RemovedAt != nil:
		return message{}, "the action was removed from the plan since"
	case caseconf.ActionChaser(a.OwnerID, c.CaseManagerID) != m.RecipientID:
		return message{}, "the action has changed hands since"
	}
	due := a.DueOn.Format(dueLayout)
	whose := "your action"
	if a.OwnerID != m.RecipientID {
		whose = "an action owned by someone not on Slack, for you to chase (" + ownerText(a) + ")"
	}
	text := fmt.Sprintf(":pencil2: *The record of %s was corrected*, and with it %s. It now reads, to be met or reviewed by *%s*:\n*%s:* %s%s",
		c.Ref, whose, due, escape(a.Area), escape(truncate(a.What, 1500)), amendedWhy(c, o, m.RecipientID))
	if !caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
		text = fmt.Sprintf(":pencil2: *The record of %s was corrected*, and with it an action of yours, to be met or reviewed by *%s*. Its details are withheld until you have accepted the conference's information-sharing agreement, and the client's consent covers your agency; %s can tell you more.",
			c.Ref, due, user(c.CaseManagerID))
	}
	blocks := sections(text)
	if a.Open() && a.OwnerID == m.RecipientID {
		blocks = append(blocks, slack.NewActionBlock("action", actionButtons(a.ID)...))
	}
	return message{Text: "The record of " + c.Ref + " was corrected: an action of yours, by " + due, Blocks: blocks}, ""
}

// renderActionRemoved tells an action's chaser before a correction that
// it was removed from the plan, or is now someone else's, and that its
// reminders to them stop.
func renderActionRemoved(m store.Outbox, c *caseconf.Conference, a *caseconf.Action, o *caseconf.Outcome) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case a.RemovedAt == nil && caseconf.ActionChaser(a.OwnerID, c.CaseManagerID) == m.RecipientID:
		return message{}, "the action is theirs again"
	}
	details := caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID})
	text := fmt.Sprintf(":wastebasket: *The record of %s was corrected*: an action that was yours to do or to chase was removed from its plan. You will not be reminded of it again.", c.Ref)
	if a.RemovedAt == nil {
		to := "someone not on Slack"
		switch {
		case details:
			to = ownerBrief(a)
		case a.OwnerID != "":
			to = user(a.OwnerID)
		}
		text = fmt.Sprintf(":arrows_counterclockwise: *The record of %s was corrected*: an action that was yours to do or to chase is now %s's. You will not be reminded of it again.", c.Ref, to)
	}
	if details {
		text += fmt.Sprintf("\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 1500))) + amendedWhy(c, o, m.RecipientID)
	}
	return message{Text: "The record of " + c.Ref + " was corrected: an action is no longer yours", Blocks: sections(text)}, ""
}
