package fakeslack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
)

// methodFunc answers an authenticated Web API call with a JSON-encodable body.
type methodFunc func(s *Server, c Call) any

// methods are the built-in Web API methods.
var methods map[string]methodFunc

func init() {
	methods = map[string]methodFunc{
		"auth.test":             (*Server).authTest,
		"apps.connections.open": (*Server).appsConnectionsOpen,
		"chat.postMessage":      (*Server).chatPostMessage,
		"chat.postEphemeral":    (*Server).chatPostEphemeral,
		"chat.update":           (*Server).chatUpdate,
		"chat.delete":           (*Server).chatDelete,
		"conversations.open":    (*Server).conversationsOpen,
		"users.info":            (*Server).usersInfo,
		"views.open":            (*Server).viewsOpen,
		"views.push":            (*Server).viewsPush,
		"views.update":          (*Server).viewsUpdate,
		"views.publish":         (*Server).viewsPublish,

		"files.getUploadURLExternal":   (*Server).filesGetUploadURLExternal,
		"files.completeUploadExternal": (*Server).filesCompleteUploadExternal,
		"files.delete":                 (*Server).filesDelete,
	}
}

// seq is the source of every generated id, unique within the process.
var seq atomic.Int64

// nextSeq returns a fresh, increasing number.
func nextSeq() int64 { return seq.Add(1) }

// newTS returns a unique, increasing message timestamp like
// "1700000000.000100".
func newTS() string {
	n := nextSeq()
	return fmt.Sprintf("%d.%06d", 1700000000+n/1000000, n%1000000)
}

// DMChannelID is the id of the direct message channel with userID, as
// answered by conversations.open: "D" followed by the user id without its
// first letter.
func DMChannelID(userID string) string {
	if userID == "" {
		return ""
	}
	return "D" + userID[1:]
}

// isUserID reports whether id looks like a user id rather than a channel id.
func isUserID(id string) bool {
	return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W")
}

// resolveChannel maps a user id to its DM channel, as chat.postMessage does.
func resolveChannel(id string) string {
	if isUserID(id) {
		return DMChannelID(id)
	}
	return id
}

func (s *Server) authTest(Call) any {
	return ok(map[string]any{
		"url":     "https://" + TeamDomain + ".slack.com/",
		"team":    TeamName,
		"user":    BotName,
		"team_id": TeamID,
		"user_id": BotUserID,
		"bot_id":  BotID,
	})
}

func (s *Server) appsConnectionsOpen(Call) any {
	ticket := fmt.Sprint(nextSeq())
	s.mu.Lock()
	s.tickets[ticket] = true
	s.mu.Unlock()
	return ok(map[string]any{"url": s.websocketURL(ticket)})
}

// messageKey identifies a posted message.
type messageKey struct{ channel, ts string }

// messageBody echoes a posted message as Slack's "message" object. The
// second result is an error code if the blocks or attachments are not JSON
// arrays.
func messageBody(c Call, ts string) (map[string]any, string) {
	msg := map[string]any{
		"type":   "message",
		"text":   c.Params.Get("text"),
		"user":   BotUserID,
		"bot_id": BotID,
		"team":   TeamID,
		"ts":     ts,
	}
	for _, field := range []string{"blocks", "attachments"} {
		raw := c.Params.Get(field)
		if raw == "" {
			continue
		}
		if !isJSONArray(raw) {
			return nil, "invalid_" + field
		}
		msg[field] = json.RawMessage(raw)
	}
	if tts := c.Params.Get("thread_ts"); tts != "" {
		msg["thread_ts"] = tts
	}
	return msg, ""
}

// isJSONArray reports whether s is a valid JSON array.
func isJSONArray(s string) bool {
	var arr []json.RawMessage
	return json.Unmarshal([]byte(s), &arr) == nil
}

// hasContent reports whether a message call carries text, blocks or
// attachments.
func hasContent(c Call) bool {
	return c.Params.Get("text") != "" || c.Params.Get("blocks") != "" || c.Params.Get("attachments") != ""
}

func (s *Server) chatPostMessage(c Call) any {
	channel := resolveChannel(c.Params.Get("channel"))
	if channel == "" {
		return apiError(errChannelNotFound)
	}
	if !hasContent(c) {
		return apiError("no_text")
	}
	ts := newTS()
	msg, code := messageBody(c, ts)
	if code != "" {
		return apiError(code)
	}
	s.mu.Lock()
	s.messages[messageKey{channel, ts}] = true
	s.mu.Unlock()
	return ok(map[string]any{"channel": channel, "ts": ts, "message": msg})
}

func (s *Server) chatPostEphemeral(c Call) any {
	switch {
	case c.Params.Get("channel") == "":
		return apiError(errChannelNotFound)
	case c.Params.Get("user") == "":
		return apiError("user_not_found")
	case !hasContent(c):
		return apiError("no_text")
	}
	if _, code := messageBody(c, ""); code != "" {
		return apiError(code)
	}
	return ok(map[string]any{"message_ts": newTS()})
}

func (s *Server) chatUpdate(c Call) any {
	channel := resolveChannel(c.Params.Get("channel"))
	ts := c.Params.Get("ts")
	if channel == "" {
		return apiError(errChannelNotFound)
	}
	if !s.messageExists(channel, ts) {
		return apiError("message_not_found")
	}
	msg, code := messageBody(c, ts)
	if code != "" {
		return apiError(code)
	}
	return ok(map[string]any{"channel": channel, "ts": ts, "text": c.Params.Get("text"), "message": msg})
}

func (s *Server) chatDelete(c Call) any {
	channel := resolveChannel(c.Params.Get("channel"))
	ts := c.Params.Get("ts")
	if !s.messageExists(channel, ts) {
		return apiError("message_not_found")
	}
	s.mu.Lock()
	delete(s.messages, messageKey{channel, ts})
	s.mu.Unlock()
	return ok(map[string]any{"channel": channel, "ts": ts})
}

// messageExists reports whether chat.postMessage answered ts for channel.
func (s *Server) messageExists(channel, ts string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages[messageKey{channel, ts}]
}

func (s *Server) conversationsOpen(c Call) any {
	if ch := c.Params.Get("channel"); ch != "" {
		return ok(map[string]any{"channel": map[string]any{"id": ch}})
	}
	var users []string
	for u := range strings.SplitSeq(c.Params.Get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return apiError("users_list_not_supplied")
	}
	channel := map[string]any{"id": groupDMID(users), "is_mpim": true}
	if len(users) == 1 {
		channel = map[string]any{"id": DMChannelID(users[0]), "is_im": true, "user": users[0]}
	}
	id := channel["id"].(string)
	s.mu.Lock()
	already := s.opened[id]
	s.opened[id] = true
	s.mu.Unlock()
	return ok(map[string]any{"channel": channel, "no_op": already, "already_open": already})
}

// groupDMID derives a stable multi-person DM id from its members.
func groupDMID(users []string) string {
	sorted := append([]string(nil), users...)
	sort.Strings(sorted)
	var b strings.Builder
	b.WriteString("G")
	for _, u := range sorted {
		b.WriteString(u[1:])
	}
	return b.String()
}

func (s *Server) usersInfo(c Call) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if list := c.Params.Get("users"); list != "" {
		var found []any
		for id := range strings.SplitSeq(list, ",") {
			u, known := s.users[strings.TrimSpace(id)]
			if !known {
				return apiError("users_not_found")
			}
			found = append(found, u)
		}
		return ok(map[string]any{"users": found})
	}
	u, known := s.users[c.Params.Get("user")]
	if !known {
		return apiError("user_not_found")
	}
	return ok(map[string]any{"user": u})
}
