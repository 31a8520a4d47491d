package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// E-mail to people not on Slack (where DB.Mail is set: caseconf has a
// mail server). Each e-mail is an outbox row written in the transaction
// of the change that calls for it, its recipient the address it goes to,
// rendered when it is sent (bot/email.go) from the conference as it then
// stands.

// emailInvitations are the e-mailed invitations conference c, just
// called, sends: one to each invitee not on Slack with an address.
func (s *DB) emailInvitations(c *caseconf.Conference) []Outbox {
	if !s.Mail {
		return nil
	}
	var out []Outbox
	for i := range c.Invitees {
		if inv := &c.Invitees[i]; !inv.OnSlack() && inv.Email != "" {
			out = append(out, emailTo(caseconf.KindEmailInvitation, c, inv, fmt.Sprint(inv.ID)))
		}
	}
	return out
}

// emailCancellations tell each invitee not on Slack with an address that
// conference c is cancelled.
func (s *DB) emailCancellations(c *caseconf.Conference) []Outbox {
	if !s.Mail {
		return nil
	}
	var out []Outbox
	for i := range c.Invitees {
		if inv := &c.Invitees[i]; !inv.OnSlack() && inv.Email != "" {
			out = append(out, emailTo(caseconf.KindEmailCancellation, c, inv, fmt.Sprint(inv.ID)))
		}
	}
	return out
}

// emailEditMessages are the e-mails a change to a conference (before it,
// and after) calls for: the invitation to each invitee not on Slack it
// adds; to each whose address the edit corrected (the old one refused,
// say), the invitation as the meeting now stands; to each still invited,
// the meeting as it now stands when its date, time, length or place
// changed; to each taken off, the cancellation. What was still waiting to
// go to a corrected address is cancelled by the edit (readdressed).
func (s *DB) emailEditMessages(before, after *caseconf.Conference, e *caseconf.ConferenceEdit) []Outbox {
	if !s.Mail {
		return nil
	}
	moved := !before.StartsAt.Equal(after.StartsAt) || before.DurationMinutes != after.DurationMinutes || before.Place != after.Place
	var out []Outbox
	for i := range after.Invitees {
		inv := &after.Invitees[i]
		if inv.OnSlack() || inv.Email == "" {
			continue
		}
		was := before.Invitee(inv.ID)
		switch {
		case was == nil || was.Email == "":
			out = append(out, emailTo(caseconf.KindEmailInvitation, after, inv, fmt.Sprint(inv.ID)))
		case !strings.EqualFold(was.Email, inv.Email):
			out = append(out, emailTo(caseconf.KindEmailInvitation, after, inv, fmt.Sprintf("%d:%s", inv.ID, strings.ToLower(inv.Email))))
		case moved:
			out = append(out, emailTo(caseconf.KindEmailChange, after, inv, fmt.Sprintf("%d:%d", inv.ID, e.Sequence)))
		}
	}
	for i := range before.Invitees {
		inv := &before.Invitees[i]
		if !inv.OnSlack() && inv.Email != "" && after.Invitee(inv.ID) == nil {
			out = append(out, emailTo(caseconf.KindEmailCancellation, after, inv, fmt.Sprint(inv.ID)))
		}
	}
	return out
}

// readdressed are the invitees not on Slack whose e-mail address edit
// (before it, and after) changed from one to another: what was waiting
// to go to them is cancelled, as the invitation goes again to the new
// address (emailEditMessages).
func readdressed(before, after *caseconf.Conference) []int64 {
	var out []int64
	for i := range after.Invitees {
		inv := &after.Invitees[i]
		if was := before.Invitee(inv.ID); was != nil && !inv.OnSlack() && was.Email != "" && inv.Email != "" && !strings.EqualFold(was.Email, inv.Email) {
			out = append(out, inv.ID)
		}
	}
	return out
}

func emailTo(kind caseconf.MessageKind, c *caseconf.Conference, inv *caseconf.Invitee, key string) Outbox {
	return Outbox{Kind: kind, DedupKey: fmt.Sprintf("%s:%s", kind, key), RecipientID: inv.Email, ConferenceID: c.ID, SubjectID: inv.ID}
}

