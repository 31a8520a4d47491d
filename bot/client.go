package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// cmdClient shows a client's chronology (/caseconf client CLIENTREF):
// the whole of it to their case manager and administrators; to anyone
// else only the conferences they may see with the case details
// (caseconf.InChronology); to someone who may see none, exactly the
// answer to a reference that does not exist. The read is audited.
func (b *Bot) cmdClient(ctx context.Context, r *Request, args []string) {
	ref := strings.TrimSpace(strings.Join(args, " "))
	if ref == "" {
		r.Reply(ctx, "Usage: `/caseconf client CLIENTREF`")
		return
	}
	b.withClient(ctx, r, "client", ref)
}

// showChronology answers with the chronology of client m (one client:
// withClient), as the caller may see it.
func (b *Bot) showChronology(ctx context.Context, r *Request, m caseconf.ClientMatch) {
	ch, err := b.store.ClientChronology(ctx, m.ID, b.viewer(r.UserID))
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	msg := chronologyMessage(ch, m.ID, b.cal.Date(b.now()), b.cal, 0)
	r.Reply(ctx, msg.Text, msg.Blocks...)
}

// actionChronologyPage turns the pages of a chronology too long for one
// message: chronpage:prev and chronpage:next, value subject{Client, Page}.
const actionChronologyPage = "chronpage"

// clickChronologyPage answers a page button of a chronology by replacing
// the page shown with the one asked for, read (as the presser may see it)
// and audited as the chronology is.
func (b *Bot) clickChronologyPage(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil || subj.Client == 0 {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	ch, err := b.store.ClientChronology(ctx, subj.Client, b.viewer(r.UserID))
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.replaceClicked(ctx, r, chronologyMessage(ch, subj.Client, b.cal.Date(b.now()), b.cal, int(subj.Page)))
}

// chronologyEntry is one dated line of a chronology.
type chronologyEntry struct {
	at   time.Time
	text string
}

// chronologyMessage is a client's chronology, oldest first: each
// conference (reference, date, status), its outcome (recorded or not,
// the review date) and its actions open and closed; for the whole
// chronology, consent given, renewed and withdrawn, and handovers. It
// fits one message when it can: when the actions of every conference do
// not, each conference gives only its counts; what still does not fit is
// paged (page, from 0), oldest first, with buttons to turn the pages.
func chronologyMessage(ch *caseconf.Chronology, clientID int64, today time.Time, cal caseconf.Calendar, page int) message {
	head := section(fmt.Sprintf("*Chronology of client %s* · %d conferences, oldest first", escape(ch.ClientRef), len(ch.Conferences)))
	if !ch.Whole {
		head = section(fmt.Sprintf("*Chronology of client %s* · the %d conferences you may see, oldest first", escape(ch.ClientRef), len(ch.Conferences)))
	}
	tail := note("`/caseconf show REF` has each conference in full.")
	for _, full := range []bool{true, false} {
		body := chronologyBlocks(ch, today, cal, full)
		blocks := append(append([]slack.Block{head}, body...), tail)
		if len(blocks) <= maxMessageBlocks && messageChars(blocks) <= maxMessageText {
			return message{Text: "Chronology of client " + ch.ClientRef, Blocks: blocks}
		}
	}
	body := chronologyBlocks(ch, today, cal, false)
	pages := packWithin(body, maxMessageBlocks-4, maxMessageText-messageChars([]slack.Block{head, tail})-pageNavText)
	page = min(max(page, 0), len(pages)-1)
	var buttons []slack.BlockElement
	if page > 0 {
		buttons = append(buttons, button(actionChronologyPage+":prev", subject{Client: clientID, Page: int64(page - 1)}.String(), "Previous page", ""))
	}
	if page < len(pages)-1 {
		buttons = append(buttons, button(actionChronologyPage+":next", subject{Client: clientID, Page: int64(page + 1)}.String(), "Next page", ""))
	}
	blocks := append([]slack.Block{head}, pages[page]...)
	blocks = append(blocks, note(fmt.Sprintf("Page %d of %d", page+1, len(pages))), tail, slack.NewActionBlock("chronology_pages", buttons...))
	return message{Text: fmt.Sprintf("Chronology of client %s, page %d of %d", ch.ClientRef, page+1, len(pages)), Blocks: blocks}
}

// chronologyBlocks is a chronology's entries in date order, one section
// each (split only where one is longer than a section holds); with
// actions, each conference lists its actions with their state.
func chronologyBlocks(ch *caseconf.Chronology, today time.Time, cal caseconf.Calendar, actions bool) []slack.Block {
	var entries []chronologyEntry
	for _, item := range ch.Conferences {
		entries = append(entries, chronologyEntry{item.Conference.StartsAt, conferenceEntry(item, today, cal, actions)})
	}
	for _, e := range ch.Consents {
		text := fmt.Sprintf(":memo: %s · consent *%s* by %s", e.At.In(cal.Loc).Format("2 Jan 2006"), e.Change, user(e.By))
		switch {
		case e.Consent.Method == caseconf.ConsentNone:
			text += fmt.Sprintf(": none (%s)", escape(caseconf.NoConsentBasisLabel(e.Consent.NoConsentReason)))
		default:
			text += fmt.Sprintf(": %s, given %s, valid until %s; covers %s", e.Consent.MethodLabel(), e.Consent.GivenOn.Format("2 Jan 2006"),
				e.Consent.ValidUntil.Format("2 Jan 2006"), labels(caseconf.AgencyKinds, e.Consent.AgencyKinds))
		}
		entries = append(entries, chronologyEntry{e.At, text})
	}
	for _, h := range ch.Handovers {
		text := fmt.Sprintf(":arrows_counterclockwise: %s · handed over", h.At.In(cal.Loc).Format("2 Jan 2006"))
		if h.From != "" {
			text += fmt.Sprintf(" from %s to %s", user(h.From), user(h.To))
		}
		if h.ConferenceRef != "" {
			text += " (" + h.ConferenceRef + ")"
		}
		entries = append(entries, chronologyEntry{h.At, text})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.Before(entries[j].at) })
	var out []slack.Block
	for _, e := range entries {
		out = append(out, sections(e.text)...)
	}
	return out
}

