package bot

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// The messages a recorded outcome calls for, rendered by the sender when
// they go, from the record as it is then: the minutes (in parts, each
// within Slack's limits: bot/minutes_layout.go), each action to its
// owner, and the case manager's notice of whom the minutes did not reach.

const dueLayout = "Monday 2 January 2006"

// renderMinutes is part m.SubjectID of the minutes of c (laid out as in
// bot/minutes_layout.go), for someone on its share list they may still go
// to (caseconf.MinutesStillGo: what can have changed since the outcome
// was recorded, decided again now), from what its batch read.
func (b *Bot) renderMinutes(m store.Outbox, c *caseconf.Conference, d *store.RenderData) (message, string) {
	if o := d.Outcomes[c.ID]; o != nil && o.Version > 1 {
		return message{}, "the record was corrected: the amended minutes go instead"
	}
	return b.minutesPart(m, c, d, int(m.SubjectID))
}

// minutesPart is part part of the minutes of c as its record now stands
// (amended minutes, once it was corrected), for someone on its share
// list they may still go to.
func (b *Bot) minutesPart(m store.Outbox, c *caseconf.Conference, d *store.RenderData, part int) (message, string) {
	if c.Status != caseconf.StatusRecorded {
		return message{}, "the outcome is not recorded"
	}
	if why := caseconf.MinutesStillGo(c, m.RecipientID, b.now()); why != "" {
		return message{}, why
	}
	o := d.Outcomes[c.ID]
	if o == nil {
		return message{}, "the outcome is not recorded"
	}
	parts := minutesLayout(c, o, b.cal)
	if part >= 1 && part <= len(parts) {
		return parts[part-1], ""
	}
	return message{}, "no such part of the minutes"
}

// sharedWith lists who the minutes are shared with in one section: as
// many as fit, then how many more (the case manager has the whole list).
func sharedWith(names []string) string {
	text := "*Shared with:* "
	for i, n := range names {
		more := fmt.Sprintf(", and %d more", len(names)-i)
		if i > 0 {
			n = ", " + n
		}
		if len([]rune(text+n))+len(more) > maxSectionText {
			return text + more
		}
		text += n
	}
	return text
}

func ownerText(a *caseconf.Action) string {
	switch {
	case a.OwnerID != "":
		return user(a.OwnerID)
	case a.OwnerClient:
		return caseconf.ClientOwnerName
	case a.OwnerAgency == "":
		return escape(a.OwnerName) + " (not on Slack)"
	}
	return escape(a.OwnerName) + ", " + escape(a.OwnerAgency) + " (not on Slack)"
}

func personName(p caseconf.Person) string {
	if p.UserID != "" {
		return user(p.UserID)
	}
	return escape(p.Name)
}

// peopleLines lists people with their job titles and agencies; with c,
// whether an invitee's report came.
func peopleLines(ps []caseconf.Person, c *caseconf.Conference) []string {
	var out []string
	for _, p := range ps {
		line := "• " + personName(p)
		for _, s := range []string{p.JobTitle, p.Agency} {
			if s != "" {
				line += ", " + escape(s)
			}
		}
		if c != nil {
			if inv := c.InviteeFor(p.UserID); inv != nil && inv.ReportSent() {
				line += " (report sent)"
			}
		}
		out = append(out, line)
	}
	return out
}

// renderActionAssigned tells an action's owner of their action, with Mark
// done, Add progress note and Propose new date (actionButtons); what it
// says only if they may see the case details.
func renderActionAssigned(m store.Outbox, c *caseconf.Conference, a *caseconf.Action) (message, string) {
	switch {
	case a == nil:
		return message{}, "the action no longer exists"
	case c.Cancelled():
		return message{}, "the conference was cancelled"
	case a.Done():
		return message{}, "the action is done"
	case a.Closed():
		return message{}, "the action is closed"
	case a.OwnerID != m.RecipientID:
		return message{}, "the action has changed hands"
	}
	due := a.DueOn.Format(dueLayout)
	text := fmt.Sprintf(":clipboard: *An action for you* from the plan agreed at *%s*, to be met or reviewed by *%s*:\n*%s:* %s",
		c.Ref, due, escape(a.Area), escape(a.What))
	if !caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: m.RecipientID}) {
		text = fmt.Sprintf(":clipboard: *An action for you* from the plan agreed at *%s*, to be met or reviewed by *%s*. Its details are withheld until you have accepted the conference's information-sharing agreement, and the client's consent covers your agency; %s can tell you more.",
			c.Ref, due, user(c.CaseManagerID))
	}
	blocks := append(sections(text), slack.NewActionBlock("action", actionButtons(a.ID)...))
	return message{Text: "An action for you from " + c.Ref + ", by " + due, Blocks: blocks}, ""
}

