package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// How the minutes fit into Slack messages. Slack refuses a message of
// more than 50 blocks, a section of more than 3,000 characters, and one
// whose blocks hold more than about 12,000 characters of text in all
// (msg_blocks_too_long), counted as sent: after escaping, so an '&' typed
// counts five. The outcome form takes four texts of 3,000 characters
// (up to 15,000 each once escaped) and a plan of many actions, so the
// minutes are laid out as one list of blocks in order (the record,
// attendees, apologies, the change of lead, the four texts, the review
// date, the share list, the action plan) and packed into as many messages
// (parts) as keep each within all three limits. Each part opens with its
// number ("Minutes of CC-0042, part 2 of 3", then what it continues) and
// closes with the confidentiality note.
//
// The number of parts is decided when the outcome is recorded: the store
// writes one outbox message (and one disclosure) per part per recipient,
// counting with Bot.MinutesParts on the record as stored. Each part is
// rendered later, when it is sent, from the record as it is then, so the
// layout depends only on what cannot change once the outcome is recorded.
// The one thing that can, an action's due date (a new date agreed), is
// packed as if at its widest and always ends the action's last section,
// so a new date moves nothing from one part to another and never makes a
// part longer than it was packed. (Nothing else in the minutes changes
// after recording but a correction of the record itself, which sends the
// amended minutes again, counted anew, under the version it made: parts
// written for an earlier version are not sent once there is a later one,
// bot/amend.go.)

const (
	// maxMinutesText is the block text one part holds at most.
	maxMinutesText = maxMessageText
	// maxLeadText bounds a part's first line (header or continuation).
	maxLeadText = 200
	// widestDue is the longest date dueLayout writes ("Wednesday 30
	// September 2026").
	widestDue = 27
)

// minutesConfidential closes every part.
const minutesConfidential = ":lock: Confidential: shared under the client's consent with the people on this conference's share list. Please do not forward."

// minutesUnit is one run of blocks the minutes are packed in: a section
// of the record, or one action of the plan (which is never split).
type minutesUnit struct {
	what    string // what of the minutes it is in, for a part's first line
	blocks  []slack.Block
	chars   int  // its block text as packed: at least what blocks hold
	heading bool // goes into the part of the unit after it
}

// MinutesParts is how many messages the minutes of c, with outcome o as
// recorded, take (store.MinutesParts): store.RecordOutcome writes one
// outbox message per part for the sender to render.
func (b *Bot) MinutesParts(c *caseconf.Conference, o *caseconf.Outcome) int {
	return len(packMinutes(minutesUnits(c, o, b.cal)))
}

// minutesLayout is the minutes of c as the messages they are sent in.
func minutesLayout(c *caseconf.Conference, o *caseconf.Outcome, cal caseconf.Calendar) []message {
	units := minutesUnits(c, o, cal)
	parts := packMinutes(units)
	out := make([]message, len(parts))
	for i, p := range parts {
		title := "Minutes of " + c.Ref
		if o.Version > 1 {
			title = "Amended minutes of " + c.Ref
		}
		if len(parts) > 1 {
			title += fmt.Sprintf(", part %d of %d", i+1, len(parts))
		}
		var blocks []slack.Block
		if i == 0 {
			blocks = append(blocks, header(truncate(title, 150)))
		} else {
			blocks = append(blocks, section(truncate(fmt.Sprintf("*%s*, continued from part %d: %s", title, i, units[p[0]].what), maxLeadText)))
		}
		for _, u := range units[p[0]:p[1]] {
			blocks = append(blocks, u.blocks...)
		}
		out[i] = message{Text: title, Blocks: append(blocks, note(minutesConfidential))}
	}
	return out
}

// packMinutes packs units in order into parts, each [first, end) of
// units: as many as fit beside a first line and the note, and a heading
// with what follows it. Every unit fits in a part of its own.
func packMinutes(units []minutesUnit) [][2]int {
	room := maxMinutesText - maxLeadText - len([]rune(minutesConfidential))
	roomBlocks := maxMessageBlocks - 2
	var parts [][2]int
	first, chars, blocks := 0, 0, 0
	for i, u := range units {
		if i > first && (chars+u.chars > room || blocks+len(u.blocks) > roomBlocks) {
			end := i
			if units[i-1].heading && i-1 > first {
				end = i - 1
			}
			parts = append(parts, [2]int{first, end})
			first, chars, blocks = end, 0, 0
			for _, v := range units[end:i] {
				chars, blocks = chars+v.chars, blocks+len(v.blocks)
			}
		}
		chars, blocks = chars+u.chars, blocks+len(u.blocks)
	}
	return append(parts, [2]int{first, len(units)})
}

