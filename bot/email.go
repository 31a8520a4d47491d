package bot

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
	"github.com/caseconf/caseconf/internal/mailer"
	"github.com/caseconf/caseconf/store"
)

// E-mail to people not on Slack, where caseconf has a mail server: the
// invitation with the meeting's calendar file, each change and the
// cancellation, and the minutes as a password-protected PDF. Each is an
// outbox row (store/email.go) rendered here when it is sent, from the
// conference as it then stands, and sent by the outbox's sender. No
// e-mail names the client or says anything about them (not even the
// purpose or the reasons): only the conference's reference. The minutes
// PDF's password is never e-mailed. Replies go to the case manager
// (Reply-To: the address on their Slack profile).

// caseManagerCard is how an e-mail presents the case manager who calls
// the meeting: from their Slack profile.
type caseManagerCard struct {
	Name, Title, Email, Phone string
}

// cardCache keeps case managers' profiles for a few minutes, so a
// conference's eight e-mails ask Slack once.
type cardCache struct {
	mu sync.Mutex
	m  map[string]cachedCard
}

type cachedCard struct {
	card caseManagerCard
	at   time.Time
}

const cardFresh = 5 * time.Minute

// emailOrphanedAfter is how long an e-mail waits for a process with the
// mail server's settings before it is given up (sendEmail).
const emailOrphanedAfter = 24 * time.Hour

// caseManagerCard reads userID's name, job title, e-mail address and
// phone from their Slack profile (users.info; the address needs the
// users:read.email scope).
func (b *Bot) caseManagerCard(ctx context.Context, userID string) (caseManagerCard, error) {
	b.cards.mu.Lock()
	if c, ok := b.cards.m[userID]; ok && time.Since(c.at) < cardFresh {
		b.cards.mu.Unlock()
		return c.card, nil
	}
	b.cards.mu.Unlock()
	uctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u, err := b.api.GetUserInfoContext(uctx, userID)
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se):
		// Slack answered, but has no profile to give (user_not_found,
		// missing_scope): the e-mail goes without it.
		b.log.Warn("e-mail: no Slack profile for the case manager", "user", userID, "err", se.Err)
		return caseManagerCard{Name: "The case manager"}, nil
	case err != nil:
		return caseManagerCard{}, err
	}
	c := caseManagerCard{Name: strings.TrimSpace(u.Profile.RealName), Title: strings.TrimSpace(u.Profile.Title),
		Email: strings.TrimSpace(u.Profile.Email), Phone: strings.TrimSpace(u.Profile.Phone)}
	if c.Name == "" {
		c.Name = strings.TrimSpace(u.RealName)
	}
	if c.Name == "" {
		c.Name = "The case manager"
	}
	if c.Email != "" && caseconf.CheckEmail(c.Email) != "" {
		c.Email = ""
	}
	b.cards.mu.Lock()
	if b.cards.m == nil {
		b.cards.m = map[string]cachedCard{}
	}
	b.cards.m[userID] = cachedCard{c, time.Now()}
	b.cards.mu.Unlock()
	return c, nil
}

// emailSubjects are each e-mail's subject line: the reference, nothing more.
var emailSubjects = map[caseconf.MessageKind]string{
	caseconf.KindEmailInvitation:   "Invitation: case conference %s",
	caseconf.KindEmailChange:       "Changed: case conference %s",
	caseconf.KindEmailCancellation: "Cancelled: case conference %s",
	caseconf.KindEmailMinutes:      "Minutes of case conference %s",
}

