package fakeslack

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"time"
)

// MethodResponseURL is the Call.Method of posts to a ResponseURL.
const MethodResponseURL = "response_url"

// Call is one recorded HTTP request to the fake.
type Call struct {
	// Method is the Web API method, e.g. "chat.postMessage", or
	// MethodResponseURL for posts to a response URL.
	Method string
	// Token is from the "Authorization: Bearer" header or the "token" field.
	Token string
	// Params holds the form fields of form posts, the query of GET requests,
	// or the top-level fields of JSON posts (strings as-is, other values as
	// their compact JSON encoding).
	Params url.Values
	// Body is the raw request body.
	Body []byte
	// At is when the request arrived.
	At time.Time
	// ResponseURLID is the id of the response URL, for Method ==
	// MethodResponseURL.
	ResponseURLID string
	// Failed reports that a scripted Failure made this call fail.
	Failed bool
	// Status is the HTTP status the scripted Failure answered with (0 when
	// it did not fail, or failed with a Slack error and 200).
	Status int
	// Refused is the Slack error the payload was refused with because
	// real Slack would refuse it (see Refusals), or "". A scripted Failure
	// still answers first, but the refusal is kept.
	Refused string
}

// JSON returns the body decoded as a JSON object, or nil if it is not one
// (for example a form post).
func (c Call) JSON() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		return nil
	}
	return m
}

// clone returns a deep copy of c, so callers cannot alias recorded state.
func (c Call) clone() Call {
	c.Params = url.Values(maps.Clone(map[string][]string(c.Params)))
	for k, v := range c.Params {
		c.Params[k] = slices.Clone(v)
	}
	c.Body = slices.Clone(c.Body)
	return c
}

// Failure scripts the answer to one call of a method; see FailNext.
type Failure struct {
	// Status is the HTTP status to answer (e.g. 429, 500). 0 (or 200) means
	// 200 with {"ok":false,"error":Error}.
	Status int
	// RetryAfter sets the Retry-After header, in seconds (use with 429).
	RetryAfter int
	// Error is the Slack error code for Status 0, e.g. "channel_not_found".
	Error string
	// Delay is slept before answering. A Failure with only Delay set answers
	// normally, just late.
	Delay time.Duration
	// Channel, if set, makes the failure apply only to a call whose
	// "channel" parameter is this (a DM to one user, say); other calls
	// pass it by.
	Channel string
}

// fails reports whether f makes the call fail rather than only delaying it.
func (f Failure) fails() bool {
	return (f.Status != 0 && f.Status != 200) || f.Error != ""
}

// FailNext scripts the next not yet scripted call to method (use
// MethodResponseURL for response URLs). Failures are consumed in order, one
// per call.
func (s *Server) FailNext(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// FailEvery makes every call to method fail with f (after any scripted
// with FailNext) until Recover: an outage.
func (s *Server) FailEvery(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outages[method] = f
}

// Recover ends an outage of method begun with FailEvery.
func (s *Server) Recover(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.outages, method)
}

// popFailure removes and returns the next scripted failure for call c's
// method that applies to it, or the outage the method is in.
func (s *Server) popFailure(c Call) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.failures[c.Method]
	for i, f := range queue {
		if f.Channel == "" || f.Channel == c.Params.Get("channel") {
			s.failures[c.Method] = append(queue[:i:i], queue[i+1:]...)
			return f, true
		}
	}
	f, out := s.outages[c.Method]
	return f, out
}

// record appends c, and the refusal of its payload if any, to what the
// server has seen.
func (s *Server) record(c Call, refusal *Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c.clone())
	s.refuseLocked(refusal)
	s.broadcastLocked()
}

// Calls returns a copy of all recorded calls, in arrival order.
func (s *Server) Calls() []Call {
	return s.CallsTo("")
}

// CallsTo returns a copy of the recorded calls to method, in arrival order.
// An empty method matches every call.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsToLocked(method)
}

func (s *Server) callsToLocked(method string) []Call {
	out := []Call{}
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c.clone())
		}
	}
	return out
}

// WaitForCalls blocks until at least n calls to method (any method if empty)
// have been recorded, then returns them. If ctx ends first it returns the
// calls recorded so far and ctx's error.
func (s *Server) WaitForCalls(ctx context.Context, method string, n int) ([]Call, error) {
	err := s.waitFor(ctx, func() bool { return s.countLocked(method) >= n })
	return s.CallsTo(method), err
}

// CountCalls is how many calls to method (any method if empty) have been
// recorded: CallsTo's length, without copying them.
func (s *Server) CountCalls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.countLocked(method)
}

func (s *Server) countLocked(method string) int {
	if method == "" {
		return len(s.calls)
	}
	n := 0
	for i := range s.calls {
		if s.calls[i].Method == method {
			n++
		}
	}
	return n
}

// Reset forgets the recorded calls. Users, scripted failures, posted messages,
// views, refusals and Socket Mode state are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.broadcastLocked()
}
