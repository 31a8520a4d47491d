package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// Reading the agency reports, for the people caseconf.CanReadReports
// allows: in show (in full when they fit one message, otherwise listed
// with a Read reports button), and with /caseconf reports REF, which
// pages through them a message at a time, those of agencies not coming
// first, since the chair reads them out.

// actionReports is the Read reports button (in show: opens the reports
// in a message of their own) and, as reports:prev and reports:next, the
// buttons that turn that message's pages. Value: subject{Conference}, with
// Invitee the author of the report the page to show starts in, and Page
// how many of that report's blocks earlier pages hold (none when the page
// starts with the report).
const actionReports = "reports"

// reportsPageBlocks is how many blocks of reports a message holds: Slack's
// 50, less the heading, the page buttons, the closing note and the note
// on a page that goes on with a report begun on the page before.
const reportsPageBlocks = maxMessageBlocks - 4

// reportsPageSlack is the text a page of reports keeps for its page
// buttons and its notes, besides its heading.
const reportsPageSlack = 300

// reportsOwedNames is how many invitees still owing a report the heading
// of the reports names; the rest are counted.
const reportsOwedNames = 20

func (b *Bot) registerReportsRead() {
	b.HandleCommand("reports", "REF", "Read the agency reports for a conference (the chair, case manager, minute taker and those attending)", b.cmdReports)
	b.HandleAction(actionReports, b.clickReports)
}

