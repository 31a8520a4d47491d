package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

// reminderOf is the reminder outbox message m carries.
func reminderOf(m store.Outbox) reminders.Reminder {
	return reminders.Reminder{Kind: m.Kind, SubjectID: m.SubjectID, ConferenceID: m.ConferenceID, RecipientID: m.RecipientID}
}

// renderReminder is what reminder m says now, from the data as it is
// now; skip says why it no longer applies (reminders.StillDue decides:
// the conference was cancelled, the invitee answered, the report came,
// the outcome was recorded, the action was done or the consent renewed).
func (b *Bot) renderReminder(m store.Outbox, c *caseconf.Conference, st caseconf.ReminderState) (message, string) {
	now, kind := b.now(), m.Kind
	if skip := reminders.StillDue(reminderOf(m), c, st, now, b.cal); skip != "" {
		return message{}, skip
	}
	at := when(c.StartsAt, b.cal.Loc)
	var text string
	var buttons []slack.BlockElement
	switch kind {
	case reminders.InvitationUnanswered, reminders.ReportOwed:
		if inv := c.Invitee(m.SubjectID); !inv.OnSlack() {
			// Someone not on Slack: their case manager chases them.
			text, buttons = offSlackReminder(kind, c, inv, at), append(buttons, recordReplyButton(inv))
			if kind == reminders.ReportOwed && caseconf.CanEnterReport(c, caseconf.Viewer{UserID: m.RecipientID}, inv) == nil {
				buttons = append(buttons, button(actionEnterReport+":"+strconv.FormatInt(inv.ID, 10), subject{Invitee: inv.ID}.String(), "Add report received", ""))
			}
			break
		}
		if kind == reminders.ReportOwed {
			text = fmt.Sprintf(":bell: *Reminder:* you can't attend *%s* on %s, so the chair is counting on your written report: your involvement, recent contact, concerns, what has and hasn't worked, and your recommendations.", c.Ref, at)
			buttons = append(buttons, reportButton(c.Invitee(m.SubjectID)))
			break
		}
		inv := c.Invitee(m.SubjectID)
		text = fmt.Sprintf(":bell: *Reminder:* you have not yet answered the invitation to *%s* on %s, called by %s.", c.Ref, at, user(c.CaseManagerID))
		id := subject{Invitee: inv.ID}.String()
		if !inv.Accepted() {
			text += " Please read and accept the information-sharing agreement first."
			buttons = append(buttons, button(actionAgree, id, "Read and accept the agreement", slack.StylePrimary))
		} else {
			buttons = append(buttons, answerButtons(id)...)
		}
	case reminders.ConferenceToday:
		// On the day; or on a working day just before it, for someone
		// whose working hours on the day begin after the meeting does.
		today, day := b.cal.Date(now), b.cal.Date(c.StartsAt)
		is := "is today"
		switch {
		case today.AddDate(0, 0, 1).Equal(day):
			is = "is tomorrow"
		case today.Before(day):
			is = "is coming up"
		}
		text = fmt.Sprintf(":calendar: *%s %s*, %s, at %s.\n%s", c.Ref, is, at, escape(c.Place), agendaText())
		if inv := c.InviteeFor(m.RecipientID); inv != nil && !c.Covered(inv) && m.RecipientID != c.ChairID {
			text = fmt.Sprintf(":calendar: *%s %s*, %s, at %s.", c.Ref, is, at, escape(c.Place))
		}
	case reminders.OutcomeNotRecorded:
		text = fmt.Sprintf(":bell: *Reminder:* the outcome and action plan of *%s* (held %s) have not been recorded yet. Everyone waits on the minutes.", c.Ref, at)
		buttons = append(buttons, recordButton(c))
	case reminders.ActionDueSoon, reminders.ActionDueToday, reminders.ActionOverdue, reminders.ActionOverdueManager:
		a := st.Action
		due := a.DueOn.Format("Monday 2 January 2006")
		lead := map[reminders.Kind]string{
			reminders.ActionDueSoon:        ":bell: An action is due on " + due,
			reminders.ActionDueToday:       ":bell: An action is due *today*",
			reminders.ActionOverdue:        ":warning: An action is *overdue* (it was due on " + due + ")",
			reminders.ActionOverdueManager: ":warning: An action on your client's plan has been *overdue for more than a week* (due " + due + ")",
		}[kind]
		buttons = append(buttons, actionButtons(a.ID)...)
		if kind == reminders.ActionOverdueManager { // its owner may have left: the case manager can give it to someone else
			buttons = append(buttons, reassignButton(a.ID))
		}
		if !caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
			// What the action says is a case detail: only for those who
			// may see them (accepted the agreement, agency covered).
			text = fmt.Sprintf("%s, from *%s*. Its details are withheld until you have accepted the conference's information-sharing agreement, and the client's consent covers your agency; %s can tell you more.", lead, c.Ref, user(c.CaseManagerID))
			break
		}
		text = fmt.Sprintf("%s, from *%s*:\n*%s:* %s", lead, c.Ref, escape(a.Area), escape(a.What))
		if a.OwnerName != "" {
			text += "\n*Owner:* " + escape(a.OwnerName) + " (not on Slack: please chase them)"
		}
	case reminders.ReviewApproaching:
		text = fmt.Sprintf(":bell: The review of *%s* is due on %s. Time to call the review conference: *Schedule review* opens the form filled in from this one.", c.Ref, st.ReviewOn.Format("Monday 2 January 2006"))
		buttons = append(buttons, button(actionScheduleReview, subject{Conference: c.ID}.String(), "Schedule review", slack.StylePrimary))
	case reminders.ConsentExpiring:
		text = fmt.Sprintf(":bell: The client's consent to share information (client %s, last conference *%s*) runs out on %s. Please renew it with them before then.",
			escape(c.ClientRef), c.Ref, st.ConsentUntil.Format("Monday 2 January 2006"))
	}
	buttons = append(buttons,
		button(actionSnooze+":1", subject{Outbox: m.ID, Days: 1}.String(), "Snooze until tomorrow", ""),
		button(actionSnooze+":3", subject{Outbox: m.ID, Days: 3}.String(), "Snooze 3 working days", ""))
	blocks := append(sections(text), slack.NewActionBlock("reminder", buttons...))
	first, _, _ := strings.Cut(text, "\n")
	return message{Text: truncate(stripMarks(first), 150), Blocks: blocks}, ""
}

