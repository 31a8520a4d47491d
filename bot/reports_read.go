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
// Invitee the author of the first report of the page to show.
const actionReports = "reports"

// reportsPageBlocks is how many blocks of reports a message holds: Slack's
// 50, less the heading, the page buttons and the closing note. One report
// takes at most about 32 (six answers of 3,000 characters, each escaped
// to at most five times that, and its heading), so a page always holds
// one whole.
const reportsPageBlocks = maxMessageBlocks - 3

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
	msg := reportsMessage(c, reports, 0, b.cal)
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
	msg := reportsMessage(c, reports, subj.Invitee, b.cal)
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
	if len(owed) == 0 {
		return ""
	}
	return "\n:hourglass: *Still owed* (can't attend): " + strings.Join(owed, ", ")
}

// reportPages splits the reports' blocks over pages of at most budget
// blocks, never splitting a report: page i is reports [p[i][0], p[i][1]).
func reportPages(blocks [][]slack.Block, budget int) [][2]int {
	var pages [][2]int
	lo, used := 0, 0
	for i, bl := range blocks {
		if i > lo && used+len(bl) > budget {
			pages = append(pages, [2]int{lo, i})
			lo, used = i, 0
		}
		used += len(bl)
	}
	return append(pages, [2]int{lo, len(blocks)})
}

// reportsMessage is the page of a conference's reports that starts with
// the report of invitee start (the first page if it is not there).
func reportsMessage(c *caseconf.Conference, reports []caseconf.Report, start int64, cal caseconf.Calendar) message {
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
		if len(blocks[i]) > reportsPageBlocks {
			// Never expected (see reportsPageBlocks); Slack refuses a
			// message past its limit outright.
			blocks[i] = append(blocks[i][:reportsPageBlocks-1], note("This report was cut short to fit a Slack message; `/caseconf export` has it in full."))
		}
	}
	pages := reportPages(blocks, reportsPageBlocks)
	page := 0
	for i, p := range pages {
		if reports[p[0]].InviteeID == start {
			page = i
		}
	}
	head += fmt.Sprintf("\n%d received", len(reports))
	if len(pages) > 1 {
		head += fmt.Sprintf(" · page %d of %d", page+1, len(pages))
	}
	out := []slack.Block{section(head + owedLine(c))}
	for i := pages[page][0]; i < pages[page][1]; i++ {
		out = append(out, blocks[i]...)
	}
	if len(pages) > 1 {
		var buttons []slack.BlockElement
		if page > 0 {
			buttons = append(buttons, button(actionReports+":prev",
				subject{Conference: c.ID, Invitee: reports[pages[page-1][0]].InviteeID}.String(), "Previous reports", ""))
		}
		if page < len(pages)-1 {
			buttons = append(buttons, button(actionReports+":next",
				subject{Conference: c.ID, Invitee: reports[pages[page+1][0]].InviteeID}.String(), "Next reports", slack.StylePrimary))
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
	if len(full) <= room {
		return append(append(out, section(head)), full...)
	}
	lines := make([]string, len(reports))
	for i, rep := range reports {
		lines[i] = "• " + reportHeading(c, rep)
	}
	out = append(out, lineSections(head, lines)...)
	return append(out, slack.NewActionBlock("reports", button(actionReports, subject{Conference: c.ID}.String(), "Read reports", slack.StylePrimary)))
}
