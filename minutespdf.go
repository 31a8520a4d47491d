package caseconf

import (
	"strings"
	"time"
)

// The minutes as a password-protected PDF, for people not on Slack on the
// share list: made by the case manager (or an administrator) once the
// outcome is recorded, and e-mailed, where caseconf has a mail server, to
// each of them whom the client's consent covers; otherwise handed to the
// case manager to send. Each PDF made is a disclosure to each person it
// is for.

// PDFRecipient is someone not on Slack on the share list, and whether the
// minutes PDF may go to them.
type PDFRecipient struct {
	Name  string
	Email string // "" when caseconf has no address for them
	// Withheld says why the minutes may not go to them (for the case
	// manager; it names no client), "" when they may.
	Withheld string
}

// CanMakeMinutesPDF decides whether v may make the minutes PDF of c:
// whoever may export its record (CanExport), once its outcome is recorded.
func CanMakeMinutesPDF(c *Conference, v Viewer) error {
	if err := CanExport(c, v); err != nil {
		return err
	}
	if c.Status != StatusRecorded {
		return Errorf(ECONFLICT, "The outcome of %s is not recorded yet, so there are no minutes to send.", c.Ref)
	}
	return nil
}

// MinutesPDFFor decides, for each person not on Slack on c's share list
// (shared, as the outcome recorded it), whether the minutes PDF may go to
// them as of now. Only someone caseconf knows, as an invitee not on Slack
// of c (matched by e-mail address, or else by name), may have them: once
// they accepted the information-sharing agreement, while the client's
// consent has not lapsed and covers their agency. Their address is the
// invitee's, or else the one on the share list.
func MinutesPDFFor(c *Conference, shared []Person, now time.Time) []PDFRecipient {
	var out []PDFRecipient
	seen := map[string]bool{}
	for _, p := range shared {
		if p.UserID != "" {
			continue
		}
		r := PDFRecipient{Name: p.Name, Email: EmailIn(p.Contact)}
		inv := c.offSlackInvitee(r.Email, p.Name)
		if inv != nil && inv.Email != "" {
			r.Email = inv.Email
		}
		key := strings.ToLower(r.Email)
		if key == "" {
			key = "name:" + strings.ToLower(p.Name)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		r.Withheld = pdfWithheld(c, inv, now)
		out = append(out, r)
	}
	return out
}

// pdfWithheld says why the minutes PDF of c may not go to inv, an invitee
// not on Slack (nil: someone caseconf does not know), or "" when it may.
func pdfWithheld(c *Conference, inv *Invitee, now time.Time) string {
	switch {
	case inv == nil:
		return "caseconf does not know which agency they work for (they were not invited as someone not on Slack), so the client's consent cannot be checked"
	case c.Consent.LapsedBy(now):
		return "the client's consent has run out: renew it with them"
	case !inv.Accepted():
		return "they have not accepted the information-sharing and confidentiality agreement"
	case !c.Covered(inv):
		return "the client's consent does not cover their agency (" + Label(AgencyKinds, inv.AgencyKind) + ")"
	}
	return ""
}

// MinutesPDFStillGoes says why the minutes PDF of c, which MinutesPDFFor
// let go to the address email (for name) when it was made, must not go
// there now, or "" when it may: what can change while it waits to be
// sent (the consent running out or no longer covering their agency, the
// agreement taken back) is decided again when it goes, as for the
// minutes on Slack (MinutesStillGo).
func MinutesPDFStillGoes(c *Conference, email, name string, now time.Time) string {
	return pdfWithheld(c, c.offSlackInvitee(email, name), now)
}

// offSlackInvitee is c's invitee not on Slack with e-mail address email,
// or else named name (case aside), or nil.
func (c *Conference) offSlackInvitee(email, name string) *Invitee {
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		if !inv.OnSlack() && email != "" && strings.EqualFold(inv.Email, email) {
			return inv
		}
	}
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		if !inv.OnSlack() && Visible(name) && strings.EqualFold(strings.TrimSpace(inv.Name), strings.TrimSpace(name)) {
			return inv
		}
	}
	return nil
}

// EmailIn is the first e-mail address in s (a share list's contact,
// "020 7946 0000, a@example.org"), or "".
func EmailIn(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '<' || r == '>' }) {
		if strings.Contains(f, "@") && CheckEmail(f) == "" {
			return f
		}
	}
	return ""
}