// renderMinutesWithheld is the case manager's notice once the outcome is
// recorded: whom on the share list the minutes did not reach, and why;
// who is not on Slack; the open actions owned by people not on Slack, for
// them to chase; and Draft letter to the client.
// o is c's recorded outcome (nil for none), share its share list.
func (b *Bot) renderMinutesWithheld(m store.Outbox, c *caseconf.Conference, o *caseconf.Outcome, share []store.ShareEntry) (message, string) {
	if m.RecipientID != c.CaseManagerID {
		return message{}, "the case manager has changed"
	}
	if o == nil {
		return message{}, "the outcome is not recorded"
	}
	var withheld, offSlack []string
	for _, e := range share {
		switch {
		case e.UserID != "" && e.Withheld != "":
			withheld = append(withheld, "• "+user(e.UserID)+": "+escape(e.Withheld))
		case e.UserID == "":
			line := "• " + escape(e.Name)
			if e.Contact != "" {
				line += " (" + escape(e.Contact) + ")"
			}
			offSlack = append(offSlack, line)
		}
	}
	var chase []string
	for i := range o.Actions {
		if a := &o.Actions[i]; a.OwnerID == "" && a.Open() {
			chase = append(chase, fmt.Sprintf("• *%s:* %s\n   %s · by %s", escape(a.Area), escape(truncate(a.What, 300)), ownerText(a), a.DueOn.Format(dueLayout)))
		}
	}
	letter := caseconf.CanDraftClientLetter(c, caseconf.Viewer{UserID: m.RecipientID}) == nil
	if len(withheld) == 0 && len(offSlack) == 0 && len(chase) == 0 && !letter {
		return message{}, "nobody to tell of"
	}
	var blocks []slack.Block
	if len(withheld) == 0 && len(offSlack) == 0 {
		blocks = append(blocks, section(fmt.Sprintf(":white_check_mark: *The outcome of %s is recorded* and its minutes have gone to everyone on its share list.", c.Ref)))
	}
	if len(withheld) > 0 {
		blocks = append(blocks, lineSections(fmt.Sprintf(":lock: *The minutes of %s did not go to everyone on its share list.* These people were sent nothing about the client:", c.Ref), withheld)...)
		blocks = append(blocks, note("If they should have the minutes, record the client's consent to share with their kind of agency first."))
	}
	if len(offSlack) > 0 {
		how := "Minutes PDF to send makes them a password-protected PDF in your direct messages, for you to send securely"
		if b.mailer != nil {
			how = "E-mail the minutes sends them a password-protected PDF, to each the client's consent covers"
		}
		blocks = append(blocks, lineSections(fmt.Sprintf(":envelope: *Not on Slack:* the minutes of %s have not gone to these people. %s; you are shown its password once, to give them by phone:", c.Ref, how), offSlack)...)
		blocks = append(blocks, slack.NewActionBlock("minutes_pdf", b.minutesPDFButton(c)))
	}
	if len(chase) > 0 {
		blocks = append(blocks, lineSections(fmt.Sprintf(":telephone_receiver: *Actions of %s owned by people not on Slack.* caseconf cannot reach them, so please chase these yourself (their reminders come to you):", c.Ref), chase)...)
	}
	end := []slack.Block{}
	if letter {
		end = append(end, section("*Tell the client what was agreed.* Draft a letter in plain words from the record, to check and send yourself."),
			slack.NewActionBlock("letter", clientLetterButton(c)))
	}
	blocks = fit(blocks, end, "Not all of this fits one Slack message: `/caseconf export "+c.Ref+"` has the whole record.")
	return message{Text: "After the outcome of " + c.Ref + ": what is left for you", Blocks: blocks}, ""
}
