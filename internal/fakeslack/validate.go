package fakeslack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fake checks every message and view it is sent against Slack's
// limits (limits.go) and refuses what Slack refuses, in Slack's words:
//
//	{"ok":false,"error":"invalid_blocks",
//	 "errors":["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
//	 "response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]}}
//
// Each refusal is also kept (Refusals), so a test can fail on any payload
// real Slack would not have taken, whatever the code that sent it did with
// the error.

// Slack error codes for refused payloads.
const (
	errInvalidBlocks    = "invalid_blocks"
	errMsgTooLong       = "msg_too_long"
	errMsgBlocksTooLong = "msg_blocks_too_long"
	errViewTooLarge     = "view_too_large"
)

// MethodAck is the Refusal.Method of a Socket Mode acknowledgement whose
// payload Slack would not take (a response_action view, or a reply to a
// slash command).
const MethodAck = "ack"

// Refusal is a payload the fake refused because real Slack would have.
type Refusal struct {
	// Method is the Web API method, MethodResponseURL or MethodAck.
	Method string
	// Error is Slack's error code, e.g. "invalid_blocks".
	Error string
	// Messages are Slack's explanations, each naming the offending field
	// by JSON pointer; none for msg_blocks_too_long, as with Slack.
	Messages []string
	// Outline describes the payload by its shape only (blocks, characters,
	// callback_id), never its text.
	Outline string
}

// String is the refusal in one line: method, error, the first few
// messages and the outline.
func (r Refusal) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", r.Method, r.Error)
	const shown = 3
	for i, m := range r.Messages {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(r.Messages)-shown)
			break
		}
		b.WriteString("; " + m)
	}
	if r.Outline != "" {
		b.WriteString(" (" + r.Outline + ")")
	}
	return b.String()
}

// body is what Slack answers a refused Web API call.
func (r Refusal) body() map[string]any {
	out := apiError(r.Error)
	if len(r.Messages) == 0 {
		return out
	}
	tagged := make([]string, len(r.Messages))
	for i, m := range r.Messages {
		tagged[i] = "[ERROR] " + m
	}
	if r.Error == errInvalidBlocks {
		out["errors"] = r.Messages
	}
	out["response_metadata"] = map[string]any{"messages": tagged}
	return out
}

// Refusals returns every payload refused so far, in arrival order.
func (s *Server) Refusals() []Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Refusal, len(s.refusals))
	for i, r := range s.refusals {
		r.Messages = append([]string(nil), r.Messages...)
		out[i] = r
	}
	return out
}

// refuseLocked keeps r, if any. s.mu must be held.
func (s *Server) refuseLocked(r *Refusal) {
	if r != nil {
		s.refusals = append(s.refusals, *r)
	}
}

// checkCall checks the payload of a call to a method that carries a
// message or a view; nil if Slack would take it.
func checkCall(c Call) *Refusal {
	var r *Refusal
	switch c.Method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update":
		r = checkMessage(c.Params.Get("text"), c.Params.Get("blocks"), true)
	case MethodResponseURL:
		r = checkMessage(c.Params.Get("text"), c.Params.Get("blocks"), false)
	case "views.open", "views.push", "views.update", "views.publish":
		view := []byte(c.Params.Get("view"))
		r = remembered(viewChecks, view, func() *Refusal { return checkView(view, "/view") })
	}
	if r != nil {
		r.Method = c.Method
		if ch := c.Params.Get("channel"); ch != "" {
			r.Outline += ", sent to " + ch
		}
	}
	return r
}

// checkAck checks what a Socket Mode client acknowledged an envelope with:
// a reply to a slash command, or a view_submission's response_action
// "update" or "push" with its view. nil if Slack would take it.
func checkAck(payload json.RawMessage) *Refusal {
	return remembered(ackChecks, payload, func() *Refusal { return checkAckPayload(payload) })
}

// Checks depend on the bytes checked only, so the same answer or view sent
// again is checked once (a benchmark sends thousands of identical ones).
var ackChecks, viewChecks = newCheckMemo(), newCheckMemo()

type checkMemo struct {
	mu sync.Mutex
	m  map[string]*Refusal
}

func newCheckMemo() *checkMemo { return &checkMemo{m: map[string]*Refusal{}} }

// remembered is check(), or what it answered before for the same bytes.
func remembered(memo *checkMemo, b []byte, check func() *Refusal) *Refusal {
	memo.mu.Lock()
	r, seen := memo.m[string(b)]
	memo.mu.Unlock()
	if !seen {
		r = check()
		memo.mu.Lock()
		if len(memo.m) >= 256 {
			clear(memo.m)
		}
		memo.m[string(b)] = r
		memo.mu.Unlock()
	}
	if r == nil {
		return nil
	}
	c := *r // callers keep and may change what they are given
	c.Messages = slices.Clone(r.Messages)
	return &c
}

