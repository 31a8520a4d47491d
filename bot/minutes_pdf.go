package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
)

// The minutes, and only the minutes, as a password-protected PDF for the
// people not on Slack on the share list: `/caseconf export REF minutes`,
// or the button on the case manager's notice after the outcome. The PDF
// (AES-256) is made under a password generated here, shown once to the
// case manager (to give by phone) and kept nowhere. Where caseconf has a
// mail server, it is e-mailed to each of them whom the client's consent
// covers (store.MinutesPDFMade writes the e-mails); otherwise, and for
// anyone without an address, it goes into the case manager's direct
// messages for them to send. Each PDF made is logged as a disclosure to
// each person it is for.

const actionMinutesPDF = "minutes_pdf" // value: subject{Conference}

func (b *Bot) registerMinutesPDF() {
	b.HandleAction(actionMinutesPDF, b.clickMinutesPDF)
}

// minutesPDFButton makes the minutes PDF of c for the people not on Slack.
func (b *Bot) minutesPDFButton(c *caseconf.Conference) *slack.ButtonBlockElement {
	label := "Minutes PDF to send"
	if b.mailer != nil {
		label = "E-mail the minutes"
	}
	return button(actionMinutesPDF, subject{Conference: c.ID}.String(), label, "")
}

func (b *Bot) clickMinutesPDF(ctx context.Context, r *Request) {
	r.Ack(nil)
	c, ok := b.clickedConference(ctx, r, "conference.minutes_pdf", caseconf.CanMakeMinutesPDF)
	if !ok {
		return
	}
	b.minutesPDF(ctx, r, c.Ref)
}

// minutesPDF makes the minutes PDF of conference ref for r's user, sends
// it (or hands it to them), and shows them its password, once.
func (b *Bot) minutesPDF(ctx context.Context, r *Request, ref string) {
	v := b.viewer(r.UserID)
	rec, err := b.store.MinutesRecord(ctx, ref, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	c := rec.Conference
	rec.Names = b.names(ctx, recordUsers(rec))
	password := export.NewPDFPassword()
	pdf, err := export.EncryptedPDF(export.MinutesMarkdown(rec, b.cal.Loc), password)
	if err != nil {
		b.log.Error("could not make the minutes PDF", "conference", c.ID, "user", r.UserID, "err", err)
		r.Reply(ctx, fmt.Sprintf("Sorry, the minutes PDF of %s could not be made.", c.Ref))
		return
	}
	made, err := b.store.MinutesPDFMade(ctx, c.ID, v, pdf)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	b.sender.Wake()
	var emailed, byHand, withheld []string
	for _, p := range made.For {
		who := escape(p.Name)
		if p.Email != "" {
			who += " (" + escape(p.Email) + ")"
		}
		switch {
		case p.Withheld != "":
			withheld = append(withheld, "• "+who+": "+escape(p.Withheld))
		case b.mailer != nil && p.Email != "":
			emailed = append(emailed, "• "+who)
		default:
			byHand = append(byHand, "• "+who)
		}
	}
	var blocks []slack.Block
	if len(emailed) > 0 {
		blocks = append(blocks, lineSections(fmt.Sprintf(":envelope: *The minutes of %s are being e-mailed* as a password-protected PDF to:", c.Ref), emailed)...)
	}
	filename := export.MinutesPDFFilename(c.Ref)
	if len(byHand) > 0 {
		comment := fmt.Sprintf(":lock: The minutes of *%s* as a PDF protected by a password (AES-256), for you to send to the people not on Slack on its share list. The password was shown to you once, separately: give it to them by phone, never in the same e-mail.", c.Ref)
		kept, err := b.deliverToDM(ctx, r, c, filename, "Minutes of "+c.Ref, pdf, comment)
		if !kept {
			r.Reply(ctx, fmt.Sprintf("Sorry, the minutes PDF of %s could not be delivered just now, and nothing was kept. Please try again.", c.Ref))
			return
		}
		if err != nil {
			r.Reply(ctx, fmt.Sprintf("Sorry, Slack would not take the minutes PDF of %s just now. Please try again.", c.Ref))
			return
		}
		blocks = append(blocks, lineSections(fmt.Sprintf(":page_facing_up: *The minutes PDF of %s is in your direct messages* (`%s`), for you to send securely to:", c.Ref, filename), byHand)...)
	}
	if len(withheld) > 0 {
		blocks = append(blocks, lineSections(":lock: *Not sent to these people on the share list*, and nothing about the client:", withheld)...)
	}
	if len(emailed) == 0 && len(byHand) == 0 {
		blocks = append(blocks, section(fmt.Sprintf("Nobody not on Slack on the share list of %s may have the minutes, so no PDF was made.", c.Ref)))
		r.Reply(ctx, "No minutes PDF of "+c.Ref, blocks...)
		return
	}
	b.log.Info("minutes PDF made", "conference", c.ID, "user", r.UserID, "emailed", len(emailed), "by_hand", len(byHand), "withheld", len(withheld))
	r.Reply(ctx, "The minutes PDF of "+c.Ref, blocks...)
	r.Reply(ctx, fmt.Sprintf(":key: The password of `%s` is `%s`\nIt is shown this once and kept nowhere: note it now. Give it to each reader by phone; it is never e-mailed.", filename, password))
}

// minutesPDFArg reports whether export's second word asks for the minutes.
func minutesPDFArg(args []string) bool {
	return len(args) == 2 && strings.EqualFold(args[1], "minutes")
}
