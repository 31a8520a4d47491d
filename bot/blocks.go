package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// Small Block Kit builders. Rendering functions elsewhere in the package
// compose them; tests assert on what they produce.

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func section(s string) *slack.SectionBlock { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }
func header(s string) *slack.HeaderBlock   { return slack.NewHeaderBlock(plain(s)) }
func note(s string) *slack.ContextBlock    { return slack.NewContextBlock("", mrkdwn(s)) }

func button(actionID, value, text string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, plain(text))
	b.Style = style
	return b
}

func options(opts []caseconf.Option) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, len(opts))
	for i, o := range opts {
		out[i] = slack.NewOptionBlockObject(o.Value, plain(o.Label), nil)
	}
	return out
}

// input is an input block whose one element has the block's ID as its
// action ID, so a submission's state reads as values[id][id].
func input(id, label, hint string, el slack.BlockElement, optional bool) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	b := slack.NewInputBlock(id, plain(label), h, el)
	b.Optional = optional
	return b
}

// textInput is a text field of at most max characters, filled in with
// initial. Callers fill it within max (Slack refuses to open a form with a
// field filled in past its max_length, and it could not be submitted);
// as a last guard, anything longer is cut to fit.
func textInput(id string, max int, multiline bool, initial string) *slack.PlainTextInputBlockElement {
	e := slack.NewPlainTextInputBlockElement(nil, id)
	e.MaxLength = max
	e.Multiline = multiline
	fill(e, initial)
	return e
}

// fill fills a text field in with s, cut to its max_length if need be
// (see textInput).
func fill(e *slack.PlainTextInputBlockElement, s string) {
	if r := []rune(s); e.MaxLength > 0 && len(r) > e.MaxLength {
		s = string(r[:e.MaxLength])
	}
	e.InitialValue = s
}

// when renders a time as Slack's date token, so each reader sees their
// own time zone; the fallback is in the service's zone.
func when(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Monday 2 January 2006 at 15:04 MST"))
}

// escape makes user text safe inside mrkdwn: Slack treats &, < and > as
// markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func user(id string) string { return "<@" + id + ">" }

// standardAgenda is the agenda every conference follows (from the
// practitioners' case-meeting policy).
var standardAgenda = []string{
	"Agree the lead agency / case manager, if needed",
	"Outline of the case and the purpose of the meeting (chair)",
	"Service reports and recommendations; the chair reads out reports from agencies not present",
	"The client's own views",
	"Agreement on the plan and next steps",
}

func agendaText() string {
	var sb strings.Builder
	sb.WriteString("*Agenda*\n")
	for i, item := range standardAgenda {
		fmt.Fprintf(&sb, "%d. %s\n", i+1, item)
	}
	return strings.TrimRight(sb.String(), "\n")
}

// labels turns stored option values into their labels.
func labels(opts []caseconf.Option, values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = caseconf.Label(opts, v)
	}
	return strings.Join(out, ", ")
}

// maxSectionText is Slack's limit on a section's text.
const maxSectionText = 3000

// splitText cuts text into pieces of at most max characters, at a line
// break or space where it can, and never inside an escape (&amp;) or a
// Slack token (<@U123>, <!date^…>), which would show as garbage or break
// the markup on both sides of the cut.
func splitText(text string, max int) []string {
	var parts []string
	r := []rune(text)
	for len(r) > max {
		cut := max
		for i := max; i > max/2; i-- {
			if r[i] == '\n' || r[i] == ' ' {
				cut = i
				break
			}
		}
		cut = safeCut(r, cut)
		parts = append(parts, string(r[:cut]))
		r = r[cut:]
	}
	return append(parts, string(r))
}

// safeCut moves a cut at r[cut] back to before an escape or token it
// would fall inside. Escapes are at most 5 characters; a token that is
// still open 200 characters back is not one of ours, and is cut anyway.
func safeCut(r []rune, cut int) int {
	for i := cut - 1; i >= 0 && i >= cut-200; i-- {
		switch r[i] {
		case '>', ';':
			if r[i] == ';' && cut-i > 5 {
				continue // a semicolon of the text, not an escape
			}
			return cut // the token or escape before the cut is closed
		case '<':
			if i > 0 {
				return i
			}
			return cut
		case '&':
			if cut-i < 5 && i > 0 {
				return i
			}
		}
	}
	return cut
}

// sections is text as one or more sections, each within Slack's limit.
func sections(text string) []slack.Block {
	var out []slack.Block
	for _, part := range splitText(text, maxSectionText) {
		out = append(out, section(part))
	}
	return out
}