// renderEmail is e-mail message m as it goes now, from d, the data its
// batch read, and cm, its case manager; skip is set when it no longer
// applies. keeper is who gives the minutes PDF's password by phone (who
// made it). org is who the case manager works for, as the e-mails are
// sent from (CASECONF_MAIL_FROM's name).
func (b *Bot) renderEmail(m store.Outbox, d *store.RenderData, cm caseManagerCard, keeper, org string, now time.Time) (e mailer.Email, skip string) {
	c := d.Conferences[m.ConferenceID]
	if c == nil {
		return e, "its conference no longer exists"
	}
	e.Subject = fmt.Sprintf(emailSubjects[m.Kind], c.Ref)
	e.MessageID = fmt.Sprintf("caseconf-%d-%s@%s", m.ID, strings.ReplaceAll(string(m.Kind), "_", "-"), mailDomain(b.mailer))
	if cm.Email != "" {
		e.ReplyTo = &mail.Address{Name: cm.Name, Address: cm.Email}
	}
	inv := c.Invitee(m.SubjectID)
	name := ""
	e.To = mail.Address{Address: m.RecipientID}
	if m.Kind != caseconf.KindEmailMinutes && inv != nil {
		if inv.OnSlack() || inv.Email == "" {
			return e, "the invitee has no e-mail address now"
		}
		name, e.To = inv.Name, mail.Address{Name: inv.Name, Address: inv.Email}
	}
	who := cm.Name
	if cm.Title != "" {
		who += ", " + cm.Title
	}
	if org != "" {
		who += ", " + org
	}
	var body strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }
	if name != "" {
		p("Dear %s,\n", name)
	} else {
		p("Hello,\n")
	}
	meeting := func() {
		p("  Reference: %s", c.Ref)
		p("  When:      %s", c.StartsAt.In(b.cal.Loc).Format("Monday 2 January 2006 at 15:04 MST"))
		p("  Length:    %d minutes", c.DurationMinutes)
		if c.Place != "" {
			p("  Where:     %s", oneLine(c.Place))
		}
		p("")
	}
	reply := func() {
		switch {
		case cm.Email != "" && cm.Phone != "":
			p("To reply, answer this e-mail (it goes to %s) or call %s.", cm.Name, cm.Phone)
		case cm.Email != "":
			p("To reply, answer this e-mail: it goes to %s.", cm.Name)
		case cm.Phone != "":
			p("To reply, call %s on %s.", cm.Name, cm.Phone)
		default:
			p("To reply, please contact %s, the case manager.", cm.Name)
		}
	}
	switch m.Kind {
	case caseconf.KindEmailInvitation:
		switch {
		case inv == nil:
			return e, "the invitee is no longer on the conference"
		case c.Cancelled():
			return e, "the conference was cancelled before the invitation went"
		}
		p("%s invites you to a multi-agency case conference.\n", who)
		meeting()
		p("Please let %s know whether you will:", cm.Name)
		p("  - attend;")
		p("  - send a colleague who has been briefed, in your place; or")
		p("  - send a written report, if neither is possible.\n")
		reply()
		p("\nThe meeting is attached as a calendar file. This e-mail holds no details of the person the meeting is about: %s will share what you need by a secure route.", cm.Name)
		e.Calendar, e.CalendarMethod, e.CalendarName = export.ICal(c, now), "REQUEST", export.ICalFilename(c)
	case caseconf.KindEmailChange:
		switch {
		case inv == nil:
			return e, "the invitee is no longer on the conference"
		case c.Cancelled():
			return e, "the conference was cancelled before the change went"
		}
		p("The case conference %s, called by %s, has changed. It now stands as:\n", c.Ref, who)
		meeting()
		reply()
		p("\nThe updated meeting is attached as a calendar file: open it to update your calendar.")
		e.Calendar, e.CalendarMethod, e.CalendarName = export.ICal(c, now), "REQUEST", export.ICalFilename(c)
	case caseconf.KindEmailCancellation:
		switch {
		case c.Cancelled():
			p("The case conference %s, called by %s, has been cancelled.\n", c.Ref, who)
		case inv == nil:
			p("You are no longer invited to the case conference %s, called by %s.\n", c.Ref, who)
		default:
			return e, "the invitee is invited again and the conference is not cancelled"
		}
		meeting()
		reply()
		p("\nThe cancellation is attached as a calendar file: open it to take the meeting out of your calendar.")
		e.Calendar, e.CalendarMethod, e.CalendarName = export.ICalCancel(c, now), "CANCEL", c.Ref+"-cancelled.ics"
	case caseconf.KindEmailMinutes:
		x := d.Emails[m.ID]
		if x.PDF == nil {
			return e, "its PDF is gone (already sent)"
		}
		if why := caseconf.MinutesPDFStillGoes(c, m.RecipientID, x.Name, now); why != "" {
			return e, "withheld: " + why
		}
		e.To = mail.Address{Name: x.Name, Address: m.RecipientID}
		if x.Name != "" {
			body.Reset()
			p("Dear %s,\n", x.Name)
		}
		p("%s sends you the minutes of the case conference %s, attached as a PDF protected by a password.\n", who, c.Ref)
		p("%s will give you the password by phone: it is never sent by e-mail. Please keep the minutes only where your service keeps case records, and do not pass them on.\n", keeper)
		reply()
		e.PDF, e.PDFName = x.PDF, export.MinutesPDFFilename(c.Ref)
	default:
		return e, "no such kind of e-mail: " + string(m.Kind)
	}
	p("\n-- \nSent by caseconf for %s.", cm.Name)
	e.Text = body.String()
	return e, ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mailDomain is the domain e-mails come from, for their Message-IDs.
func mailDomain(m *mailer.Mailer) string {
	if m == nil {
		return "caseconf"
	}
	from := m.From()
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		return d
	}
	return "caseconf"
}