// offSlackReminder is what the case manager is reminded of about inv,
// someone not on Slack: an invitation not answered, or a report owed.
func offSlackReminder(kind caseconf.MessageKind, c *caseconf.Conference, inv *caseconf.Invitee, at string) string {
	who := escape(inv.Name)
	if inv.Agency != "" {
		who += " (" + escape(inv.Agency) + ")"
	}
	how := ""
	if inv.Contact != "" {
		how = " You can reach them at " + escape(inv.Contact) + "."
	}
	if kind == reminders.ReportOwed {
		return fmt.Sprintf(":bell: *Reminder:* %s, not on Slack, can't attend *%s* on %s and has not sent their written report yet. Please chase it, and enter it with *Add report received* when it comes.%s", who, c.Ref, at, how)
	}
	return fmt.Sprintf(":bell: *Reminder:* %s, not on Slack, has not replied to the invitation to *%s* on %s. Please chase them, and record what they say with *Record reply*.%s", who, c.Ref, at, how)
}

// stripMarks drops mrkdwn emphasis for a notification's plain text.
func stripMarks(s string) string {
	return strings.NewReplacer("*", "", ":bell: ", "", ":warning: ", "", ":calendar: ", "").Replace(s)
}

// actionSnooze is a reminder's Snooze button: value subject{Outbox, Days}.
const actionSnooze = "snooze"

func (b *Bot) registerReminders() {
	b.HandleAction(actionSnooze, b.clickSnooze)
}

// clickSnooze sends the reminder again later: at the start of the
// recipient's next working window tomorrow, or three working days on.
// Only the reminder's own recipient can; anyone else changes nothing.
func (b *Bot) clickSnooze(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Outbox == 0 || (subj.Days != 1 && subj.Days != 3) {
		b.replyError(ctx, r, caseconf.Errorf(caseconf.ENOTFOUND, "That reminder is not yours to snooze, or is gone."))
		return
	}
	cal := b.cal.In(b.TimeZone(ctx, r.UserID))
	days := int(subj.Days)
	var day time.Time
	if days == 1 {
		day = cal.Date(b.now()).AddDate(0, 0, 1)
	} else {
		day = cal.AddWorkingDays(b.now(), days)
	}
	until := cal.NextWindow(day)
	if why := b.nothingToSnooze(ctx, subj.Outbox, r.UserID, until); why != "" {
		r.Reply(ctx, ":white_check_mark: Nothing to snooze: "+why+".")
		return
	}
	if _, err := b.store.Snooze(ctx, subj.Outbox, r.UserID, until); err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Reply(ctx, fmt.Sprintf(":zzz: Snoozed: you will be reminded again %s.", when(until, cal.Loc)))
}

// nothingToSnooze says why reminder id, if it is userID's, would not come
// back at until: it no longer applies (reminders.StillDue, as the sender
// asks), or the meeting it is about will have started by then. "" when
// snoozing makes sense, and for a reminder that is not userID's
// (store.Snooze refuses that, saying no more).
func (b *Bot) nothingToSnooze(ctx context.Context, id int64, userID string, until time.Time) string {
	m, err := b.store.OutboxMessage(ctx, id)
	if err != nil || m.RecipientID != userID || !m.Kind.Reminder() {
		return ""
	}
	d, err := b.store.RenderData(ctx, []store.Outbox{m})
	if err != nil {
		return ""
	}
	c := d.Conferences[m.ConferenceID]
	if c == nil {
		return "its conference is gone"
	}
	if skip := reminders.StillDue(reminderOf(m), c, d.Reminders[m.ID], b.now(), b.cal); skip != "" {
		return skip
	}
	switch m.Kind {
	case reminders.InvitationUnanswered, reminders.ReportOwed, reminders.ConferenceToday:
		if !until.Before(c.StartsAt) {
			return "the meeting will have started by then"
		}
	}
	return ""
}
