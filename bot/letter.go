package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// The letter to an invitee not on Slack (a GP surgery, say), modelled on
// the sample request to a GP in the practitioners' toolkit, drafted for
// the case manager to check and send themselves: it names the patient
// only by placeholders for what the bot never holds (full name, date of
// birth, NHS number), so the surgery can match them; lists the concerns;
// asks for the earliest suitable appointment if the date does not suit;
// and signs off with the sender's details from their Slack profile, or
// placeholders where it has none.

// letterSender is who signs the letter.
type letterSender struct {
	Name, Title, Organisation, Phone, Email string
}

// senderFrom is the letter's signature from a Slack profile, with
// placeholders for what it lacks.
func senderFrom(u *slack.User) letterSender {
	s := letterSender{Name: "[your name]", Title: "[your job title]", Organisation: "[your organisation]",
		Phone: "[your phone number]", Email: "[your e-mail address]"}
	if u == nil {
		return s
	}
	for _, f := range []struct {
		to  *string
		got string
	}{{&s.Name, u.RealName}, {&s.Name, u.Profile.RealName}, {&s.Title, u.Profile.Title}, {&s.Phone, u.Profile.Phone}, {&s.Email, u.Profile.Email}} {
		if v := strings.TrimSpace(f.got); v != "" && strings.HasPrefix(*f.to, "[") {
			*f.to = v
		}
	}
	return s
}

// clickLetter drafts a letter asking an invitee who is not on Slack (a GP,
// say) to attend, for the case manager to send themselves.
func (b *Bot) clickLetter(ctx context.Context, r *Request) {
	r.Ack(nil)
	subj, err := parseSubject(r.Interaction.ActionCallback.BlockActions[0].Value)
	if err != nil {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	c, err := b.store.ConferenceByID(ctx, subj.Conference, b.viewer(r.UserID), "conference.letter")
	var to *caseconf.Invitee
	if err == nil {
		to = c.Invitee(subj.Invitee)
		err = caseconf.CanDraftLetter(c, b.viewer(r.UserID), to)
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	var from letterSender
	if u, err := b.api.GetUserInfoContext(ctx, r.UserID); err == nil {
		from = senderFrom(u)
	} else {
		from = senderFrom(nil)
	}
	letter := draftLetter(c, to, from, b.now(), b.cal)
	// The letter holds the case manager's own text: it goes in plain-text
	// sections, where Slack formats nothing, so no typed backticks, link
	// or <!channel> in it can come alive.
	blocks := []slack.Block{section("Here is a draft to copy, check and send yourself. Fill in the patient's details in [brackets] yourself: caseconf never holds them.")}
	for _, part := range splitText(letter, maxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(plain(part), nil, nil))
	}
	r.Reply(ctx, "Draft letter", blocks...)
}

// draftLetter is the letter requesting to[s] attendance at conference c,
// from the sender, dated now.
func draftLetter(c *caseconf.Conference, to *caseconf.Invitee, from letterSender, now time.Time, cal caseconf.Calendar) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n\nDear %s,\n\n", cal.Date(now).Format("2 January 2006"), to.Name)
	fmt.Fprintf(&sb, "Re: [patient's full name], date of birth [DD/MM/YYYY], NHS number [NHS number]\n\n")
	fmt.Fprintf(&sb, "I am writing to you in regard to the patient named above, whom we both support (our reference %s).\n\n", c.ClientRef)
	sb.WriteString("We have some concerns about the following:\n\n")
	for i, r := range c.Reasons {
		fmt.Fprintf(&sb, "%d. %s\n", i+1, caseconf.Label(caseconf.ConferenceReasons, r))
	}
	fmt.Fprintf(&sb, "\nIn more detail:\n%s\n\n", c.Purpose)
	fmt.Fprintf(&sb, "We would like to hold a multi-agency case conference with the services involved in their care, to discuss their future care and support. It is planned for %s, for about %d minutes, at %s.\n\n",
		c.StartsAt.In(cal.Loc).Format("Monday 2 January 2006 at 15:04"), c.DurationMinutes, c.Place)
	sb.WriteString("I would be grateful if you could attend, or send a colleague who has been briefed. If that is not possible, a short written report on your involvement, your most recent contact, any concerns and your recommendations would be read out at the meeting. If the date does not suit you, please contact me with the earliest suitable appointment.\n\n")
	if c.Consent.Method == caseconf.ConsentNone {
		sb.WriteString("The conference is being held without the patient's consent, on a basis recognised in our information-sharing policy. Please treat this letter as confidential.\n\n")
	} else {
		sb.WriteString("The patient has consented to information being shared between the services invited. Please treat this letter as confidential.\n\n")
	}
	fmt.Fprintf(&sb, "Yours sincerely,\n\n%s\n%s, %s\nPhone: %s\nE-mail: %s\nConference reference: %s",
		from.Name, from.Title, from.Organisation, from.Phone, from.Email, c.Ref)
	return sb.String()
}