func checkAckPayload(payload json.RawMessage) *Refusal {
	var ack struct {
		Text           *string         `json:"text"`
		Blocks         json.RawMessage `json:"blocks"`
		ResponseAction string          `json:"response_action"`
		View           json.RawMessage `json:"view"`
	}
	if len(bytes.TrimSpace(payload)) == 0 || json.Unmarshal(payload, &ack) != nil {
		return nil
	}
	var r *Refusal
	switch {
	case ack.ResponseAction == "update" || ack.ResponseAction == "push":
		r = checkView(ack.View, "/view")
	case ack.Text != nil || len(ack.Blocks) > 0:
		text := ""
		if ack.Text != nil {
			text = *ack.Text
		}
		r = checkMessage(text, string(ack.Blocks), false)
	}
	if r != nil {
		r.Method = MethodAck
	}
	return r
}

// checkMessage checks a message's text and blocks (a JSON array, or
// empty). cumulative applies msg_blocks_too_long, which Slack applies to
// chat.* methods and not to replies through a response_url.
func checkMessage(text, blocks string, cumulative bool) *Refusal {
	if n := utf8.RuneCountInString(text); n > maxMessageText {
		return &Refusal{Error: errMsgTooLong, Outline: fmt.Sprintf("message text of %d characters", n)}
	}
	if strings.TrimSpace(blocks) == "" {
		return nil
	}
	var arr any
	if err := json.Unmarshal([]byte(blocks), &arr); err != nil {
		return nil // not JSON: messageBody answers that
	}
	v := &validator{blockIDs: map[string]bool{}}
	v.blocks("/blocks", arr, maxMessageBlocks)
	outline := fmt.Sprintf("message of %d blocks, %d characters of block text", v.nblocks, v.chars)
	switch {
	case len(v.errs) > 0:
		return &Refusal{Error: errInvalidBlocks, Messages: v.errs, Outline: outline}
	case cumulative && v.chars > maxBlocksText:
		return &Refusal{Error: errMsgBlocksTooLong, Outline: outline}
	}
	return nil
}

// checkView checks a view object; ptr is its JSON pointer in the request
// ("/view").
func checkView(raw []byte, ptr string) *Refusal {
	if len(raw) > maxViewBytes {
		return &Refusal{Error: errViewTooLarge, Outline: fmt.Sprintf("view of %d bytes", len(raw))}
	}
	var view map[string]any
	if json.Unmarshal(raw, &view) != nil || view == nil {
		return nil // the method answers a view that is not an object
	}
	v := &validator{blockIDs: map[string]bool{}}
	typ, _ := view["type"].(string)
	switch typ {
	case "modal":
		v.requiredText(ptr+"/title", view["title"], maxViewTitle, true)
		v.optionalText(ptr+"/submit", view["submit"], maxViewTitle, true)
		v.optionalText(ptr+"/close", view["close"], maxViewTitle, true)
	case "home":
	default:
		v.fail(ptr+"/type", "must be one of modal, home")
	}
	v.maxString(ptr+"/private_metadata", view["private_metadata"], maxPrivateMetadata)
	v.maxString(ptr+"/callback_id", view["callback_id"], maxCallbackID)
	v.maxString(ptr+"/external_id", view["external_id"], maxExternalID)
	v.blocks(ptr+"/blocks", view["blocks"], maxViewBlocks)
	if typ == "modal" && v.inputs > 0 && view["submit"] == nil {
		v.fail(ptr, "must provide submit when the view has input blocks")
	}
	if len(v.errs) == 0 {
		return nil
	}
	callback, _ := view["callback_id"].(string)
	return &Refusal{
		Error:    errInvalidArgs, // as views.* answer
		Messages: v.errs,
		Outline:  fmt.Sprintf("%s view, callback_id %q, of %d blocks", typ, callback, v.nblocks),
	}
}

// validator walks one message's or view's blocks, collecting Slack's
// error messages.
type validator struct {
	errs     []string
	blockIDs map[string]bool // unique within the message or view
	nblocks  int
	inputs   int // input blocks
	chars    int // characters of text in all text objects
}

