package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// subject is what a button or a modal is about: one typed value, encoded
// the same way in every button value and private_metadata, so no handler
// parses IDs by hand. A zero ID means "none".
type subject struct {
	Conference int64
	Invitee    int64
	Outbox     int64 // a message the bot sent (a reminder)
	Days       int64 // a number of days (how long to snooze)
	Action     int64 // a row of an action plan
	Update     int64 // an update to an action (a date proposed)
	Page       int64 // where a page of a long reply starts (show, reports)
	Client     int64 // a client (a page of their chronology)
}

// String encodes s as "c7.i42.o9.d3.a5.u2.p4.k3" (any part may be absent).
func (s subject) String() string {
	var parts []string
	for _, p := range []struct {
		tag byte
		id  int64
	}{{'c', s.Conference}, {'i', s.Invitee}, {'o', s.Outbox}, {'d', s.Days}, {'a', s.Action}, {'u', s.Update}, {'p', s.Page}, {'k', s.Client}} {
		if p.id > 0 {
			parts = append(parts, string(p.tag)+strconv.FormatInt(p.id, 10))
		}
	}
	return strings.Join(parts, ".")
}

// parseSubject reads what subject.String wrote. Anything else (a forged
// or truncated value) is an error, and the handler treats it as a subject
// that does not exist.
func parseSubject(v string) (subject, error) {
	var s subject
	if v == "" {
		return s, fmt.Errorf("empty subject")
	}
	for _, part := range strings.Split(v, ".") {
		if len(part) < 2 {
			return subject{}, fmt.Errorf("malformed subject")
		}
		id, err := strconv.ParseInt(part[1:], 10, 64)
		if err != nil || id <= 0 {
			return subject{}, fmt.Errorf("malformed subject")
		}
		var field *int64
		switch part[0] {
		case 'c':
			field = &s.Conference
		case 'i':
			field = &s.Invitee
		case 'o':
			field = &s.Outbox
		case 'd':
			field = &s.Days
		case 'a':
			field = &s.Action
		case 'u':
			field = &s.Update
		case 'p':
			field = &s.Page
		case 'k':
			field = &s.Client
		}
		if field == nil || *field != 0 {
			return subject{}, fmt.Errorf("malformed subject")
		}
		*field = id
	}
	if s.String() != v {
		// One encoding: "c01", "c+1" or "i4.c7" would parse, but no value
		// of ours is written so.
		return subject{}, fmt.Errorf("malformed subject")
	}
	return s, nil
}

// maxPrivateMetadata is Slack's limit on a view's private_metadata.
const maxPrivateMetadata = 3000

// encodeState keeps a form's state in a view's private_metadata (for a
// modal that is updated as the user works in it, such as one that adds
// rows). It fails rather than send Slack more than it keeps.
func encodeState(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if len(raw) > maxPrivateMetadata {
		return "", fmt.Errorf("form state is %d bytes; Slack keeps %d", len(raw), maxPrivateMetadata)
	}
	return string(raw), nil
}

// decodeState reads what encodeState wrote into v.
func decodeState(s string, v any) error { return json.Unmarshal([]byte(s), v) }
