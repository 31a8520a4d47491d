package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Sender delivers the outbox: every message the bot must get to a person
// is written down first (in the transaction of the change that calls for
// it), then claimed by one sender, rendered from the data as it is now,
// posted, and marked sent with where it lives. Slack refusing, timing out
// or the process dying delays a message; it never loses one. Across a
// crash the guarantee is at least once: a message Slack took just before
// the process died, not yet marked sent, is rescued and posted again.
type Sender struct {
	bot    *Bot
	api    *slack.Client // no retries of its own: the sender decides
	worker string
	wake   chan struct{}

	// StuckAfter is how long a message may be in flight before it is
	// taken to be abandoned; zero means outboxStuckAfter. It must be
	// longer than a send can take.
	StuckAfter time.Duration

	mu          sync.Mutex
	blockedTill time.Time // chat.postMessage rate-limited until then, for the whole process
}

// Sender tuning. Each worker claims a batch of messages, reads what they
// need in a few statements for the whole batch, and sends them one at a
// time, marking each sent as soon as Slack has it: when a replica dies,
// only the message each worker was sending can have reached Slack without
// being marked sent (and so be posted twice). A claim's age is renewed
// (TouchClaims) before it could pass the rescue time while its batch waits
// its turn, so a message is taken back only if its sender stopped.
const (
	outboxBatch      = 32
	outboxFresh      = time.Second      // what a batch read is used to render for, at most
	outboxPoll       = 2 * time.Second  // a pass at least this often, for retries coming due
	outboxSendBound  = 30 * time.Second // one Slack call, at most
	outboxStuckAfter = 2 * outboxSendBound
)

// NewSender makes the bot's outbox sender. api should not retry on its
// own (no slack.OptionRetry): a 429 comes back to the sender, which holds
// every post for Retry-After.
func (b *Bot) NewSender(api *slack.Client) *Sender {
	host, _ := os.Hostname()
	// Who claimed a row, for the guarded finish: unique per process.
	worker := host + "/" + strconv.Itoa(os.Getpid()) + "/" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s := &Sender{bot: b, api: api, worker: worker, wake: make(chan struct{}, 1)}
	b.sender = s
	return s
}

// Sender is the bot's outbox sender (nil until NewSender).
func (b *Bot) Sender() *Sender { return b.sender }

