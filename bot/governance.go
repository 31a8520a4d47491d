package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/export"
	"github.com/caseconf/caseconf/store"
)

// Governance, for administrators only (CASECONF_ADMINS): a conference's
// audit trail, a client's subject-access export, and erasure. To anyone
// else these commands do not exist: they get the unknown-command answer,
// and help never lists them.

func (b *Bot) registerGovernance() {
	b.HandleAdminCommand("audit", "REF", "A conference's audit trail, newest first", b.cmdAudit)
	b.HandleAdminCommand("subject-access", "CLIENTREF", "Everything held about a client, as a file in your direct messages", b.cmdSubjectAccess)
	b.HandleAdminCommand("erase", "CLIENTREF", "Erase everything held about a client", b.cmdErase)
	b.HandleAction("govaudit", b.actAuditPage)
	b.HandleView(eraseCallback, b.viewErase)
}

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 20

func (b *Bot) cmdAudit(ctx context.Context, r *Request, args []string) {
	if len(args) != 1 {
		r.Reply(ctx, "Usage: `/caseconf audit CC-0001`")
		return
	}
	b.replyAudit(ctx, r, args[0], 0)
}

func (b *Bot) actAuditPage(ctx context.Context, r *Request) {
	r.Ack(nil)
	if caseconf.CanGovern(b.viewer(r.UserID)) != nil {
		return
	}
	ref, off, ok := strings.Cut(r.Interaction.ActionCallback.BlockActions[0].Value, ":")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 {
		return
	}
	b.replyAudit(ctx, r, ref, n)
}

func (b *Bot) replyAudit(ctx context.Context, r *Request, ref string, offset int) {
	if !caseconf.IsRef(ref) {
		b.replyError(ctx, r, caseconf.NotFound())
		return
	}
	p, err := b.store.ConferenceAudit(ctx, ref, b.viewer(r.UserID), offset, auditPageSize)
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Audit trail of %s* (newest first, entries %d–%d)\n", p.Ref, offset+1, offset+len(p.Entries))
	if len(p.Entries) == 0 {
		sb.WriteString("_Nothing here._\n")
	}
	for _, e := range p.Entries {
		fmt.Fprintf(&sb, "• %s — <@%s> — `%s`", e.At.In(b.cal.Loc).Format("2 Jan 2006 15:04:05"), e.ActorID, e.Action)
		if e.Detail != "" {
			sb.WriteString(" — " + e.Detail)
		}
		sb.WriteString("\n")
	}
	text := strings.TrimRight(sb.String(), "\n")
	blocks := sections(text)
	var nav []slack.BlockElement
	if p.More {
		nav = append(nav, button("govaudit:older", fmt.Sprintf("%s:%d", p.Ref, offset+auditPageSize), "Older", ""))
	}
	if offset > 0 {
		nav = append(nav, button("govaudit:newer", fmt.Sprintf("%s:%d", p.Ref, max(offset-auditPageSize, 0)), "Newer", ""))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("govaudit_nav", nav...))
	}
	r.Reply(ctx, text, blocks...)
}

func (b *Bot) cmdSubjectAccess(ctx context.Context, r *Request, args []string) {
	if len(args) == 0 {
		r.Reply(ctx, "Usage: `/caseconf subject-access CLIENTREF`")
		return
	}
	b.withClient(ctx, r, "subject-access", strings.Join(args, " ")) // a reference may hold spaces
}

