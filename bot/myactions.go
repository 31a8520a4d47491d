package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// /caseconf actions: the caller's open actions across the conferences
// they may see (caseconf.OnActionList), soonest due first, each with the
// buttons its reminders carry.

// myActionsLimit is how many actions the list asks the store for; the
// message holds as many as fit in Slack's 50 blocks.
const myActionsLimit = 20

// myClosedLimit is how many actions closed lately the list shows under
// the open ones.
const myClosedLimit = 5

func (b *Bot) registerMyActions() {
	b.HandleCommand("actions", "", "Your open actions, soonest due first, with Mark done", b.cmdActions)
}

func (b *Bot) cmdActions(ctx context.Context, r *Request, _ []string) {
	v := b.viewer(r.UserID)
	list, total, err := b.store.OpenActions(ctx, v, myActionsLimit)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	closed, err := b.store.ClosedActions(ctx, v, b.now(), myClosedLimit)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	if len(list) == 0 && len(closed) == 0 {
		r.Reply(ctx, "You have no open actions.")
		return
	}
	msg := myActionsMessage(list, total, v, b.cal.Date(b.now()))
	if len(list) == 0 {
		msg = message{Text: "You have no open actions.", Blocks: []slack.Block{section("You have no open actions.")}}
	}
	if len(closed) > 0 {
		lines := make([]string, len(closed))
		for i, o := range closed {
			lines[i] = closedLine(o.Conference, o.Action, v, b.cal.Date(b.now()))
		}
		if room := maxMessageBlocks - len(msg.Blocks) - 1; room > 0 && len(lines) > room {
			lines = lines[:room]
		}
		if maxMessageBlocks-len(msg.Blocks) > 1 {
			msg.Blocks = append(msg.Blocks, section(fmt.Sprintf("*Closed in the last %d days*", caseconf.RecentlyClosedDays)))
			for _, l := range lines {
				msg.Blocks = append(msg.Blocks, section(l))
			}
		}
	}
	r.Reply(ctx, msg.Text, msg.Blocks...)
}

// dueLabel is an action's due date (dueOn, a calendar date) as a list of
// actions shows it on the calendar day today: marked overdue once past,
// and due today on the day.
func dueLabel(dueOn, today time.Time) string {
	due := dueOn.Format(dueLayout)
	switch d, t := dueOn.Format(caseconf.DateLayout), today.Format(caseconf.DateLayout); {
	case d < t:
		due += " · :warning: *overdue*"
	case d == t:
		due += " · *due today*"
	}
	return due
}

// myActionsMessage lists open actions for v, as of the calendar day
// today: what each says only where v may see the case details.
func myActionsMessage(list []store.OpenAction, total int, v caseconf.Viewer, today time.Time) message {
	blocks := []slack.Block{section(fmt.Sprintf("*Your open actions* · %d, soonest due first", total))}
	shown := 0
	for _, o := range list {
		c, a := o.Conference, o.Action
		due := dueLabel(a.DueOn, today)
		text := fmt.Sprintf("*%s* · to be met or reviewed by *%s*", c.Ref, due)
		if caseconf.CanSeeDetails(c, v) {
			text += fmt.Sprintf("\n*%s:* %s", escape(a.Area), escape(a.What))
		} else {
			text += fmt.Sprintf("\nIts details are withheld: the client's consent does not cover your agency. %s can tell you more.", user(c.CaseManagerID))
		}
		if a.OwnerID == "" {
			text += "\n*Owner:* " + ownerText(a) + " — you chase this one"
		}
		item := append(sections(text), slack.NewActionBlock("action_"+strconv.FormatInt(a.ID, 10), managerButtons(c, a, v.UserID)...)) // the same buttons as on its reminders (and Reassign for the case manager)
		if len(blocks)+len(item) > maxMessageBlocks-1 {
			break
		}
		blocks = append(blocks, item...)
		shown++
	}
	if more := total - shown; more > 0 {
		blocks = append(blocks, note(fmt.Sprintf("…and %d more, due later than these.", more)))
	}
	return message{Text: fmt.Sprintf("Your open actions (%d)", total), Blocks: blocks}
}