// sendEmail renders and sends one claimed e-mail, and finishes it: sent
// once the mail server takes it; retried on a temporary failure (4xx,
// the connection lost) on the outbox's back-off; given up on a permanent
// one (5xx), with the case manager told who did not get what. It reports
// whether the server took it.
func (s *Sender) sendEmail(ctx context.Context, m store.Outbox, now time.Time, d *store.RenderData) bool {
	b, st := s.bot, s.bot.store
	if b.mailer == nil {
		// A process without the mail server's settings (a sweep run
		// without them) leaves e-mails for one that has them. One still
		// waiting a day after it was written has no process to send it:
		// e-mail was turned off after it was queued. It is given up, and
		// the case manager told who did not get what, to reach them
		// another way.
		if b.now().Sub(m.CreatedAt) >= emailOrphanedAfter {
			s.giveUp(ctx, m, "e-mail is turned off: caseconf has no mail server now", d)
			return false
		}
		s.release(ctx, []store.Outbox{m}, now.Add(10*time.Minute))
		return false
	}
	c := d.Conferences[m.ConferenceID]
	if c == nil {
		s.finish(ctx, m, st.MarkCancelled(ctx, m, "its conference no longer exists"))
		return false
	}
	cm, err := b.caseManagerCard(ctx, c.CaseManagerID)
	if err != nil {
		s.finish(ctx, m, st.MarkRetry(ctx, m, "slack: could not read the case manager's profile: "+sendError(err), caseconf.RetryAt(now, m.Attempts, 0)))
		s.count(m.Kind, "retried")
		return false
	}
	if cm.Email == "" {
		// Slack has no address for them: the one they gave caseconf, or
		// they are asked for one (once), and this e-mail goes without.
		addr, err := st.UserEmail(ctx, c.CaseManagerID)
		if err != nil {
			s.finish(ctx, m, st.MarkRetry(ctx, m, "database: could not read the case manager's address", caseconf.RetryAt(now, m.Attempts, 0)))
			return false
		}
		cm.Email = addr
		if addr == "" {
			if _, err := st.Enqueue(ctx, store.Outbox{Kind: caseconf.KindEmailAddressNeeded, DedupKey: fmt.Sprintf("%s:%s", caseconf.KindEmailAddressNeeded, c.CaseManagerID),
				RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: c.ID}); err != nil {
				b.log.Warn("e-mail: could not ask the case manager for an address", "conference", c.ID, "err", err)
			}
			s.Wake()
		}
	}
	// The minutes' password is given by whoever made the PDF (it was
	// shown to them alone): an administrator, it may be.
	keeper := cm.Name
	if x := d.Emails[m.ID]; m.Kind == caseconf.KindEmailMinutes && x.MadeBy != "" && x.MadeBy != c.CaseManagerID {
		maker, err := b.caseManagerCard(ctx, x.MadeBy)
		if err != nil {
			s.finish(ctx, m, st.MarkRetry(ctx, m, "slack: could not read the profile of who made the PDF: "+sendError(err), caseconf.RetryAt(now, m.Attempts, 0)))
			s.count(m.Kind, "retried")
			return false
		}
		keeper = maker.Name
		if maker.Phone != "" {
			keeper += " (" + maker.Phone + ")"
		}
	}
	e, skip := b.renderEmail(m, d, cm, keeper, b.mailer.From().Name, now)
	if skip != "" {
		s.finish(ctx, m, st.MarkCancelled(ctx, m, skip))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	err = b.mailer.Send(sctx, e)
	cancel()
	if err == nil {
		s.posted(ctx, m, caseconf.MessageRef{}, message{}, d)
		s.count(m.Kind, "sent")
		b.log.Info("e-mail sent", "id", m.ID, "kind", m.Kind, "conference", m.ConferenceID)
		return true
	}
	reason := err.Error() // names the reply code, never the message or the address
	if mailer.Permanent(err) || m.Attempts >= caseconf.MaxSendAttempts {
		s.giveUp(ctx, m, reason, d)
		return false
	}
	s.finish(ctx, m, st.MarkRetry(ctx, m, reason, caseconf.RetryAt(now, m.Attempts, 0)))
	s.count(m.Kind, "retried")
	b.log.Warn("e-mail not sent; trying again", "id", m.ID, "kind", m.Kind, "reason", reason)
	return false
}

// emailAddressNeededMessage asks the case manager of c for the address
// replies to caseconf's e-mails should go to.
func emailAddressNeededMessage(c *caseconf.Conference) message {
	text := fmt.Sprintf(":envelope: caseconf is e-mailing the people not on Slack invited to *%s* for you, but your Slack profile has no e-mail address, so their replies cannot come to you by e-mail. "+
		"Give the address replies should go to with `/caseconf email-address you@example.org` (or add one to your Slack profile); the next e-mails use it.", c.Ref)
	return message{c.Ref + ": where should replies to e-mails go?", sections(text)}
}

func (b *Bot) registerEmailAddress() {
	b.HandleCommand("email-address", "ADDRESS", "Where replies to the e-mails caseconf sends for you go, if your Slack profile has no e-mail address", b.cmdEmailAddress)
}

func (b *Bot) cmdEmailAddress(ctx context.Context, r *Request, args []string) {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf email-address you@example.org`")
		return
	}
	addr := strings.TrimSpace(args[0])
	if msg := caseconf.CheckEmail(addr); msg != "" || addr == "" {
		r.Reply(ctx, cmpOr(msg, "Please give an e-mail address like name@example.org."))
		return
	}
	r.Ack(nil)
	if err := b.store.SetUserEmail(ctx, r.UserID, addr); err != nil {
		b.replyError(ctx, r, err)
		return
	}
	r.Reply(ctx, fmt.Sprintf(":white_check_mark: Replies to the e-mails caseconf sends for you now go to %s.", escape(addr)))
}