// Wake asks for a pass now (something was just enqueued).
func (s *Sender) Wake() {
	if s == nil {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends: at once when woken, and every outboxPoll for
// retries coming due.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(outboxPoll)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.bot.log.Warn("outbox pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// RunOnce rescues abandoned messages, then claims and sends what is due,
// with outboxWorkers workers, until nothing due is left. Delivery runs on
// the wall clock: back-off and Retry-After are real seconds. It reports
// how many were sent.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	if _, err := s.bot.store.RescueOutbox(ctx, s.stuckAfter()); err != nil {
		return 0, err
	}
	var sent atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range outboxWorkers {
		worker := s.worker + "/" + strconv.Itoa(w)
		wg.Go(func() {
			n, err := s.drain(ctx, worker)
			sent.Add(int64(n))
			if err != nil {
				mu.Lock()
				firstErr = cmp.Or(firstErr, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return int(sent.Load()), firstErr
}

func (s *Sender) stuckAfter() time.Duration {
	if s.StuckAfter > 0 {
		return s.StuckAfter
	}
	return outboxStuckAfter
}

// outboxWorkers is how many messages one replica sends at once.
const outboxWorkers = 4

// drain claims batches and sends them, one message at a time, as worker
// until nothing due is left, Slack rate-limits, or ctx ends.
func (s *Sender) drain(ctx context.Context, worker string) (int, error) {
	st := s.bot.store
	// A batch's claims are renewed once they are this old: early enough
	// that one more send cannot take them past the rescue time.
	stuck := s.stuckAfter()
	renewAfter := max(stuck-outboxSendBound-stuck/4, 0)
	sent := 0
	// Batches start at one message and double while there is more: a few
	// messages go out side by side, one per worker, and a backlog in
	// batches of outboxBatch.
	size := 1
	for ctx.Err() == nil {
		if s.blockedFor() > 0 {
			return sent, nil // rate-limited: the rows wait, claimed by nobody
		}
		// Each claim reads the clock afresh: a long pass must not claim
		// what it just put back for later. The claim's age is counted
		// from before it was made.
		stamped := time.Now()
		batch, err := st.ClaimOutbox(ctx, worker, stamped, size)
		size = min(2*size, outboxBatch)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			return sent, nil
		}
		var data *store.RenderData
		for len(batch) > 0 {
			if ctx.Err() != nil {
				s.release(ctx, batch, time.Time{}) // for the next sender, at once
				return sent, ctx.Err()
			}
			if wait := s.blockedFor(); wait > 0 {
				s.release(ctx, batch, time.Now().Add(wait))
				return sent, nil
			}
			if time.Since(stamped) >= renewAfter {
				at := time.Now()
				if batch, err = st.TouchClaims(ctx, batch); err != nil {
					return sent, err
				}
				stamped = at
				if len(batch) == 0 {
					break
				}
			}
			if data == nil || time.Since(data.At) > outboxFresh {
				// What the rest of the batch says, read afresh: a message
				// never states what changed more than a moment before.
				// Rendering and sending it reads nothing more.
				if data, err = st.RenderData(ctx, batch); err != nil {
					s.release(ctx, batch, time.Now().Add(outboxPoll))
					return sent, err
				}
			}
			if s.send(ctx, batch[0], time.Now(), data) {
				sent++
			}
			batch = batch[1:]
		}
	}
	return sent, ctx.Err()
}

// release puts claimed messages that were not tried back for next (zero:
// at once), even while stopping.
func (s *Sender) release(ctx context.Context, ms []store.Outbox, next time.Time) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.bot.store.ReleaseClaims(rctx, ms, next); err != nil {
		// They are rescued after StuckAfter instead.
		s.bot.log.Warn("outbox: could not put back claimed messages", "count", len(ms), "err", err)
	}
}

func (s *Sender) blockedFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Until(s.blockedTill)
}

func (s *Sender) block(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := time.Now().Add(d); t.After(s.blockedTill) {
		s.blockedTill = t
	}
}

// send renders and posts one claimed message, and finishes it. It reports
// whether Slack took it.
func (s *Sender) send(ctx context.Context, m store.Outbox, now time.Time, data *store.RenderData) (sent bool) {
	b, st := s.bot, s.bot.store
	defer func() {
		// A message that makes the sender panic is given up, not retried
		// (it would take the process down on every pass), and the rest
		// go on. What it says stays out of the log.
		if p := recover(); p != nil {
			b.log.Error("outbox: sending a message panicked", "id", m.ID, "kind", m.Kind, "panic", fmt.Sprintf("%T", p))
			s.giveUp(ctx, m, "internal error while sending", data)
			sent = false
		}
	}()
	if m.Kind.Email() { // bot/email.go
		return s.sendEmail(ctx, m, now, data)
	}
	switch m.Kind {
	case caseconf.KindDeleteMessage:
		return s.deleteMessage(ctx, m, now)
	case caseconf.KindDeleteFile: // bot/governance.go
		return s.deleteFile(ctx, m, now)
	case caseconf.KindCalendar, caseconf.KindCalendarCancel: // bot/calendar.go
		return s.uploadCalendar(ctx, m, now, data)
	case caseconf.KindInvitationUpdate: // bot/edit.go
		return s.updateInvitation(ctx, m, now, data)
	}
	msg, skip := b.render(m, data)
	if skip != "" {
		s.finish(ctx, m, st.MarkCancelled(ctx, m, skip))
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, outboxSendBound)
	channel, ts, err := s.api.PostMessageContext(sctx, m.RecipientID, msg.options()...)
	cancel()
	if err == nil {
		s.posted(ctx, m, caseconf.MessageRef{Channel: channel, TS: ts}, msg, data)
		s.count(m.Kind, "sent")
		return true
	}
	reason := sendError(err)
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		s.block(rl.RetryAfter)
		s.finish(ctx, m, st.MarkRateLimited(ctx, m, reason, caseconf.RetryAt(now, 1, rl.RetryAfter)))
		s.count(m.Kind, "retried")
	case errors.As(err, &se) && permanent[se.Err]:
		s.giveUp(ctx, m, reason, data)
	case errors.As(err, &se):
		s.giveUp(ctx, m, reason, data) // Slack refused it as it is: trying again will not help
	case errors.As(err, &sc) && sc.Code < 500 && sc.Code != 408:
		s.giveUp(ctx, m, reason, data)
	case m.Attempts >= caseconf.MaxSendAttempts:
		s.giveUp(ctx, m, reason, data)
	default:
		// 5xx, a time-out or the network. A time-out is not proof of
		// failure: Slack may have posted it, and the retry may post it
		// again (at least once).
		s.finish(ctx, m, st.MarkRetry(ctx, m, reason, caseconf.RetryAt(now, m.Attempts, 0)))
		s.count(m.Kind, "retried")
	}
	return false
}

// posted records that Slack took message m, where it lives, and what
// its posting changes (store.MarkPosted), then re-renders what depends on
// it (afterPost): even while the sender is stopping, and through a
// database outage, retrying for as long as the claim holds, or it would
// be rescued and posted again. Its claim is renewed meanwhile.
func (s *Sender) posted(ctx context.Context, m store.Outbox, at caseconf.MessageRef, msg message, data *store.RenderData) {
	b, st := s.bot, s.bot.store
	deadline := time.Now().Add(s.stuckAfter())
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		p, err := st.MarkPosted(rctx, m, at)
		if err != nil && !store.ErrNotClaimed(err) {
			st.TouchClaims(rctx, []store.Outbox{m}) // keep it ours while the database comes back
		}
		cancel()
		switch {
		case err == nil:
			s.afterPosted(ctx, m, msg, p, data)
			return
		case store.ErrNotClaimed(err):
			// Where it lives is recorded all the same.
			s.afterPosted(ctx, m, msg, p, data)
			s.finish(ctx, m, err)
			return
		case time.Now().Add(wait).After(deadline) || ctx.Err() != nil: // the claim is about to lapse, or the sender is stopping
			b.log.Error("outbox: could not record a posted message; it may be posted again", "id", m.ID, "kind", m.Kind, "err", err)
			return
		}
		b.log.Warn("outbox: recording a posted message failed; trying again", "id", m.ID, "kind", m.Kind, "err", err)
		time.Sleep(wait)
	}
}