// lineSections joins lines under a heading into as few sections as fit.
func lineSections(heading string, lines []string) []slack.Block {
	var out []slack.Block
	cur := heading
	for _, l := range lines {
		if len([]rune(cur))+1+len([]rune(l)) > maxSectionText && cur != "" {
			out = append(out, sections(cur)...)
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += l
	}
	if cur != "" {
		out = append(out, sections(cur)...)
	}
	return out
}

// message is a rendered message: the notification text and its blocks.
type message struct {
	Text   string
	Blocks []slack.Block
}

// fingerprint identifies what the message says, to tell whether two
// renderings differ.
func (m message) fingerprint() string {
	raw, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(raw)
}

// options turns a message into chat.postMessage / chat.update options,
// within what one Slack message holds.
func (m message) options() []slack.MsgOption {
	m = m.fitted()
	return []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
}

// maxMessageText is the block text one message holds at most: Slack
// refuses a message with about 12,000 characters of text in its blocks
// (msg_blocks_too_long), even when each block is within its own limit;
// this leaves a margin.
const maxMessageText = 11000

// blockChars is the text a block holds, counted as Slack counts it
// against a message's limit: the characters of its text objects.
func blockChars(b slack.Block) int {
	n := func(t *slack.TextBlockObject) int {
		if t == nil {
			return 0
		}
		return len([]rune(t.Text))
	}
	switch b := b.(type) {
	case *slack.SectionBlock:
		sum := n(b.Text)
		for _, f := range b.Fields {
			sum += n(f)
		}
		return sum
	case *slack.HeaderBlock:
		return n(b.Text)
	case *slack.ContextBlock:
		sum := 0
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				sum += n(t)
			}
		}
		return sum
	case *slack.ActionBlock:
		sum := 0
		for _, e := range b.Elements.ElementSet {
			if bt, ok := e.(*slack.ButtonBlockElement); ok {
				sum += n(bt.Text)
			}
		}
		return sum
	}
	return 0 // a divider
}

// messageChars is the block text of blocks, as Slack counts it.
func messageChars(blocks []slack.Block) int {
	n := 0
	for _, b := range blocks {
		n += blockChars(b)
	}
	return n
}

// fit keeps as many of blocks, in order, as fit one Slack message
// together with end (which is always kept, after them); if any are left
// out it says so in a note where they were, with where the whole of it is
// (cut). Action blocks (buttons, next to no text) are always kept, so a
// long message never loses what the reader acts with.
func fit(blocks, end []slack.Block, cut string) []slack.Block {
	if len(blocks)+len(end) <= maxMessageBlocks && messageChars(blocks)+messageChars(end) <= maxMessageText {
		return append(blocks, end...)
	}
	last := note(cut)
	kept := len(end) + 1 // blocks that stay whatever happens: end, the note, the actions
	roomText := maxMessageText - messageChars(end) - blockChars(last)
	for _, b := range blocks {
		if _, ok := b.(*slack.ActionBlock); ok {
			kept++
			roomText -= blockChars(b)
		}
	}
	roomBlocks := maxMessageBlocks - kept
	var out []slack.Block
	full := false
	for _, b := range blocks {
		if _, ok := b.(*slack.ActionBlock); ok {
			out = append(out, b)
			continue
		}
		n := blockChars(b)
		if !full && (roomBlocks == 0 || n > roomText) {
			full = true
			out = append(out, last)
		}
		if full {
			continue
		}
		out = append(out, b)
		roomBlocks--
		roomText -= n
	}
	if !full {
		out = append(out, last) // only end itself was too long
	}
	return append(out, end...)
}

// pack splits blocks, in order, over as few Slack messages as hold them
// all: nothing is left out.
func pack(blocks []slack.Block) [][]slack.Block {
	return packWithin(blocks, maxMessageBlocks, maxMessageText)
}

// packWithin is pack into parts of at most maxBlocks blocks and maxText
// characters of block text (less than a message, to leave room for what
// each part adds).
func packWithin(blocks []slack.Block, maxBlocks, maxText int) [][]slack.Block {
	var out [][]slack.Block
	var cur []slack.Block
	chars := 0
	for _, b := range blocks {
		n := blockChars(b)
		if len(cur) > 0 && (len(cur) == maxBlocks || chars+n > maxText) {
			out = append(out, cur)
			cur, chars = nil, 0
		}
		cur = append(cur, b)
		chars += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// fitted is m within one Slack message: the sender's last guard, so that
// a message Slack would refuse outright goes out cut short, saying so,
// with its buttons, rather than not at all.
func (m message) fitted() message {
	m.Blocks = fit(m.Blocks, nil, "This message was cut short to fit Slack; ask the case manager for the rest.")
	return m
}

// clip is s escaped for mrkdwn, in at most max characters: if the escaped
// text is longer, it is cut (at a space where one is near, never inside
// an escape) and ends with "…" and then more (e.g. where the rest is), all
// within max. Messages that must stay short by design (the invitations,
// the case manager's summary) show free text through it.
func clip(s string, max int, more string) string {
	if e := escape(s); len([]rune(e)) <= max {
		return e
	}
	tail := "…" + more
	room := max - len([]rune(tail))
	var out []rune
	n := 0
	for _, r := range s {
		k := len([]rune(escape(string(r))))
		if n+k > room {
			break
		}
		out = append(out, r)
		n += k
	}
	// Back to a word's end, if one is near.
	for i := len(out) - 1; i > 0 && i >= len(out)-40; i-- {
		if out[i] == ' ' || out[i] == '\n' {
			out = out[:i]
			break
		}
	}
	return escape(strings.TrimRight(string(out), " \n")) + tail
}

// showRest is what clip adds to free text cut short in a message about
// conference ref: where the whole of it is.
func showRest(ref string) string { return " (`/caseconf show " + ref + "` has the rest)" }
