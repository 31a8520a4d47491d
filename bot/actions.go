package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// actionDone is the Mark done button on an action's reminders: value
// subject{Action}.
const actionDone = "done"

func (b *Bot) registerActions() {
	b.HandleAction(actionDone, b.clickDone)
}

// doneButton marks action a done.
func doneButton(a *caseconf.Action) *slack.ButtonBlockElement {
	return button(actionDone, subject{Action: a.ID}.String(), "Mark done", slack.StylePrimary)
}

// clickDone marks an action done for its owner, the case manager or the
// chair (caseconf.CanChangeAction), and turns the message clicked into
// one saying so. Anyone else is told it is not theirs, and nothing
// changes. Pressing it again changes nothing more.
func (b *Bot) clickDone(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Action == 0 {
		b.replyError(ctx, r, caseconf.ActionNotFound())
		return
	}
	v := b.viewer(r.UserID)
	done, err := b.store.MarkActionDone(ctx, subj.Action, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if done.Changed {
		b.log.Info("action marked done", "conference", done.Conference.ID, "action", done.Action.ID, "user", r.UserID)
		b.sender.Wake() // the case manager's notice
		b.RefreshHome(done.Action.OwnerID, done.Conference.CaseManagerID)
	}
	b.replaceClicked(ctx, r, actionDoneMessage(done.Conference, done.Action, v, b.cal))
}

// actionDoneMessage says an action is done, to someone who may change it;
// what the action says only if they may see case details.
func actionDoneMessage(c *caseconf.Conference, a *caseconf.Action, v caseconf.Viewer, cal caseconf.Calendar) message {
	text := fmt.Sprintf(":white_check_mark: *Done.* An action from *%s* was marked done by %s%s.", c.Ref, user(a.DoneBy), doneWhen(a))
	if caseconf.CanSeeDetails(c, v) {
		text += fmt.Sprintf("\n*%s:* %s", escape(a.Area), escape(a.What))
	}
	return message{Text: "An action from " + c.Ref + " is done", Blocks: sections(text)}
}

func doneWhen(a *caseconf.Action) string {
	if a.DoneAt == nil {
		return ""
	}
	return fmt.Sprintf(" <!date^%d^{date_short} at {time}|%s>", a.DoneAt.Unix(), a.DoneAt.UTC().Format("2 Jan 2006 15:04 UTC"))
}

// replaceClicked replaces the message whose button was clicked with msg,
// through the click's response_url.
func (b *Bot) replaceClicked(ctx context.Context, r *Request, msg message) {
	url := r.responseURL()
	if url == "" {
		b.log.Warn("no response_url to update the clicked message through", "kind", r.Kind)
		return
	}
	wm := &slack.WebhookMessage{Text: msg.Text, ReplaceOriginal: true, Blocks: &slack.Blocks{BlockSet: msg.Blocks}}
	if err := slack.PostWebhookCustomHTTPContext(ctx, url, b.http, wm); err != nil {
		b.log.Warn("could not update the clicked message", "kind", r.Kind, "err", redactURLError(err))
	}
}

// renderActionDone is the case manager's notice that an action was marked
// done, from the action as it is now.
func renderActionDone(m store.Outbox, c *caseconf.Conference, a *caseconf.Action) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case !a.Done():
		return message{}, "the action is open again"
	case m.RecipientID != c.CaseManagerID:
		return message{}, "the case manager has changed"
	}
	text := fmt.Sprintf(":white_check_mark: %s marked an action from *%s* done%s.", user(a.DoneBy), c.Ref, doneWhen(a))
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
		text += fmt.Sprintf("\n*%s:* %s\n*Was due:* %s", escape(a.Area), escape(a.What), a.DueOn.Format("Monday 2 January 2006"))
		if a.OwnerID == "" && a.OwnerName != "" {
			text += "\n*Owner:* " + escape(a.OwnerName)
		}
	}
	return message{Text: "An action from " + c.Ref + " was marked done", Blocks: sections(text)}, ""
}