// afterPosted is afterPost even while the sender is stopping, within a
// time limit.
func (s *Sender) afterPosted(ctx context.Context, m store.Outbox, msg message, p store.Posted, data *store.RenderData) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.afterPost(actx, m, msg, p, data)
}

// permanent are Slack errors after which the message can never be
// delivered to that person.
var permanent = map[string]bool{
	"user_not_found": true, "account_inactive": true, "channel_not_found": true,
	"is_archived": true, "cannot_dm_bot": true, "user_disabled": true,
}

// giveUp marks the message failed and tells the case manager, once. A
// failed message to the case manager themselves is not sent to them again.
// d is what its batch read (nil for none).
func (s *Sender) giveUp(ctx context.Context, m store.Outbox, reason string, d *store.RenderData) {
	b := s.bot
	cm := ""
	// The case manager hears of invitations and notices that did not
	// arrive; not of reminders (one a day to a deactivated user would
	// become one notice a day), nor of their own messages.
	var c *caseconf.Conference
	if d != nil {
		c = d.Conferences[m.ConferenceID]
	}
	if c != nil && (m.Kind == caseconf.KindInvitation || m.Kind == caseconf.KindCancellation || m.Kind.Email()) && c.CaseManagerID != m.RecipientID {
		cm = c.CaseManagerID
	}
	if err := b.store.SendFailed(ctx, m, cm, reason); err != nil && !store.ErrNotClaimed(err) {
		b.log.Error("outbox: could not mark a message failed", "id", m.ID, "kind", m.Kind, "err", err)
	} else if err == nil && m.Kind == caseconf.KindInvitation && c != nil && d != nil {
		// The summary rendered later from this batch lists it.
		d.Failed[c.ID] = append(d.Failed[c.ID], m.RecipientID)
	}
	s.count(m.Kind, "failed")
	b.log.Warn("outbox: message given up", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "reason", reason)
	if m.Kind == caseconf.KindInvitation && m.ConferenceID != 0 {
		// The summary, if it is posted already, says so at once.
		b.refreshSummary(ctx, m.ConferenceID)
	}
	s.Wake()
}

