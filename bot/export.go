package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
)

// /caseconf export REF: the whole record of a conference as one Markdown
// file, uploaded into the caller's direct messages with the bot, for its
// case manager and administrators only (caseconf.CanExport). Slack is
// answered first; the record is read (and the export audited), rendered
// and uploaded after. Nothing of the record goes to a log.

func (b *Bot) registerExport() {
	b.HandleCommand("export", "REF", "The whole record of a conference as a file in your direct messages, for a client moving service (case manager or administrator); `/caseconf export REF pdf` makes it a password-protected PDF for people not on Slack; `/caseconf export REF minutes`, the minutes alone as a password-protected PDF, e-mailed to the people not on Slack on the share list", b.cmdExport)
}

// exportNames is how many Slack users' names an export looks up, at most;
// anyone past them is shown by their ID.
const exportNames = 60

func (b *Bot) cmdExport(ctx context.Context, r *Request, args []string) {
	asPDF := len(args) == 2 && strings.EqualFold(args[1], "pdf")
	if len(args) != 1 && !asPDF && !minutesPDFArg(args) {
		r.Reply(ctx, "Usage: `/caseconf export CC-0001` (Markdown), `/caseconf export CC-0001 pdf` (a password-protected PDF), or `/caseconf export CC-0001 minutes` (the minutes alone, as a password-protected PDF for the people not on Slack on the share list)")
		return
	}
	if !caseconf.IsRef(args[0]) {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	ref := strings.ToUpper(args[0])
	// Acknowledged before anything slow, with an answer that is the same
	// whether or not the conference exists or may be exported.
	r.Ack(ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: fmt.Sprintf(":hourglass_flowing_sand: Looking for %s…", ref)})
	if minutesPDFArg(args) {
		b.minutesPDF(ctx, r, ref)
		return
	}
	v := b.viewer(r.UserID)
	rec, err := b.store.ExportRecord(ctx, ref, v)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	c := rec.Conference
	rec.Names = b.names(ctx, recordUsers(rec))
	doc := export.Markdown(rec, b.cal.Loc)
	filename, comment := export.MarkdownFilename(c.Ref), fmt.Sprintf(":lock: The whole record of *%s*, as you asked. It holds the client's details: keep it where your service keeps case records.", c.Ref)
	// A PDF's password is made here, shown once to the caller below and
	// never stored or logged.
	password := ""
	if asPDF {
		password = export.NewPDFPassword()
		pdf, err := export.EncryptedPDF(doc, password)
		if err != nil {
			b.log.Error("could not make an export's PDF", "conference", c.ID, "user", r.UserID, "err", err)
			r.Reply(ctx, fmt.Sprintf("Sorry, the PDF of %s could not be made. `/caseconf export %s` gives the record as Markdown.", c.Ref, c.Ref))
			return
		}
		doc = pdf
		filename = export.PDFFilename(c.Ref)
		comment = fmt.Sprintf(":lock: The whole record of *%s* as a PDF protected by a password (AES-256), as you asked. The password was shown to you once, separately: give it to the reader by another route (a phone call, not the same email). It holds the client's details: keep it where your service keeps case records.", c.Ref)
	}
	kept, err := b.deliverToDM(ctx, r, c, filename, "Record of "+c.Ref, doc, comment)
	if !kept {
		r.Reply(ctx, fmt.Sprintf("Sorry, the record of %s could not be delivered just now, and nothing was kept. Please try `/caseconf export %s` again.", c.Ref, c.Ref))
		return
	}
	if err != nil {
		r.Reply(ctx, fmt.Sprintf("Sorry, Slack would not take the record of %s just now. Please try `/caseconf export %s` again.", c.Ref, c.Ref))
		return
	}
	b.log.Info("record exported", "conference", c.ID, "user", r.UserID, "actions", len(rec.Actions), "bytes", len(doc))
	r.Reply(ctx, fmt.Sprintf(":white_check_mark: The record of %s (%d actions) is in your direct messages with caseconf, as `%s`.",
		c.Ref, len(rec.Actions), filename))
	if asPDF {
		r.Reply(ctx, fmt.Sprintf(":key: The password of `%s` is `%s`\nIt is shown this once and kept nowhere: note it now. Give it to the reader by another route than the file (a phone call, not the same email).", filename, password))
	}
}

// deliverToDM uploads a document about conference c into r's user's
// direct messages and records its delivery (store.ExportDelivered: the
// audit, and the file against the client, so that erasure deletes it).
// err is why Slack did not take it; kept is false when it was uploaded
// but could not be recorded: it is then withdrawn from Slack at once
// (an unrecorded file erasure could never find; bot/uploads.go).
func (b *Bot) deliverToDM(ctx context.Context, r *Request, c *caseconf.Conference, filename, title string, content []byte, comment string) (kept bool, err error) {
	fileID, err := b.uploadToDM(ctx, r.UserID, filename, title, content, comment)
	reason := ""
	if err != nil {
		reason = "upload failed: " + sendError(err)
		b.log.Warn("a document could not be uploaded", "conference", c.ID, "user", r.UserID, "file", filename, "err", sendError(err))
	}
	if aerr := b.store.ExportDelivered(context.WithoutCancel(ctx), c, r.UserID, fileID, reason); aerr != nil {
		b.log.Error("could not record a document's delivery", "conference", c.ID, "user", r.UserID, "err", aerr)
		if fileID != "" {
			b.withdrawUnrecorded(ctx, fileID)
			return false, err
		}
	}
	return true, err
}

// uploadToDM uploads content as a file into the user's direct messages
// with the bot (Slack's three steps: an upload URL, the bytes, then
// sharing it in the DM's channel), and returns its file ID.
func (b *Bot) uploadToDM(ctx context.Context, userID, filename, title string, content []byte, comment string) (string, error) {
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}, ReturnIM: true})
	if err != nil {
		return "", err
	}
	f, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: filename, Title: title, FileSize: len(content), Reader: bytes.NewReader(content),
		Channel: ch.ID, InitialComment: comment,
	})
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

// names are the display names of users, as Slack gives them; a user
// Slack does not answer for is left out (and shown by their ID).
func (b *Bot) names(ctx context.Context, users []string) map[string]string {
	out := map[string]string{}
	for i, id := range users {
		if i >= exportNames || ctx.Err() != nil {
			break
		}
		uctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		u, err := b.api.GetUserInfoContext(uctx, id)
		cancel()
		if err != nil {
			continue
		}
		name := u.Profile.RealName
		if name == "" {
			name = u.RealName
		}
		if name == "" {
			name = u.Name
		}
		out[id] = name
	}
	return out
}

// recordUsers are the Slack users a record names, each once, the most
// prominent first.
func recordUsers(r *caseconf.Record) []string {
	c := r.Conference
	seen := map[string]bool{}
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	add(r.ExportedBy, c.CaseManagerID, c.ChairID, c.MinuteTakerID)
	for _, inv := range c.Invitees {
		add(inv.SlackUserID)
	}
	if o := r.Outcome; o != nil {
		add(o.RecordedBy, o.NewCaseManagerID)
		for _, p := range append(append([]caseconf.Person{}, o.Attended...), o.Apologies...) {
			add(p.UserID)
		}
	}
	for _, a := range r.Actions {
		add(a.OwnerID, a.DoneBy)
	}
	for _, s := range r.ShareList {
		add(s.UserID)
	}
	for _, versions := range r.Reports {
		for _, v := range versions {
			add(v.AuthorID)
		}
	}
	for _, d := range r.Disclosures {
		add(d.RecipientID, d.DecidedBy)
	}
	for _, h := range r.History {
		add(h.By)
	}
	return out
}