// minutesUnits is the minutes of c, in order, without the parts' first
// lines and notes.
func minutesUnits(c *caseconf.Conference, o *caseconf.Outcome, cal caseconf.Calendar) []minutesUnit {
	var units []minutesUnit
	add := func(what string, blocks ...slack.Block) {
		for _, b := range blocks {
			units = append(units, minutesUnit{what: what, blocks: []slack.Block{b}, chars: blockChars(b)})
		}
	}
	add("the record", sections(fmt.Sprintf("*Case conference record* · client %s\n*Held:* %s · %s\n*Recorded by:* %s",
		escape(c.ClientRef), when(c.StartsAt, cal.Loc), escape(c.Place), user(o.RecordedBy)))...)
	if o.Version > 1 {
		add("what changed and why", sections(fmt.Sprintf("*Amended:* the record was corrected by %s (version %d).\n*What changed and why:* %s",
			user(o.AmendedBy), o.Version, escape(o.AmendReason)))...)
	}
	add("who attended", lineSections("*Attended*", peopleLines(o.Attended, nil))...)
	if len(o.Apologies) > 0 {
		add("apologies", lineSections("*Apologies*", peopleLines(o.Apologies, c))...)
	}
	if o.LeadChanged {
		to := []string{}
		if o.NewCaseManagerID != "" {
			to = append(to, "case manager "+user(o.NewCaseManagerID))
		}
		if o.NewLeadAgency != "" {
			to = append(to, "lead agency "+escape(o.NewLeadAgency))
		}
		add("the change of lead", sections("*Lead agency / case manager changed* to "+strings.Join(to, "; "))...)
	}
	for _, f := range []struct{ label, text string }{
		{"Summary of issues", o.Summary}, {"What has worked well", o.Worked},
		{"What has not worked", o.NotWorked}, {"The client's views", o.ClientViews},
	} {
		if f.text != "" {
			add(f.label, sections("*"+f.label+"*\n"+escape(f.text))...)
		}
	}
	if !o.ReviewOn.IsZero() {
		add("the review meeting", section("*Review meeting:* "+o.ReviewOn.Format(dueLayout)))
	}
	var shared []string
	for _, p := range o.ShareWith {
		shared = append(shared, personName(p))
	}
	s := section(sharedWith(shared))
	units = append(units, minutesUnit{what: "who the minutes are shared with", blocks: []slack.Block{s, slack.NewDividerBlock()}, chars: blockChars(s)})
	if len(o.Actions) == 0 {
		add("the action plan", section("*Action plan:* no actions were agreed."))
		return units
	}
	h := section("*Action plan*")
	units = append(units, minutesUnit{what: "the action plan", blocks: []slack.Block{h}, chars: blockChars(h), heading: true})
	for i := range o.Actions {
		units = append(units, actionUnit(i+1, &o.Actions[i]))
	}
	return units
}

// actionUnit is the nth row of an action plan: its area and what is to be
// done, then who does it by when at the end of its last section (or in a
// section of its own if that section has no room for the widest date),
// packed as if the date were the widest.
func actionUnit(n int, a *caseconf.Action) minutesUnit {
	pieces := splitText(fmt.Sprintf("*%d. %s*\n%s", n, escape(a.Area), escape(a.What)), maxSectionText)
	who, due := fmt.Sprintf("*Who:* %s · *By:* ", ownerText(a)), a.DueOn.Format(dueLayout)
	if last := len(pieces) - 1; len([]rune(pieces[last]))+1+len([]rune(who))+widestDue <= maxSectionText {
		pieces[last] += "\n" + who + due
	} else {
		pieces = append(pieces, who+due)
	}
	u := minutesUnit{what: "the action plan", chars: widestDue - len([]rune(due))}
	for _, p := range pieces {
		s := section(p)
		u.blocks = append(u.blocks, s)
		u.chars += blockChars(s)
	}
	return u
}
