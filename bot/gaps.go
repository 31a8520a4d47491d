package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
)

// /caseconf gaps [FROM] [TO]: per agency over a period, invitations not
// answered, "can't attend" without a report, actions overdue and overdue
// more than 28 days (caseconf.AggregateGaps), sent to the caller's DM as a
// table and as a CSV file. Administrators see every conference; a case
// manager the conferences of their own clients; anyone else is refused.

func (b *Bot) registerGaps() {
	b.HandleCommand("gaps", "[FROM] [TO]", "Agencies' unanswered invitations, missing reports and overdue actions over a period (default the last 3 months), to your DM as a table and a CSV file (administrators and case managers)", b.cmdGaps)
}

// gapsTableRows is how many agencies the DM's table shows; the CSV has all.
const gapsTableRows = 60

func (b *Bot) cmdGaps(ctx context.Context, r *Request, args []string) {
	today := b.now().In(b.cal.Loc)
	from, to, err := gapsPeriod(args, today)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	v := b.viewer(r.UserID)
	cm := false
	if !v.Admin {
		if cm, err = b.store.IsCaseManager(ctx, r.UserID); err != nil {
			b.replyError(ctx, r, err)
			return
		}
	}
	if err := caseconf.CanRunGaps(v, cm); err != nil {
		r.Reply(ctx, ":no_entry: "+caseconf.ErrorMessage(err))
		return
	}
	r.Ack(ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: ":hourglass_flowing_sand: Adding up the gaps…"})
	loc := b.cal.Loc
	startFrom := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	startTo := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	invs, acts, err := b.store.GapFacts(ctx, v, startFrom, startTo, from, to)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	rows := caseconf.AggregateGaps(invs, acts, today)
	period := fmt.Sprintf("%s to %s", from.Format("2 Jan 2006"), to.Format("2 Jan 2006"))
	scope := "your clients' conferences"
	if v.Admin {
		scope = "all conferences"
	}
	b.dm(ctx, r.UserID, "Gaps and blocks, "+period, gapsBlocks(rows, period, scope)...)
	csvName := export.GapsFilename(from, to)
	if _, err := b.uploadToDM(ctx, r.UserID, csvName, "Gaps and blocks, "+period, export.GapsCSV(rows, from, to),
		"The same figures as a CSV file."); err != nil {
		b.log.Warn("gaps CSV could not be uploaded", "user", r.UserID, "err", sendError(err))
		r.Reply(ctx, "The table is in your direct messages, but Slack would not take the CSV file just now. Please try again.")
		return
	}
	agencies := fmt.Sprintf("%d agencies", len(rows))
	if len(rows) == 1 {
		agencies = "1 agency"
	}
	r.Reply(ctx, fmt.Sprintf(":white_check_mark: Gaps for %s (%s) are in your direct messages with caseconf, with `%s`.", period, agencies, csvName))
}

// gapsPeriod reads /caseconf gaps [FROM] [TO] (dates as YYYY-MM-DD): with
// none, the three months to today; with FROM only, FROM to today. FROM
// after TO, a date that is not one, or more than two words is an error
// safe to show. The dates are calendar dates (midnight UTC).
func gapsPeriod(args []string, today time.Time) (from, to time.Time, err error) {
	y, m, d := today.Date()
	to = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	from = to.AddDate(0, -3, 0)
	if len(args) > 2 {
		return from, to, caseconf.Errorf(caseconf.EINVALID, "Usage: `/caseconf gaps [FROM] [TO]`, dates as YYYY-MM-DD (default: the last 3 months).")
	}
	parse := func(s string) (time.Time, error) {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return d, caseconf.Errorf(caseconf.EINVALID, "%q is not a date: write it as YYYY-MM-DD, e.g. `/caseconf gaps 2026-09-01 2026-11-30`.", s)
		}
		return d, nil
	}
	if len(args) >= 1 {
		if from, err = parse(args[0]); err != nil {
			return from, to, err
		}
	}
	if len(args) == 2 {
		if to, err = parse(args[1]); err != nil {
			return from, to, err
		}
	}
	if from.After(to) {
		return from, to, caseconf.Errorf(caseconf.EINVALID, "The period starts (%s) after it ends (%s).", from.Format("2006-01-02"), to.Format("2006-01-02"))
	}
	return from, to, nil
}

// gapsBlocks is the DM's table: a header, then the agencies in
// preformatted chunks well inside Slack's 3,000 characters a block.
func gapsBlocks(rows []caseconf.GapRow, period, scope string) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Gaps and blocks", false, false)),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf("%s, %s. *Unans.*: invitations not answered; *No rep.*: can't attend, no report; *Overdue*: open actions past due; *>28d*: overdue more than %d days; *Not inv.*: answered not involved with the client (no report owed: not a gap).", period, scope, caseconf.GapLongOverdueDays), false, false)),
	}
	if len(rows) == 0 {
		return append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "No gaps in this period.", false, false), nil, nil))
	}
	shown := rows
	if len(shown) > gapsTableRows {
		shown = shown[:gapsTableRows]
	}
	head := fmt.Sprintf("%-28s %6s %7s %7s %5s %8s\n", "Agency", "Unans.", "No rep.", "Overdue", ">28d", "Not inv.")
	var chunk strings.Builder
	flush := func() {
		if chunk.Len() > 0 {
			blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "```"+head+chunk.String()+"```", false, false), nil, nil))
			chunk.Reset()
		}
	}
	for _, g := range shown {
		name := strings.NewReplacer("`", "'", "\n", " ").Replace(g.Agency)
		if n := []rune(name); len(n) > 28 {
			name = string(n[:27]) + "…"
		}
		line := fmt.Sprintf("%-28s %6d %7d %7d %5d %8d\n", name, g.NotAnswered, g.ApologiesWithoutReport, g.ActionsOverdue, g.ActionsOverdueOver28, g.NotInvolved)
		if chunk.Len()+len(line)+len(head) > 2500 {
			flush()
		}
		chunk.WriteString(line)
	}
	flush()
	if len(rows) > len(shown) {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf("…and %d more agencies: all are in the CSV file.", len(rows)-len(shown)), false, false)))
	}
	return blocks
}