func (v *validator) fail(ptr, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

// maxString checks an optional string field's length.
func (v *validator) maxString(ptr string, x any, max int) {
	if x == nil {
		return
	}
	s, ok := x.(string)
	if !ok {
		v.fail(ptr, "must be a string")
		return
	}
	if utf8.RuneCountInString(s) > max {
		v.fail(ptr, "must be less than %d characters", max+1)
	}
}

// requiredString checks a string field that must be present and not empty.
func (v *validator) requiredString(ptr string, x any, max int) {
	if s, ok := x.(string); !ok || s == "" {
		v.fail(ptr, "must be more than 0 characters")
		return
	}
	v.maxString(ptr, x, max)
}

func (v *validator) optionalText(ptr string, x any, max int, plainOnly bool) {
	if x != nil {
		v.requiredText(ptr, x, max, plainOnly)
	}
}

// requiredText checks a text object: plain_text (or mrkdwn, where
// allowed) with 1 to max characters.
func (v *validator) requiredText(ptr string, x any, max int, plainOnly bool) {
	obj, ok := x.(map[string]any)
	if !ok {
		v.fail(ptr, "must provide an object")
		return
	}
	switch typ, _ := obj["type"].(string); {
	case typ == "plain_text":
	case typ == "mrkdwn" && !plainOnly:
	case plainOnly:
		v.fail(ptr+"/type", "must be one of plain_text")
	default:
		v.fail(ptr+"/type", "must be one of plain_text, mrkdwn")
	}
	s, _ := obj["text"].(string)
	n := utf8.RuneCountInString(s)
	v.chars += n
	switch {
	case n == 0:
		v.fail(ptr+"/text", "must be more than 0 characters")
	case n > max:
		v.fail(ptr+"/text", "must be less than %d characters", max+1)
	}
}

// list checks that x is an array of at most max items (at least min) and
// returns it.
func (v *validator) list(ptr string, x any, min, max int) []any {
	arr, ok := x.([]any)
	switch {
	case !ok && min > 0:
		v.fail(ptr, "must provide an array")
	case len(arr) < min:
		v.fail(ptr, "must provide at least %d items", min)
	case len(arr) > max:
		v.fail(ptr, "no more than %d items allowed", max)
	}
	return arr
}

// blocks checks a surface's blocks.
func (v *validator) blocks(ptr string, x any, max int) {
	arr, ok := x.([]any)
	if !ok {
		v.fail(ptr, "must provide an array")
		return
	}
	v.nblocks = len(arr)
	if len(arr) > max {
		v.fail(ptr, "no more than %d items allowed", max)
	}
	for i, b := range arr {
		v.block(fmt.Sprintf("%s/%d", ptr, i), b)
	}
}

// block checks one block. Block types the bot does not use are taken as
// they are, beyond their block_id.
func (v *validator) block(ptr string, x any) {
	b, ok := x.(map[string]any)
	if !ok {
		v.fail(ptr, "must provide an object")
		return
	}
	if id, isString := b["block_id"].(string); isString && id != "" {
		v.maxString(ptr+"/block_id", id, maxBlockID)
		if v.blockIDs[id] {
			v.fail(ptr+"/block_id", "duplicate block_id")
		}
		v.blockIDs[id] = true
	}
	switch typ, _ := b["type"].(string); typ {
	case "section":
		if b["text"] == nil && b["fields"] == nil {
			v.fail(ptr, "must define either `text` or `fields`")
		}
		v.optionalText(ptr+"/text", b["text"], maxSectionText, false)
		for i, f := range v.list(ptr+"/fields", b["fields"], 0, maxSectionFields) {
			v.requiredText(fmt.Sprintf("%s/fields/%d", ptr, i), f, maxSectionField, false)
		}
		if b["accessory"] != nil {
			v.element(ptr+"/accessory", b["accessory"], map[string]bool{})
		}
	case "header":
		v.requiredText(ptr+"/text", b["text"], maxHeaderText, true)
	case "markdown":
		s, _ := b["text"].(string)
		v.chars += utf8.RuneCountInString(s)
		v.requiredString(ptr+"/text", b["text"], maxMarkdownText)
	case "context":
		for i, e := range v.list(ptr+"/elements", b["elements"], 1, maxContextElements) {
			p := fmt.Sprintf("%s/elements/%d", ptr, i)
			if m, _ := e.(map[string]any); m != nil && m["type"] == "image" {
				v.requiredString(p+"/alt_text", m["alt_text"], maxImageAltText)
				continue
			}
			v.requiredText(p, e, maxTextObject, false)
		}
	case "actions":
		actionIDs := map[string]bool{}
		for i, e := range v.list(ptr+"/elements", b["elements"], 1, maxActionsElements) {
			v.element(fmt.Sprintf("%s/elements/%d", ptr, i), e, actionIDs)
		}
	case "input":
		v.inputs++
		v.requiredText(ptr+"/label", b["label"], maxInputLabel, true)
		v.optionalText(ptr+"/hint", b["hint"], maxInputLabel, true)
		if b["element"] == nil {
			v.fail(ptr, "must provide element")
		} else {
			v.element(ptr+"/element", b["element"], map[string]bool{})
		}
	case "image":
		v.requiredString(ptr+"/alt_text", b["alt_text"], maxImageAltText)
		v.optionalText(ptr+"/title", b["title"], maxInputLabel, true)
	}
}

// element checks an interactive element; actionIDs are those already used
// in its block.
func (v *validator) element(ptr string, x any, actionIDs map[string]bool) {
	e, ok := x.(map[string]any)
	if !ok {
		v.fail(ptr, "must provide an object")
		return
	}
	if id, isString := e["action_id"].(string); isString && id != "" {
		v.maxString(ptr+"/action_id", id, maxActionID)
		if actionIDs[id] {
			v.fail(ptr+"/action_id", "duplicate action_id")
		}
		actionIDs[id] = true
	}
	v.optionalText(ptr+"/placeholder", e["placeholder"], maxPlaceholder, true)
	if e["confirm"] != nil {
		v.confirm(ptr+"/confirm", e["confirm"])
	}
	switch typ, _ := e["type"].(string); typ {
	case "button":
		v.requiredText(ptr+"/text", e["text"], maxButtonText, true)
		v.maxString(ptr+"/value", e["value"], maxButtonValue)
		v.maxString(ptr+"/url", e["url"], maxURL)
		v.maxString(ptr+"/accessibility_label", e["accessibility_label"], maxAccessLabel)
	case "static_select", "multi_static_select":
		if e["options"] == nil && e["option_groups"] == nil {
			v.fail(ptr, "must provide either options or option_groups")
		}
		v.options(ptr+"/options", e["options"], 0, maxSelectOptions, true)
		for i, g := range v.list(ptr+"/option_groups", e["option_groups"], 0, maxSelectOptions) {
			p := fmt.Sprintf("%s/option_groups/%d", ptr, i)
			group, _ := g.(map[string]any)
			v.requiredText(p+"/label", group["label"], maxOptionText, true)
			v.options(p+"/options", group["options"], 1, maxSelectOptions, true)
		}
	case "checkboxes", "radio_buttons":
		v.options(ptr+"/options", e["options"], 1, maxChoiceOptions, false)
	case "overflow":
		v.options(ptr+"/options", e["options"], 1, maxOverflowOptions, true)
	case "plain_text_input":
		if n, isNumber := e["min_length"].(float64); isNumber && n > maxInputMinLength {
			v.fail(ptr+"/min_length", "must be less than or equal to %d", maxInputMinLength)
		}
		max, hasMax := e["max_length"].(float64)
		if hasMax && max > maxInputMaxLength {
			v.fail(ptr+"/max_length", "must be less than or equal to %d", maxInputMaxLength)
		}
		if !hasMax {
			max = maxInputMaxLength
		}
		// A form that opens with more than its field takes could never be
		// submitted: Slack refuses to open it.
		if initial, isString := e["initial_value"].(string); isString && utf8.RuneCountInString(initial) > int(max) {
			v.fail(ptr+"/initial_value", "must be less than or equal to max_length (%d characters)", int(max))
		}
	case "image":
		v.requiredString(ptr+"/alt_text", e["alt_text"], maxImageAltText)
	}
}

// options checks a list of option objects.
func (v *validator) options(ptr string, x any, min, max int, plainOnly bool) {
	for i, o := range v.list(ptr, x, min, max) {
		p := fmt.Sprintf("%s/%d", ptr, i)
		opt, ok := o.(map[string]any)
		if !ok {
			v.fail(p, "must provide an object")
			continue
		}
		v.requiredText(p+"/text", opt["text"], maxOptionText, plainOnly)
		v.maxString(p+"/value", opt["value"], maxOptionValue)
		v.optionalText(p+"/description", opt["description"], maxOptionText, true)
		v.maxString(p+"/url", opt["url"], maxURL)
	}
}

// confirm checks a confirmation dialog.
func (v *validator) confirm(ptr string, x any) {
	c, ok := x.(map[string]any)
	if !ok {
		v.fail(ptr, "must provide an object")
		return
	}
	v.optionalText(ptr+"/title", c["title"], maxConfirmTitle, true)
	v.requiredText(ptr+"/text", c["text"], maxConfirmText, false)
	v.optionalText(ptr+"/confirm", c["confirm"], maxConfirmButton, true)
	v.optionalText(ptr+"/deny", c["deny"], maxConfirmButton, true)
}