// MinutesPDF is a minutes PDF made for the people not on Slack on a
// conference's share list.
type MinutesPDF struct {
	Conference *caseconf.Conference
	For        []caseconf.PDFRecipient // everyone not on Slack on the share list, with why any may not have it
	Emailed    int                     // e-mails written to the outbox
	ByHand     int                     // disclosures logged for the case manager to pass on
}

// minutesPDFAgainAfter is how soon after one minutes PDF of an outcome
// another may be made (MinutesPDFMade).
const minutesPDFAgainAfter = time.Minute

// MinutesPDFMade logs the minutes PDF v made of conference id (pdf, under
// a password kept nowhere) as a disclosure to each person not on Slack on
// its share list whom the consent covers (caseconf.MinutesPDFFor), as it
// stands now, under the conference's lock; and, where caseconf has a mail
// server, writes the e-mail carrying it to each of those with an address,
// in the same transaction. Those without one, or every one when there is
// no mail server, are logged as given to the case manager to pass on.
func (s *DB) MinutesPDFMade(ctx context.Context, id int64, v caseconf.Viewer, pdf []byte) (MinutesPDF, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return MinutesPDF{}, fmt.Errorf("minutes pdf: %w", err)
	}
	defer tx.Rollback()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return MinutesPDF{}, err
	}
	if err := caseconf.CanMakeMinutesPDF(c, v); err != nil {
		return MinutesPDF{}, err
	}
	shared, err := readShareList(ctx, tx, id)
	if err != nil {
		return MinutesPDF{}, err
	}
	var people []caseconf.Person
	for _, e := range shared {
		if e.UserID == "" {
			people = append(people, caseconf.Person{Name: e.Name, Contact: e.Contact})
		}
	}
	var version int
	if err := tx.GetContext(ctx, &version, `SELECT version FROM outcomes WHERE conference_id = $1`, id); err != nil {
		return MinutesPDF{}, fmt.Errorf("minutes pdf: outcome: %w", err)
	}
	var consentID sql.NullInt64
	if err := tx.GetContext(ctx, &consentID, `SELECT consent_id FROM conferences WHERE id = $1`, id); err != nil {
		return MinutesPDF{}, fmt.Errorf("minutes pdf: consent: %w", err)
	}
	now := s.Now()
	// A second press of the button (or a second command) moments after
	// the first would make a second PDF under a second password, both
	// e-mailed: the reader could not tell which password opens which.
	// The conference is locked, so of two at once the second sees the
	// first's disclosures.
	var recent int
	if err := tx.GetContext(ctx, &recent, `SELECT count(*) FROM disclosures WHERE conference_id = $1 AND version = $2
			AND medium IN ('email', 'by_hand') AND decided_at > $3`, id, version, now.Add(-minutesPDFAgainAfter)); err != nil {
		return MinutesPDF{}, fmt.Errorf("minutes pdf: earlier: %w", err)
	}
	if recent > 0 {
		return MinutesPDF{}, caseconf.Errorf(caseconf.ECONFLICT, "The minutes PDF of %s was made a moment ago, and its password shown to you then. To make a new one, under a new password, try again in a minute.", c.Ref)
	}
	res := MinutesPDF{Conference: c, For: caseconf.MinutesPDFFor(c, people, now)}
	for _, r := range res.For {
		if r.Withheld != "" {
			continue
		}
		medium, to := "by_hand", r.Email
		if to == "" {
			to = r.Name
		}
		var outboxID sql.NullInt64
		if s.Mail && r.Email != "" {
			medium = "email"
			key := fmt.Sprintf("%s:%d:%d:%s", caseconf.KindEmailMinutes, id, now.UnixNano(), strings.ToLower(r.Email))
			if err := tx.GetContext(ctx, &outboxID, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at, attachment)
				VALUES ($1, $2, $3, $4, $4, $5, $5, $6) RETURNING id`, caseconf.KindEmailMinutes, key, r.Email, id, now, pdf); err != nil {
				return MinutesPDF{}, fmt.Errorf("minutes pdf: e-mail: %w", err)
			}
			res.Emailed++
		} else {
			res.ByHand++
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures (conference_id, recipient_id, recipient_name, version, part, parts, consent_id, basis,
				decided_by, decided_at, medium, outbox_id) VALUES ($1, $2, $3, $4, 1, 1, $5, $6, $7, $8, $9, $10)`,
			id, to, r.Name, version, consentID, c.Consent.Basis(), v.UserID, now, medium, outboxID); err != nil {
			return MinutesPDF{}, fmt.Errorf("minutes pdf: disclosure: %w", err)
		}
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "minutes.pdf", ConferenceID: id, ClientID: c.ClientID,
		Detail: fmt.Sprintf("minutes PDF (version %d): e-mailed to %d, to pass on by hand to %d, withheld from %d", version, res.Emailed, res.ByHand,
			len(res.For)-res.Emailed-res.ByHand)}); err != nil {
		return MinutesPDF{}, err
	}
	return res, tx.Commit()
}