func (s *Sender) finish(_ context.Context, m store.Outbox, err error) {
	switch {
	case err == nil:
	case store.ErrNotClaimed(err):
		s.bot.log.Warn("outbox: a message was rescued from this sender while it was sending", "id", m.ID, "kind", m.Kind)
	default:
		s.bot.log.Error("outbox: could not finish a message", "id", m.ID, "kind", m.Kind, "err", err)
	}
}

func (s *Sender) count(kind caseconf.MessageKind, result string) {
	if mt := s.bot.metrics; mt != nil {
		mt.Outbox.WithLabelValues(string(kind), result).Inc()
	}
}

// finishSent finishes message m as done, living at at (zero for a
// message that lives nowhere: an update, a deletion, an upload).
func (s *Sender) finishSent(ctx context.Context, m store.Outbox, at caseconf.MessageRef) {
	s.finish(ctx, m, s.bot.store.MarkSent(ctx, m, at))
	s.count(m.Kind, "sent")
}

// finishCall finishes message m after its one Slack call (an update, a
// deletion, an upload) failed with err: a rate limit holds every post for
// Retry-After and tries it again then; Slack refusing it as it is (an
// error it names, or an HTTP 4xx but 408), or its last attempt, gives it
// up; anything else (a 5xx, a time-out, the network) tries again with
// back-off; so does an error Slack names as passing (slackTransient). It
// reports whether it gave the message up.
func (s *Sender) finishCall(ctx context.Context, m store.Outbox, now time.Time, err error) (gaveUp bool) {
	st := s.bot.store
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		s.block(rl.RetryAfter)
		s.finish(ctx, m, st.MarkRateLimited(ctx, m, sendError(err), caseconf.RetryAt(now, 1, rl.RetryAfter)))
		s.count(m.Kind, "retried")
	case errors.As(err, &se) && !slackTransient(se.Err), errors.As(err, &sc) && sc.Code < 500 && sc.Code != 408,
		m.Attempts >= caseconf.MaxSendAttempts:
		s.finish(ctx, m, st.MarkFailed(ctx, m, sendError(err)))
		s.count(m.Kind, "failed")
		return true
	default:
		s.finish(ctx, m, st.MarkRetry(ctx, m, sendError(err), caseconf.RetryAt(now, m.Attempts, 0)))
		s.count(m.Kind, "retried")
	}
	return false
}

// sendError says why a send failed, with nothing of the message in it.
func sendError(err error) string {
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	var ne net.Error
	switch {
	case errors.As(err, &rl):
		return "slack: rate limited, retry after " + rl.RetryAfter.String()
	case errors.As(err, &se):
		return "slack: " + se.Err
	case errors.As(err, &sc):
		return "slack: HTTP " + strconv.Itoa(sc.Code)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out (Slack may have posted it)"
	}
	return "network: " + redactURLError(err)
}