// refArg reads the one REF argument of a subcommand. On a missing
// argument, or anything that is not a reference (which reads as one that
// does not exist, without asking the store), it has answered already.
func (b *Bot) refArg(ctx context.Context, r *Request, args []string, name string) (string, bool) {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf "+name+" CC-0001`")
		return "", false
	}
	if !caseconf.IsRef(args[0]) {
		b.replyError(ctx, r, caseconf.NotFound())
		return "", false
	}
	return strings.ToUpper(args[0]), true
}

// cmdReports shows the first page of a conference's reports to someone
// who may read them. Someone who may see the conference but not its
// reports is told why; to anyone else it does not exist.
func (b *Bot) cmdReports(ctx context.Context, r *Request, args []string) {
	ref, ok := b.refArg(ctx, r, args, "reports")
	if !ok {
		return
	}
	v := b.viewer(r.UserID)
	c, reports, err := b.store.ConferenceReportsByRef(ctx, ref, v, "report.list")
	if err == nil {
		err = caseconf.CanReadReports(c, v, b.now())
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	msg := reportsMessage(c, reports, 0, 0, b.cal)
	r.Reply(ctx, msg.Text, msg.Blocks...)
}

// clickReports answers Read reports with the first page in a message of
// its own, and a page button by replacing the page shown.
func (b *Bot) clickReports(ctx context.Context, r *Request) {
	r.Ack(nil)
	act := r.Interaction.ActionCallback.BlockActions[0]
	subj, err := parseSubject(act.Value)
	if err != nil || subj.Conference == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	v := b.viewer(r.UserID)
	c, reports, err := b.store.ConferenceReportsByID(ctx, subj.Conference, v, "report.list")
	if err == nil {
		err = caseconf.CanReadReports(c, v, b.now())
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	msg := reportsMessage(c, reports, subj.Invitee, int(subj.Page), b.cal)
	if act.ActionID == actionReports {
		r.Reply(ctx, msg.Text, msg.Blocks...)
		return
	}
	b.replaceClicked(ctx, r, msg)
}

// orderReports puts the reports of agencies not coming to the meeting
// first (the chair reads them out), then the rest, each in the order
// given (oldest first).
func orderReports(c *caseconf.Conference, reports []caseconf.Report) []caseconf.Report {
	out := make([]caseconf.Report, 0, len(reports))
	for _, absent := range []bool{true, false} {
		for _, rep := range reports {
			if notComing(c, rep) == absent {
				out = append(out, rep)
			}
		}
	}
	return out
}

func notComing(c *caseconf.Conference, rep caseconf.Report) bool {
	inv := c.Invitee(rep.InviteeID)
	return inv == nil || !inv.Attends()
}

// reportHeading is who wrote a report, for whom, and when.
func reportHeading(c *caseconf.Conference, rep caseconf.Report) string {
	s := fmt.Sprintf("%s · %s · %s · sent <!date^%d^{date_short} {time}|%s>", user(rep.AuthorID), escape(rep.Agency), escape(rep.Role),
		rep.UpdatedAt.Unix(), rep.UpdatedAt.UTC().Format("2 Jan 15:04 UTC"))
	if rc := rep.Received; rc != nil {
		// From someone not on Slack, entered by the case manager.
		name := "someone not on Slack"
		if inv := c.Invitee(rep.InviteeID); inv != nil {
			name = escape(inv.Name) + " (not on Slack)"
		}
		s = fmt.Sprintf("%s · %s · %s · received %s, %s · entered by %s", name, escape(rep.Agency), escape(rep.Role),
			rc.On.Format("2 Jan 2006"), escape(rc.How), user(rc.EnteredBy))
	}
	if rep.Revision > 1 {
		s += fmt.Sprintf(" (version %d)", rep.Revision)
	}
	if notComing(c, rep) {
		s += " · :loudspeaker: not attending: for the chair to read out"
	}
	return s
}

// reportBlocks is one report in full, in as many sections as it takes.
func reportBlocks(c *caseconf.Conference, rep caseconf.Report) []slack.Block {
	parts := []string{"*" + reportHeading(c, rep) + "*"}
	for _, f := range []struct{ label, text string }{
		{"Involvement with the client", rep.Involvement}, {"Last contact", rep.LastContact},
		{"Current concerns", rep.Concerns}, {"What has worked", rep.Worked},
		{"What has not worked", rep.NotWorked}, {"Recommendations", rep.Recommendations},
	} {
		if f.text != "" {
			parts = append(parts, "*"+f.label+"*\n"+escape(f.text))
		}
	}
	return append([]slack.Block{slack.NewDividerBlock()}, sections(strings.Join(parts, "\n\n"))...)
}

// owedLine names the invitees who still owe a report (they can't attend,
// and the client's consent covers their agency), or is "".
func owedLine(c *caseconf.Conference) string {
	var owed []string
	for i := range c.Invitees {
		if inv := &c.Invitees[i]; inv.OnSlack() && c.OwesReport(inv) {
			owed = append(owed, user(inv.SlackUserID))
		}
	}
	if len(owed) > reportsOwedNames {
		owed = append(owed[:reportsOwedNames], fmt.Sprintf("and %d more", len(owed)-reportsOwedNames))
	}
	if len(owed) == 0 {
		return ""
	}
	return "\n:hourglass: *Still owed* (can't attend): " + strings.Join(owed, ", ")
}

// reportsPage is a page of reports: its blocks from report lo, block
// from (the page starts there), to report hi, block to (exclusive).
type reportsPage struct{ lo, from, hi, to int }

// reportPages lays the reports' blocks out over pages of at most budget
// blocks and text characters of block text. A report starts a page of
// its own if it does not fit what is left of the page before but fits a
// page; one longer than a page starts a page and goes on over as many as
// it takes, a block at a time. Every block is on one page.
func reportPages(blocks [][]slack.Block, budget, text int) []reportsPage {
	var pages []reportsPage
	cur := reportsPage{}
	used, chars := 0, 0
	newPage := func(i, j int) {
		cur.hi, cur.to = i, j
		pages = append(pages, cur)
		cur = reportsPage{lo: i, from: j}
		used, chars = 0, 0
	}
	for i, bl := range blocks {
		n := messageChars(bl)
		if used > 0 && (used+len(bl) > budget || chars+n > text) {
			newPage(i, 0) // the report starts a page
		}
		for j, b := range bl {
			k := blockChars(b)
			if used > 0 && (used+1 > budget || chars+k > text) {
				newPage(i, j) // the report goes on over the page
			}
			used, chars = used+1, chars+k
		}
	}
	cur.hi, cur.to = len(blocks), 0
	return append(pages, cur)
}

// reportsMessage is the page of a conference's reports that starts in the
// report of invitee start, after offset of its blocks (the first page if
// there is no such page).
func reportsMessage(c *caseconf.Conference, reports []caseconf.Report, start int64, offset int, cal caseconf.Calendar) message {
	reports = orderReports(c, reports)
	head := fmt.Sprintf("*Agency reports for %s* · client %s\n*Meeting:* %s", c.Ref, escape(c.ClientRef), when(c.StartsAt, cal.Loc))
	if len(reports) == 0 {
		return message{Text: "Agency reports for " + c.Ref, Blocks: []slack.Block{
			section(head + "\nNo agency reports have come yet." + owedLine(c)),
		}}
	}
	blocks := make([][]slack.Block, len(reports))
	for i := range reports {
		blocks[i] = reportBlocks(c, reports[i])
	}
	head += fmt.Sprintf("\n%d received", len(reports))
	// The heading says which page it is: room for it is in reportsPageSlack.
	pages := reportPages(blocks, reportsPageBlocks, maxMessageText-len([]rune(head+owedLine(c)))-reportsPageSlack)
	page := 0
	for i, p := range pages {
		if reports[p.lo].InviteeID == start && p.from == offset {
			page = i
		}
	}
	p := pages[page]
	if len(pages) > 1 {
		head += fmt.Sprintf(" · page %d of %d", page+1, len(pages))
	}
	out := []slack.Block{section(head + owedLine(c))}
	if p.from > 0 {
		out = append(out, note("…continued: the report of "+user(reports[p.lo].AuthorID)+", from the page before"))
	}
	for i := p.lo; i <= p.hi && i < len(reports); i++ {
		from, to := 0, len(blocks[i])
		if i == p.lo {
			from = p.from
		}
		if i == p.hi {
			to = p.to
		}
		out = append(out, blocks[i][from:to]...)
	}
	if len(pages) > 1 {
		value := func(q reportsPage) string {
			return subject{Conference: c.ID, Invitee: reports[q.lo].InviteeID, Page: int64(q.from)}.String()
		}
		var buttons []slack.BlockElement
		if page > 0 {
			buttons = append(buttons, button(actionReports+":prev", value(pages[page-1]), "Previous reports", ""))
		}
		if page < len(pages)-1 {
			buttons = append(buttons, button(actionReports+":next", value(pages[page+1]), "Next reports", slack.StylePrimary))
		}
		out = append(out, slack.NewActionBlock("report_pages", buttons...))
	}
	out = append(out, note(":lock: Confidential: for this conference only. Please do not copy or forward."))
	return message{Text: "Agency reports for " + c.Ref, Blocks: out}
}

// meetingBlocks is what show adds about the meeting itself, for a reader
// who may see the conference: on the day, the agenda; and the agency
// reports received, as far as the reader may read them (a count only for
// someone who may see the case details but not the reports; nothing for
// anyone else). The reports are in full if they fit in room blocks, and
// otherwise listed with a Read reports button.
func meetingBlocks(c *caseconf.Conference, v caseconf.Viewer, reports []caseconf.Report, now time.Time, cal caseconf.Calendar, room int) []slack.Block {
	return meetingBlocksWithin(c, v, reports, now, cal, room, maxMessageText)
}

// meetingBlocksWithin is meetingBlocks with the reports in full only if
// they fit in room blocks and roomText characters of block text.
func meetingBlocksWithin(c *caseconf.Conference, v caseconf.Viewer, reports []caseconf.Report, now time.Time, cal caseconf.Calendar, room, roomText int) []slack.Block {
	var out []slack.Block
	if caseconf.AgendaDue(c, now, cal) {
		out = append(out, section(agendaText()))
	}
	if !caseconf.CanSeeDetails(c, v) {
		return out
	}
	if caseconf.CanReadReports(c, v, now) != nil {
		if n := c.ReportsReceived(); n > 0 {
			out = append(out, section(fmt.Sprintf("*Agency reports:* %d received", n)))
		}
		return out
	}
	reports = orderReports(c, reports)
	head := "*Agency reports:* none received yet"
	if len(reports) > 0 {
		head = fmt.Sprintf("*Agency reports:* %d received", len(reports))
	}
	head += owedLine(c)
	var full []slack.Block
	for _, rep := range reports {
		full = append(full, reportBlocks(c, rep)...)
	}
	room -= len(out) + 1 // the heading
	roomText -= messageChars(out) + len([]rune(head))
	if len(full) <= room && messageChars(full) <= roomText {
		return append(append(out, section(head)), full...)
	}
	lines := make([]string, len(reports))
	for i, rep := range reports {
		lines[i] = "• " + reportHeading(c, rep)
	}
	out = append(out, lineSections(head, lines)...)
	return append(out, slack.NewActionBlock("reports", button(actionReports, subject{Conference: c.ID}.String(), "Read reports", slack.StylePrimary)))
}