// readEmails reads what the e-mailed minutes of messages ids carry: the
// PDF (until it is sent) and the name of whom it is for.
func (s *DB) readEmails(ctx context.Context, d *RenderData, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID         int64          `db:"id"`
		Attachment []byte         `db:"attachment"`
		Name       sql.NullString `db:"recipient_name"`
		MadeBy     sql.NullString `db:"decided_by"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT o.id, o.attachment, d.recipient_name, d.decided_by FROM outbox o
		LEFT JOIN disclosures d ON d.outbox_id = o.id WHERE o.id = ANY($1)`, pq.Array(ids)); err != nil {
		return fmt.Errorf("render data: e-mails: %w", err)
	}
	for _, r := range rows {
		d.Emails[r.ID] = EmailData{PDF: r.Attachment, Name: r.Name.String, MadeBy: r.MadeBy.String}
	}
	return nil
}

// EmailData is what an e-mail of the minutes carries.
type EmailData struct {
	PDF  []byte // nil once sent (or given up)
	Name string // whom it is for
	// MadeBy is the Slack user who made the PDF, and was shown its
	// password: the case manager, or an administrator.
	MadeBy string
}

// MinutesRecord reads what the minutes PDF of the conference ref holds
// (its outcome as it stands and its action plan: not the reports, the
// earlier versions or the history), for v, who must be allowed to make it
// (caseconf.CanMakeMinutesPDF). The read is audited.
func (s *DB) MinutesRecord(ctx context.Context, ref string, v caseconf.Viewer) (*caseconf.Record, error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE ref = upper($1)`, strings.TrimSpace(ref))
	if err == sql.ErrNoRows {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := caseconf.CanMakeMinutesPDF(c, v); err != nil {
		return nil, err
	}
	r := &caseconf.Record{Conference: c, ExportedBy: v.UserID, ExportedAt: s.Now()}
	if err := readRecordOutcome(ctx, tx, r); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if err := readRecordActions(ctx, tx, r); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if r.Outcome == nil {
		return nil, caseconf.Errorf(caseconf.ECONFLICT, "The outcome of %s is not recorded yet, so there are no minutes to send.", c.Ref)
	}
	if err := audit(ctx, tx, auditRow{At: r.ExportedAt, Actor: v.UserID, Action: "conference.minutes_pdf_read", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("the minutes (version %d, %d actions), for a password-protected PDF", r.Outcome.Version, len(r.Actions))}); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

// SetUserEmail keeps the address replies to e-mails sent for userID go
// to, when their Slack profile has none (checked by the caller with
// caseconf.CheckEmail). It is audited, without the address.
func (s *DB) SetUserEmail(ctx context.Context, userID, email string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set e-mail address: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_emails (slack_user_id, email, set_at) VALUES ($1, $2, $3)
		ON CONFLICT (slack_user_id) DO UPDATE SET email = EXCLUDED.email, set_at = EXCLUDED.set_at`, userID, email, now); err != nil {
		return fmt.Errorf("set e-mail address: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: userID, Action: "user.email_address", Detail: "their address for replies to e-mails"}); err != nil {
		return err
	}
	return tx.Commit()
}

// UserEmail is the address userID gave for replies (SetUserEmail), or "".
func (s *DB) UserEmail(ctx context.Context, userID string) (string, error) {
	var email string
	err := s.db.GetContext(ctx, &email, `SELECT email FROM user_emails WHERE slack_user_id = $1`, userID)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("user e-mail address: %w", err)
	}
	return email, nil
}
