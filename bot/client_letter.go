package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// The letter to the client about what was agreed: Draft letter to the
// client, on the case manager's notice once the outcome is recorded,
// answers with a draft for them to check and send themselves, as the GP
// letter does.

const actionClientLetter = "client_letter" // value: subject{Conference}

func (b *Bot) registerClientLetter() {
	b.HandleAction(actionClientLetter, b.clickClientLetter)
}

// clientLetterButton drafts the letter to the client of c.
func clientLetterButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	return button(actionClientLetter, subject{Conference: c.ID}.String(), "Draft letter to the client", "")
}

// clickClientLetter drafts the letter to the client for the case manager
// (caseconf.CanDraftClientLetter), as an ephemeral reply. The read is
// audited; to someone who may not see the conference it does not exist.
func (b *Bot) clickClientLetter(ctx context.Context, r *Request) {
	r.Ack(nil)
	c, ok := b.clickedConference(ctx, r, "conference.client_letter", caseconf.CanDraftClientLetter)
	if !ok {
		return
	}
	o, err := b.store.OutcomeSnapshot(ctx, c.ID)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	names := map[string]string{}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if u, err := b.api.GetUserInfoContext(ctx, id); err == nil {
			n = u.RealName
		}
		names[id] = n
		return n
	}
	letter := clientLetter(c, o, name, b.now(), b.cal)
	// What the recorder and the case manager typed goes in plain-text
	// sections, where Slack formats nothing: no typed link, mention or
	// <!channel> in it can come alive.
	blocks := []slack.Block{section("Here is a draft letter to the client about what was agreed, to check, put into their words and send yourself.")}
	var cautions []string
	for _, s := range append(caseconf.ClientLetterCautions(c),
		"Take out anything they should not read: risk assessments, other people's information, anything that could put someone at risk.") {
		cautions = append(cautions, "• "+escape(s))
	}
	blocks = append(blocks, lineSections("*Before you send it*", cautions)...)
	for _, part := range splitText(letter, maxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(plain(part), nil, nil))
	}
	if len(blocks) > maxMessageBlocks {
		blocks = append(blocks[:maxMessageBlocks-1], note("The letter was cut short to fit a Slack message: `/caseconf export` has the whole record."))
	}
	r.Reply(ctx, "Draft letter to the client", blocks...)
}

// clientLetter is the letter to the client of c about outcome o, in plain
// words: who met, what was talked about, what they told us, what each
// service will do and by when, when we meet again, and who to contact.
// name gives a Slack user's name ("" when unknown).
func clientLetter(c *caseconf.Conference, o *caseconf.Outcome, name func(string) string, now time.Time, cal caseconf.Calendar) string {
	var sb strings.Builder
	client := c.ClientName
	if client == "" {
		client = "[client's name]"
	}
	met := c.StartsAt.In(cal.Loc).Format("Monday 2 January 2006")
	fmt.Fprintf(&sb, "%s\n\nDear %s,\n\n", cal.Date(now).Format("2 January 2006"), client)
	if c.ClientAttends {
		fmt.Fprintf(&sb, "Thank you for coming to the meeting about your support on %s. As promised, this letter sets out what we agreed.\n\n", met)
	} else {
		fmt.Fprintf(&sb, "On %s, the services that support you met to talk about how we can help. You were not at the meeting, so I am writing to tell you what was agreed.\n\n", met)
	}
	var agencies []string
	seen := map[string]bool{}
	for _, p := range o.Attended {
		if a := strings.TrimSpace(p.Agency); a != "" && !seen[strings.ToLower(a)] {
			seen[strings.ToLower(a)] = true
			agencies = append(agencies, a)
		}
	}
	if len(agencies) > 0 {
		fmt.Fprintf(&sb, "At the meeting were people from: %s.\n\n", strings.Join(agencies, ", "))
	}
	if o.Summary != "" {
		fmt.Fprintf(&sb, "What we talked about\n%s\n\n", o.Summary)
	}
	if o.ClientViews != "" {
		fmt.Fprintf(&sb, "What you told us\n%s\n\n", o.ClientViews)
	}
	if o.LeadChanged {
		sb.WriteString("Your lead worker is changing")
		if o.NewLeadAgency != "" {
			fmt.Fprintf(&sb, " to %s", o.NewLeadAgency)
		}
		sb.WriteString(". We will meet together, with you, to hand over, and they will be in touch.\n\n")
	}
	sb.WriteString("What will happen next\n")
	n := 0
	for _, a := range o.Actions {
		if a.Closed() { // done, not achieved, or no longer needed
			continue
		}
		n++
		fmt.Fprintf(&sb, "%d. %s: %s\n   Who: %s\n   By: %s\n", n, a.Area, a.What, letterOwner(c, &a, name), a.DueOn.Format(dueLayout))
	}
	if n == 0 {
		sb.WriteString("No new actions were agreed: the support you have now carries on.\n")
	}
	sb.WriteString("\n")
	if !o.ReviewOn.IsZero() {
		fmt.Fprintf(&sb, "We will meet again on or around %s to see how things are going. I will let you know the time and place, and I hope you can come.\n\n", o.ReviewOn.Format(dueLayout))
	}
	sb.WriteString("I am your case manager. I will keep in touch with the services named above to make sure they do what they said they would. If anything in this letter is wrong, or you want to talk about any of it, please get in touch with me.\n\n")
	from := name(c.CaseManagerID)
	if from == "" {
		from = "[your name]"
	}
	fmt.Fprintf(&sb, "Yours sincerely,\n\n%s\nCase manager\n[your contact details]", from)
	return sb.String()
}

// letterOwner says in the letter who will do an action: the case manager
// is "me"; an invitee by name and agency; anyone else by name.
func letterOwner(c *caseconf.Conference, a *caseconf.Action, name func(string) string) string {
	switch {
	case a.OwnerID == "":
		return a.OwnerName + ", " + a.OwnerAgency
	case a.OwnerID == c.CaseManagerID:
		return "me, your case manager"
	}
	who, agency := name(a.OwnerID), ""
	if inv := c.InviteeFor(a.OwnerID); inv != nil {
		if inv.Name != "" {
			who = inv.Name
		}
		agency = inv.Agency
	}
	switch {
	case who != "" && agency != "":
		return who + ", " + agency
	case who != "":
		return who
	case agency != "":
		return "[name], " + agency
	}
	return "[name and service]"
}
