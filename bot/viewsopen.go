package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// openViewRaw opens a modal whose view is already encoded (view), posting
// it to views.open as it is, without slack-go re-encoding it, and tells the
// user if Slack will not open it, as openView does.
func (b *Bot) openViewRaw(ctx context.Context, r *Request, triggerID, callbackID string, view []byte) {
	if err := b.postViewsOpen(ctx, triggerID, view); err != nil {
		b.log.Warn("could not open a modal", "callback", callbackID, "err", err)
		r.Reply(ctx, "Sorry, Slack would not open the form just now. Please try again.")
	}
}

// viewsOpenBody is the body slack-go's OpenViewContext posts:
// {"trigger_id":…,"view":…}, with view already encoded.
func viewsOpenBody(triggerID string, view []byte) []byte {
	tid, _ := json.Marshal(triggerID) // a string always encodes
	body := make([]byte, 0, len(`{"trigger_id":,"view":}`)+len(tid)+len(view))
	body = append(body, `{"trigger_id":`...)
	body = append(body, tid...)
	body = append(body, `,"view":`...)
	body = append(body, view...)
	return append(body, '}')
}

// Slack's answer to a rate-limited call is retried as slack-go's
// OptionRetry(2) retried it (the client the rest of the bot uses).
const (
	rawRetries        = 2                // retries after the first 429
	rawRetryAfterNone = 60 * time.Second // when a 429 has no usable Retry-After
	rawRetryAfterMin  = time.Second
	rawRetryJitter    = time.Second
)

// postViewsOpen posts views.open with the bot token through the bot's
// HTTP client (so the metrics transport counts it), retrying a 429 after
// its Retry-After up to rawRetries times within ctx. Its errors are those
// slack-go would have returned for the same answers.
func (b *Bot) postViewsOpen(ctx context.Context, triggerID string, view []byte) error {
	if triggerID == "" {
		return slack.ErrParametersMissing
	}
	body := viewsOpenBody(triggerID, view)
	endpoint := b.apiURL + "views.open"
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+b.botToken)
		resp, err := b.http.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < rawRetries {
			wait := retryAfter(resp.Header.Get("Retry-After"))
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if !sleepCtx(ctx, wait) {
				return ctx.Err()
			}
			continue
		}
		err = slackAnswer(resp)
		_ = resp.Body.Close()
		return err
	}
}

// retryAfter is how long to wait before retrying a 429 whose Retry-After
// header is h: as slack-go's rate-limit retry handler waits.
func retryAfter(h string) time.Duration {
	d := rawRetryAfterNone
	if h != "" {
		if sec, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil {
			if sec > 0 {
				d = time.Duration(sec) * time.Second
			} else {
				d = rawRetryAfterMin
			}
		}
	}
	d = max(d, rawRetryAfterMin)
	return d + rand.N(rawRetryJitter) // #nosec G404 -- jitter needs no cryptographic randomness
}

// slackAnswer reads a Web API answer as slack-go does: a 429 with
// Retry-After is a *slack.RateLimitedError, any other status but 200 a
// slack.StatusCodeError, and ok:false the slack.SlackErrorResponse of its
// error.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func slackAnswer(resp *http.Response) error {
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
		sec, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64)
		if err != nil {
			return err
		}
		return &slack.RateLimitedError{RetryAfter: time.Duration(sec) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		return slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	// Read into a buffer kept for the next answer, then decoded for ok
	// and error only: views.open answers with the whole view again.
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer answerBuffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, 8<<20)); err != nil {
		return err
	}
	var answer slack.SlackResponse
	if err := json.Unmarshal(buf.Bytes(), &answer); err != nil {
		return err
	}
	return answer.Err()
}