// conferenceEntry is one conference of a chronology: reference, date and
// status; its outcome, with the review date; its actions open and closed
// (with actions, each with its state, owner and what it is).
func conferenceEntry(item caseconf.ChronologyConference, today time.Time, cal caseconf.Calendar, actions bool) string {
	c, o := item.Conference, item.Conference.Status
	text := fmt.Sprintf(":spiral_calendar_pad: *%s* · %s · %s", c.Ref, c.StartsAt.In(cal.Loc).Format("2 Jan 2006"), chronologyStatus(o))
	switch {
	case item.Outcome != nil:
		out := item.Outcome
		text += "\n*Outcome* recorded " + out.RecordedAt.In(cal.Loc).Format("2 Jan 2006")
		if !out.ReviewOn.IsZero() {
			text += " · review by " + out.ReviewOn.Format(dueLayout)
		}
		open := 0
		for i := range out.Actions {
			if out.Actions[i].Open() {
				open++
			}
		}
		text += fmt.Sprintf("\n*Actions:* %d open, %d closed", open, len(out.Actions)-open)
		if actions {
			for i := range out.Actions {
				a := &out.Actions[i]
				text += fmt.Sprintf("\n• %s · %s · *%s:* %s", actionState(a, today, false), ownerText(a), escape(a.Area), escape(truncate(a.What, 200)))
			}
		}
	case c.Status == caseconf.StatusRecorded:
		text += "\n*Outcome* recorded"
	case c.Status != caseconf.StatusCancelled:
		text += "\n*Outcome* not recorded"
	}
	return text
}

func chronologyStatus(s caseconf.Status) string {
	switch s {
	case caseconf.StatusScheduled:
		return "scheduled"
	case caseconf.StatusCancelled:
		return "cancelled"
	case caseconf.StatusHeld:
		return "held"
	}
	return "outcome recorded"
}
