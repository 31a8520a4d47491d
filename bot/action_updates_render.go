package bot

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// The messages an update to an action calls for, rendered by the sender
// when they go, from the action and the update as they are then.

// updateOf is the update message m is about and its action, from what
// the batch read; skip says why the message no longer applies.
func updateOf(m store.Outbox, c *caseconf.Conference, d *store.RenderData) (*caseconf.ActionUpdate, *caseconf.Action, string) {
	if c.Cancelled() {
		return nil, nil, "the conference was cancelled"
	}
	u := d.Updates[m.SubjectID]
	if u == nil || d.Actions[u.ActionID] == nil {
		return nil, nil, "the action or its update no longer exists"
	}
	return u, d.Actions[u.ActionID], ""
}

// renderActionUpdate tells the case manager of a progress note or a new
// date; a date still waiting for them carries Accept and Keep the old
// date.
func renderActionUpdate(m store.Outbox, c *caseconf.Conference, d *store.RenderData) (message, string) {
	u, a, skip := updateOf(m, c, d)
	switch {
	case skip != "":
		return message{}, skip
	case m.RecipientID != c.CaseManagerID:
		return message{}, "the case manager has changed"
	}
	return updateMessage(c, a, u, caseconf.Viewer{UserID: m.RecipientID}), ""
}

// updateMessage tells v (the case manager, or the chair who decided) of
// update u to action a of c, as it is now; what the action says only if
// they may see case details.
func updateMessage(c *caseconf.Conference, a *caseconf.Action, u *caseconf.ActionUpdate, v caseconf.Viewer) message {
	var text, label string
	switch {
	case u.Kind == caseconf.UpdateNote:
		text, label = fmt.Sprintf(":memo: %s added a progress note to an action from *%s* (due %s)", user(u.By), c.Ref, a.DueOn.Format(dueLayout)), "Note"
	case u.State == caseconf.UpdateMade:
		text, label = fmt.Sprintf(":calendar: %s moved an action from *%s* from %s to *%s*", user(u.By), c.Ref, u.OldDue.Format(dueLayout), u.NewDue.Format(dueLayout)), "Why"
	default:
		text, label = fmt.Sprintf(":calendar: %s proposes a new date for an action from *%s*: *%s* instead of %s", user(u.By), c.Ref, u.NewDue.Format(dueLayout), u.OldDue.Format(dueLayout)), "Why"
	}
	if caseconf.CanSeeDetails(c, v) {
		text += fmt.Sprintf(":\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 1000)))
		if a.OwnerID == "" {
			text += "\n*Owner:* " + ownerText(a)
		}
		text += "\n*" + label + ":* " + escape(u.Note)
	} else {
		text += "."
	}
	switch u.State {
	case caseconf.UpdateAccepted:
		text += fmt.Sprintf("\n:white_check_mark: %s accepted it: the action is now due on *%s*.", user(u.DecidedBy), u.NewDue.Format(dueLayout))
	case caseconf.UpdateKept:
		text += fmt.Sprintf("\n:pushpin: %s kept the old date, %s.", user(u.DecidedBy), u.OldDue.Format(dueLayout))
	case caseconf.UpdateSuperseded:
		text += "\nSince overtaken: the action was done or closed, or given another date."
	}
	blocks := sections(text)
	if u.State == caseconf.UpdateProposed && a.Open() {
		id := subject{Update: u.ID}.String()
		blocks = append(blocks, slack.NewActionBlock("date",
			button(actionDateAccept, id, "Accept "+u.NewDue.Format("2 Jan 2006"), slack.StylePrimary),
			button(actionDateKeep, id, "Keep the old date", "")))
	}
	return message{Text: "An action from " + c.Ref + " was updated", Blocks: blocks}
}

// renderActionDate tells an action's owner its date was moved by the case
// manager or chair, or whoever proposed a date what the case manager
// decided; with the action's buttons while it is open and theirs.
func renderActionDate(m store.Outbox, c *caseconf.Conference, d *store.RenderData) (message, string) {
	u, a, skip := updateOf(m, c, d)
	switch {
	case skip != "":
		return message{}, skip
	case a.Done():
		return message{}, "the action is done"
	case a.Closed():
		return message{}, "the action is closed"
	}
	var text string
	switch u.State {
	case caseconf.UpdateMade:
		if a.OwnerID != m.RecipientID {
			return message{}, "the action has changed hands"
		}
		text = fmt.Sprintf(":calendar: %s moved your action from *%s* to *%s* (it was due on %s)", user(u.By), c.Ref, u.NewDue.Format(dueLayout), u.OldDue.Format(dueLayout))
	case caseconf.UpdateAccepted:
		text = fmt.Sprintf(":white_check_mark: %s agreed the new date proposed for an action from *%s*: it is now due on *%s*", user(u.DecidedBy), c.Ref, u.NewDue.Format(dueLayout))
	case caseconf.UpdateKept:
		text = fmt.Sprintf(":pushpin: %s kept the date of an action from *%s*: it stays due on *%s*, not %s as proposed. Please talk to them if it cannot be met",
			user(u.DecidedBy), c.Ref, a.DueOn.Format(dueLayout), u.NewDue.Format(dueLayout))
	default:
		return message{}, "the new date was overtaken"
	}
	v := caseconf.Viewer{UserID: m.RecipientID}
	if caseconf.CanSeeDetails(c, v) {
		text += fmt.Sprintf(":\n*%s:* %s", escape(a.Area), escape(truncate(a.What, 1000)))
		if u.State == caseconf.UpdateMade {
			text += "\n*Why:* " + escape(u.Note)
		}
	} else {
		text += "."
	}
	blocks := sections(text)
	if caseconf.CanUpdateAction(c, a, v) == nil {
		blocks = append(blocks, slack.NewActionBlock("action", actionButtons(a.ID)...))
	}
	return message{Text: "The date of an action from " + c.Ref, Blocks: blocks}, ""
}