// subjectAccess puts everything held about client m (one client:
// withClient) in the administrator's direct messages, as a file.
func (b *Bot) subjectAccess(ctx context.Context, r *Request, m caseconf.ClientMatch) {
	if r.Command != nil {
		r.Ack(ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: ":hourglass_flowing_sand: Gathering everything held about that client…"})
	} else {
		r.Ack(nil)
	}
	clients, recs, err := b.store.SubjectAccess(ctx, m.ID, b.viewer(r.UserID))
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		r.Reply(ctx, "No client has that reference.")
		return
	}
	if err != nil {
		b.replyError(ctx, r, err)
		return
	}
	ids := make([]int64, len(clients))
	for i, cl := range clients {
		ids[i] = cl.ID
	}
	for _, rec := range recs {
		rec.Names = b.names(ctx, recordUsers(rec))
	}
	doc := export.SubjectAccess(m.Reference, r.UserID, b.now(), b.cal.Loc, clients, recs)
	filename := export.SubjectAccessFilename(time.Now())
	fileID, err := b.uploadToDM(ctx, r.UserID, filename, "Subject access", doc,
		":lock: Everything held about the client you asked for. It holds the client's details: keep it where your service keeps case records.")
	reason := ""
	if err != nil {
		reason = "upload failed: " + sendError(err)
	}
	if aerr := b.store.SubjectAccessDelivered(context.WithoutCancel(ctx), ids, r.UserID, fileID, reason); aerr != nil {
		b.log.Error("could not audit a subject-access delivery", "user", r.UserID, "err", aerr)
		if fileID != "" {
			// Unrecorded, erasure could never find it (bot/uploads.go).
			b.withdrawUnrecorded(ctx, fileID)
			r.Reply(ctx, "Sorry, the file could not be delivered just now, and nothing was kept. Please try again.")
			return
		}
	}
	if err != nil {
		b.log.Warn("subject access could not be uploaded", "user", r.UserID, "err", sendError(err))
		r.Reply(ctx, "Sorry, Slack would not take the file just now. Please try again.")
		return
	}
	b.log.Info("subject access exported", "user", r.UserID, "clients", len(clients), "conferences", len(recs))
	r.Reply(ctx, fmt.Sprintf(":white_check_mark: Everything held about that client (%d conferences) is in your direct messages with caseconf, as `%s`.", len(recs), filename))
}

const (
	eraseCallback = "govern_erase"
	eraseField    = "erase_confirm"
)

func (b *Bot) cmdErase(ctx context.Context, r *Request, args []string) {
	if len(args) == 0 {
		r.Reply(ctx, "Usage: `/caseconf erase CLIENTREF`")
		return
	}
	b.withClient(ctx, r, "erase", strings.Join(args, " ")) // a reference may hold spaces
}

// openErase asks the administrator to confirm the erasure of client m
// (one client: withClient) by typing its reference again.
func (b *Bot) openErase(ctx context.Context, r *Request, m caseconf.ClientMatch) {
	ref := strings.ToUpper(m.Reference)
	first := "no conference"
	if !m.FirstConference.IsZero() {
		first = "first conference " + m.FirstConference.In(b.cal.Loc).Format("2 Jan 2006")
	}
	view := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: eraseCallback, PrivateMetadata: clientMeta(m),
		Title: plain("Erase a client"), Submit: plain("Erase"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf(":warning: This deletes *everything* held about client *%s* of %s (%s): every conference, report, outcome, action, consent and the bot's messages about them. It cannot be undone.",
				export.MarkdownText(ref), user(m.CaseManagerID), first)),
			slack.NewInputBlock(eraseField, plain("Type the client's reference again to confirm"), nil,
				slack.NewPlainTextInputBlockElement(plain(ref), eraseField)),
		}},
	}
	r.Ack(nil)
	b.openView(ctx, r, triggerID(r), view)
}

func (b *Bot) viewErase(ctx context.Context, r *Request) {
	v := b.viewer(r.UserID)
	if caseconf.CanGovern(v) != nil {
		r.Ack(slack.NewClearViewSubmissionResponse())
		return
	}
	m, err := b.metaClient(ctx, r.Interaction.View.PrivateMetadata, v, caseconf.ClientForGovernance)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		err = caseconf.Errorf(caseconf.ENOTFOUND, "No client has that reference: it may have been erased already.")
	}
	if err != nil {
		b.ackViewError(ctx, r, err, "")
		return
	}
	typed := ""
	if st := r.Interaction.View.State; st != nil {
		typed = strings.TrimSpace(st.Values[eraseField][eraseField].Value)
	}
	if !caseconf.SameClientRef(typed, m.Reference) {
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{eraseField: "That is not the reference you asked to erase."}))
		return
	}
	r.Ack(slack.NewClearViewSubmissionResponse())
	res, err := b.EraseClient(ctx, m.ID, r.UserID, "administrator")
	if err != nil {
		b.log.Error("erasure failed", "user", r.UserID, "err", err)
		b.dm(ctx, r.UserID, "Sorry, the erasure did not finish; nothing was erased. Please try again.")
		return
	}
	confs, msgs, files := 0, 0, 0
	for _, e := range res {
		confs += e.Conferences
		msgs += e.Messages
		files += e.Files
	}
	b.dm(ctx, r.UserID, fmt.Sprintf(":wastebasket: Erased: %d client record(s), %d conference(s); %d of caseconf's Slack messages and %d of its files about them are being deleted.", len(res), confs, msgs, files))
}

