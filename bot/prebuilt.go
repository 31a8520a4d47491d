package bot

import (
	"bytes"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// The scheduling form is 45 inputs that depend only on the caller (the
// chair's and minute taker's initial_user) and the earliest date. Building
// it with slack-go's structs and encoding it by reflection on every
// `/caseconf new` competed with the acks behind it for the CPU, so it is
// built and encoded once per earliest date, with a stand-in user ID where
// the caller goes, and the caller is spliced into the bytes per request.

// prebuiltCaller stands in for the caller in the encoded form. It is
// written like a Slack user ID (so it encodes as itself, unescaped) and is
// nothing that appears anywhere else in the form.
const prebuiltCaller = "U0PREBUILTCALLER0"

// prebuiltForm is the scheduling form for one earliest date, encoded, cut
// where the caller goes.
type prebuiltForm struct {
	date  string   // the earliest date, as the form shows it
	parts [][]byte // the encoded view, split at each occurrence of the caller
	size  int      // len of all parts together
}

// formCache holds the prebuilt scheduling form for the latest earliest
// date asked for. It is safe for concurrent use: two requests that find it
// stale both build it, and either result is right.
type formCache struct {
	cur atomic.Pointer[prebuiltForm]
}

// scheduleViewJSON is the scheduling form for caller and earliest, encoded
// as json.Marshal encodes scheduleModal(caller, earliest), or false when
// the caller cannot be spliced in safely (not a plain Slack user ID) or
// the form could not be prebuilt: the caller then builds it the slow way.
func (c *formCache) scheduleViewJSON(caller string, earliest time.Time) ([]byte, bool) {
	if !caseconf.IsSlackUserID(caller) {
		return nil, false
	}
	date := earliest.Format(caseconf.DateLayout)
	p := c.cur.Load()
	if p == nil || p.date != date {
		p = buildScheduleForm(earliest)
		if p == nil {
			return nil, false
		}
		c.cur.Store(p)
	}
	return p.appendView(make([]byte, 0, p.size+2*len(caller)), caller), true
}

// appendView appends the encoded view with caller in its places to dst.
func (p *prebuiltForm) appendView(dst []byte, caller string) []byte {
	dst = append(dst, p.parts[0]...)
	for _, part := range p.parts[1:] {
		dst = append(dst, caller...)
		dst = append(dst, part...)
	}
	return dst
}

// buildScheduleForm builds and encodes the scheduling form for earliest
// with the stand-in caller, or returns nil if it cannot be prebuilt (Slack
// would refuse it, or the stand-in is not exactly where the caller goes).
func buildScheduleForm(earliest time.Time) *prebuiltForm {
	view := scheduleModal(prebuiltCaller, earliest)
	if !slack.ValidateUniqueBlockID(view) {
		return nil // the slow path reports it as it always has
	}
	raw, err := json.Marshal(view)
	if err != nil {
		return nil
	}
	// Quoted, so only a whole JSON string that is the stand-in matches.
	quoted := []byte(`"` + prebuiltCaller + `"`)
	if bytes.Count(raw, quoted) != 2 || bytes.Count(raw, []byte(prebuiltCaller)) != 2 {
		return nil // the chair and the minute taker, and nothing else
	}
	parts := bytes.Split(raw, []byte(prebuiltCaller))
	return &prebuiltForm{date: earliest.Format(caseconf.DateLayout), parts: parts, size: len(raw) - 2*len(prebuiltCaller)}
}