// EraseClient erases client id, one client (store.EraseClient), and wakes
// the sender to delete the bot's messages about them. A client erased
// already erases nothing.
func (b *Bot) EraseClient(ctx context.Context, id int64, actor, why string) ([]store.Erased, error) {
	return b.eraseIDs(ctx, []int64{id}, actor, why)
}

func (b *Bot) eraseIDs(ctx context.Context, ids []int64, actor, why string) ([]store.Erased, error) {
	var out []store.Erased
	defer func() {
		if b.sender != nil {
			b.sender.Wake()
		}
	}()
	for _, id := range ids {
		e, err := b.store.EraseClient(ctx, id, actor, why)
		if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
			continue // erased meanwhile
		}
		if err != nil {
			return out, err
		}
		b.log.Info("client erased", "client", id, "by", actor, "why", why, "conferences", e.Conferences, "messages", e.Messages, "files", e.Files)
		b.RefreshHome(e.Users...) // their Home tabs listed what is gone
		out = append(out, e)
	}
	return out, nil
}

// EraseExpired erases every client with no activity since cutoff (the
// retention period before now), as the daily retention job does; first
// it deletes the messages that were being sent when earlier erasures ran
// (store.ClearErasedLeftovers).
func (b *Bot) EraseExpired(ctx context.Context, cutoff time.Time) ([]store.Erased, error) {
	if n, err := b.store.ClearErasedLeftovers(ctx); err != nil {
		b.log.Error("retention: could not clear what erasures left", "err", err)
	} else if n > 0 {
		b.log.Info("retention: messages sent while their client was erased are being deleted", "messages", n)
	}
	ids, err := b.store.ClientsPastRetention(ctx, cutoff)
	if err != nil {
		return nil, err
	}
	return b.eraseIDs(ctx, ids, "retention", "retention")
}

// slackTransient reports whether a Slack error code (ok:false) says the
// call failed on Slack's side for now, and may succeed if tried again
// (Slack's own advice for these). A deletion for an erasure retries
// them, as it does a 5xx, rather than giving up and leaving the client's
// message or file in Slack.
func slackTransient(code string) bool {
	switch code {
	case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
		return true
	}
	return false
}

// deleteMessage carries out a delete_message outbox row: chat.delete of
// the bot's own message. A message already gone counts as deleted.
func (s *Sender) deleteMessage(ctx context.Context, m store.Outbox, now time.Time) bool {
	st := s.bot.store
	channel, ts, ok := store.DeleteTarget(m)
	if !ok {
		s.finish(ctx, m, st.MarkFailed(ctx, m, "not a channel and timestamp"))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	_, _, err := s.api.DeleteMessageContext(sctx, channel, ts)
	cancel()
	var se slack.SlackErrorResponse
	if err == nil || errors.As(err, &se) && (se.Err == "message_not_found" || se.Err == "channel_not_found") {
		s.finishSent(ctx, m, caseconf.MessageRef{})
		return true
	}
	if s.finishCall(ctx, m, now, err) {
		s.bot.log.Error("a message the bot had to delete could not be deleted from Slack: delete it by hand", "channel", channel, "ts", ts, "err", sendError(err))
	}
	return false
}

// deleteFile deletes a file the bot uploaded about an erased client
// (files.delete) and finishes its outbox row. A file already gone counts
// as deleted.
func (s *Sender) deleteFile(ctx context.Context, m store.Outbox, now time.Time) bool {
	st := s.bot.store
	fileID, ok := store.DeleteFileTarget(m)
	if !ok {
		s.finish(ctx, m, st.MarkFailed(ctx, m, "not a file"))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	err := s.api.DeleteFileContext(sctx, fileID)
	cancel()
	var se slack.SlackErrorResponse
	if err == nil || errors.As(err, &se) && (se.Err == "file_not_found" || se.Err == "file_deleted") {
		s.finishSent(ctx, m, caseconf.MessageRef{})
		return true
	}
	if s.finishCall(ctx, m, now, err) {
		s.bot.log.Error("a file the bot had to delete could not be deleted from Slack: delete it by hand", "file", fileID, "err", sendError(err))
	}
	return false
}
