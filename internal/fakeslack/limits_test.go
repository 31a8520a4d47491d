package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The fake refuses what Slack refuses, in Slack's words, and accepts the
// same payload at the limit.

// sectionJSON is a mrkdwn section block.
func sectionJSON(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

// sectionsJSON is n sections of text each.
func sectionsJSON(n int, text string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = sectionJSON(text)
	}
	return out
}

// post sends body as JSON to method and returns the answer.
func post(t *testing.T, fake *Server, method string, body map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return postRaw(t, fake, method, "application/json; charset=utf-8", string(raw))
}

// postMessage posts blocks to a channel with chat.postMessage.
func postMessage(t *testing.T, fake *Server, blocks []any) map[string]any {
	t.Helper()
	return post(t, fake, "chat.postMessage", map[string]any{"channel": "C1", "text": "fallback", "blocks": blocks})
}

// wantAccepted fails unless the answer is ok.
func wantAccepted(t *testing.T, answer map[string]any) {
	t.Helper()
	if answer["ok"] != true {
		t.Fatalf("refused what Slack takes: %v", answer)
	}
}

// wantRefused fails unless the answer is Slack's error code with, if
// message is not empty, that message among its response_metadata
// messages.
func wantRefused(t *testing.T, answer map[string]any, code, message string) {
	t.Helper()
	if answer["ok"] != false || answer["error"] != code {
		t.Fatalf("answer = %v, want error %q", answer, code)
	}
	if message == "" {
		return
	}
	meta, _ := answer["response_metadata"].(map[string]any)
	msgs, _ := meta["messages"].([]any)
	if !slices.Contains(msgs, any("[ERROR] "+message)) {
		t.Fatalf("response_metadata.messages = %v, want %q among them", msgs, "[ERROR] "+message)
	}
}

func TestMessageOf51BlocksIsRefused(t *testing.T) {
	fake := newFake(t)
	wantAccepted(t, postMessage(t, fake, sectionsJSON(50, "x")))
	answer := postMessage(t, fake, sectionsJSON(51, "x"))
	wantRefused(t, answer, "invalid_blocks", "no more than 50 items allowed [json-pointer:/blocks]")
	if errs, _ := answer["errors"].([]any); !slices.Contains(errs, any("no more than 50 items allowed [json-pointer:/blocks]")) {
		t.Errorf("errors = %v, want Slack's message without its [ERROR] tag", errs)
	}

	// The refusal is kept, outlined by shape, not text.
	got := fake.Refusals()
	if len(got) != 1 || got[0].Method != "chat.postMessage" || got[0].Error != "invalid_blocks" {
		t.Fatalf("Refusals = %+v, want the one chat.postMessage", got)
	}
	if s := got[0].String(); !strings.Contains(s, "51 blocks") {
		t.Errorf("refusal %q does not say how many blocks", s)
	}
	calls := fake.CallsTo("chat.postMessage")
	if calls[0].Refused != "" || calls[1].Refused != "invalid_blocks" {
		t.Errorf("calls refused = %q, %q; want \"\", invalid_blocks", calls[0].Refused, calls[1].Refused)
	}
}

func TestSectionOf3001CharactersIsRefused(t *testing.T) {
	fake := newFake(t)
	// Characters, not bytes: é is two bytes in UTF-8.
	wantAccepted(t, postMessage(t, fake, []any{sectionJSON(strings.Repeat("é", 3000))}))
	answer := postMessage(t, fake, []any{sectionJSON(strings.Repeat("é", 3001))})
	wantRefused(t, answer, "invalid_blocks", "must be less than 3001 characters [json-pointer:/blocks/0/text/text]")
	if s := fake.Refusals()[0].String(); strings.Contains(s, "é") {
		t.Errorf("refusal %q repeats the message's text", s)
	}
}

func TestMessageOf13000CharactersOfBlockTextIsRefused(t *testing.T) {
	fake := newFake(t)
	// Each section is within its own 3,000; together they are not.
	wantAccepted(t, postMessage(t, fake, sectionsJSON(5, strings.Repeat("a", 2260))))                           // 11,300
	wantRefused(t, postMessage(t, fake, sectionsJSON(5, strings.Repeat("a", 2270))), "msg_blocks_too_long", "") // 11,350
	wantRefused(t, postMessage(t, fake, sectionsJSON(5, strings.Repeat("a", 2600))), "msg_blocks_too_long", "")
	wantRefused(t, post(t, fake, "chat.postEphemeral", map[string]any{
		"channel": "C1", "user": "U1", "blocks": sectionsJSON(5, strings.Repeat("a", 2600)),
	}), "msg_blocks_too_long", "")
}

func TestMessageLimits(t *testing.T) {
	button := func(text string) map[string]any {
		return map[string]any{"type": "button", "action_id": "go", "text": map[string]any{"type": "plain_text", "text": text}}
	}
	header := func(typ, text string) map[string]any {
		return map[string]any{"type": "header", "text": map[string]any{"type": typ, "text": text}}
	}
	for _, tc := range []struct {
		name   string
		ok     []any
		bad    []any
		reason string
	}{
		{"header of 151 characters",
			[]any{header("plain_text", strings.Repeat("h", 150))},
			[]any{header("plain_text", strings.Repeat("h", 151))},
			"must be less than 151 characters [json-pointer:/blocks/0/text/text]"},
		{"header in mrkdwn",
			[]any{header("plain_text", "*Minutes*")},
			[]any{header("mrkdwn", "*Minutes*")},
			"must be one of plain_text [json-pointer:/blocks/0/text/type]"},
		{"button label of 76 characters",
			[]any{map[string]any{"type": "actions", "elements": []any{button(strings.Repeat("b", 75))}}},
			[]any{map[string]any{"type": "actions", "elements": []any{button(strings.Repeat("b", 76))}}},
			"must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"duplicate block_id",
			[]any{map[string]any{"type": "divider", "block_id": "a"}, map[string]any{"type": "divider", "block_id": "b"}},
			[]any{map[string]any{"type": "divider", "block_id": "a"}, map[string]any{"type": "divider", "block_id": "a"}},
			"duplicate block_id [json-pointer:/blocks/1/block_id]"},
		{"section of 11 fields",
			[]any{map[string]any{"type": "section", "fields": sectionsFields(10)}},
			[]any{map[string]any{"type": "section", "fields": sectionsFields(11)}},
			"no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		{"empty section text",
			[]any{sectionJSON(" ")},
			[]any{sectionJSON("")},
			"must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			wantAccepted(t, postMessage(t, fake, tc.ok))
			wantRefused(t, postMessage(t, fake, tc.bad), "invalid_blocks", tc.reason)
		})
	}
}

// sectionsFields is n mrkdwn section fields.
func sectionsFields(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"type": "mrkdwn", "text": "field"}
	}
	return out
}

func TestMessageTextOver40000CharactersIsRefused(t *testing.T) {
	fake := newFake(t)
	wantAccepted(t, post(t, fake, "chat.postMessage", map[string]any{"channel": "C1", "text": strings.Repeat("t", 40000)}))
	wantRefused(t, post(t, fake, "chat.postMessage", map[string]any{"channel": "C1", "text": strings.Repeat("t", 40001)}), "msg_too_long", "")
}

func TestResponseURLRefusesAsAWebhook(t *testing.T) {
	fake := newFake(t)
	postReply := func(blocks []any) (int, string) {
		t.Helper()
		raw, _ := json.Marshal(map[string]any{"text": "fallback", "blocks": blocks})
		resp, err := http.Post(fake.ResponseURL("r1"), "application/json", strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// No cumulative limit through a response_url (bolt-js issue 2867).
	if status, body := postReply(sectionsJSON(5, strings.Repeat("a", 2600))); status != http.StatusOK {
		t.Fatalf("13,000 characters in five sections: %d %s, want 200", status, body)
	}
	if status, body := postReply(sectionsJSON(51, "x")); status != http.StatusBadRequest || body != "invalid_blocks" {
		t.Fatalf("51 blocks: %d %q, want 400 invalid_blocks", status, body)
	}
	if got := fake.Refusals(); len(got) != 1 || got[0].Method != MethodResponseURL {
		t.Fatalf("Refusals = %+v, want the one response_url", got)
	}
}

// modalJSON is a modal with title and blocks.
func modalJSON(title string, blocks []any) map[string]any {
	return map[string]any{
		"type":   "modal",
		"title":  map[string]any{"type": "plain_text", "text": title},
		"blocks": blocks,
	}
}

func TestViewLimits(t *testing.T) {
	input := map[string]any{
		"type": "input", "block_id": "i", "label": map[string]any{"type": "plain_text", "text": "Name"},
		"element": map[string]any{"type": "plain_text_input", "action_id": "i"},
	}
	selectOf := func(n int) map[string]any {
		opts := make([]any, n)
		for i := range opts {
			opts[i] = map[string]any{"text": map[string]any{"type": "plain_text", "text": "o"}, "value": strings.Repeat("v", 150)}
		}
		return map[string]any{
			"type": "input", "block_id": "s", "label": map[string]any{"type": "plain_text", "text": "Pick"},
			"element": map[string]any{"type": "static_select", "action_id": "s", "options": opts},
		}
	}
	withSubmit := func(v map[string]any) map[string]any {
		v["submit"] = map[string]any{"type": "plain_text", "text": "Save"}
		return v
	}
	textInput := func(initial string, max int) map[string]any {
		el := map[string]any{"type": "plain_text_input", "action_id": "t", "initial_value": initial}
		if max > 0 {
			el["max_length"] = max
		}
		return map[string]any{
			"type": "input", "block_id": "t", "label": map[string]any{"type": "plain_text", "text": "Text"}, "element": el,
		}
	}
	withMetadata := func(v map[string]any, n int) map[string]any {
		v["private_metadata"] = strings.Repeat("m", n)
		return v
	}
	for _, tc := range []struct {
		name    string
		ok, bad map[string]any
		reason  string
	}{
		{"modal title of 25 characters",
			modalJSON(strings.Repeat("t", 24), sectionsJSON(1, "x")),
			modalJSON(strings.Repeat("t", 25), sectionsJSON(1, "x")),
			"must be less than 25 characters [json-pointer:/view/title/text]"},
		{"modal of 101 blocks",
			modalJSON("Form", sectionsJSON(100, "x")),
			modalJSON("Form", sectionsJSON(101, "x")),
			"no more than 100 items allowed [json-pointer:/view/blocks]"},
		{"inputs with no submit",
			withSubmit(modalJSON("Form", []any{input})),
			modalJSON("Form", []any{input}),
			"must provide submit when the view has input blocks [json-pointer:/view]"},
		{"select of 101 options",
			withSubmit(modalJSON("Form", []any{selectOf(100)})),
			withSubmit(modalJSON("Form", []any{selectOf(101)})),
			"no more than 100 items allowed [json-pointer:/view/blocks/0/element/options]"},
		{"initial value longer than max_length",
			withSubmit(modalJSON("Form", []any{textInput(strings.Repeat("é", 200), 200)})),
			withSubmit(modalJSON("Form", []any{textInput(strings.Repeat("é", 201), 200)})),
			"must be less than or equal to max_length (200 characters) [json-pointer:/view/blocks/0/element/initial_value]"},
		{"initial value of 3,001 characters with no max_length",
			withSubmit(modalJSON("Form", []any{textInput(strings.Repeat("x", 3000), 0)})),
			withSubmit(modalJSON("Form", []any{textInput(strings.Repeat("x", 3001), 0)})),
			"must be less than or equal to max_length (3000 characters) [json-pointer:/view/blocks/0/element/initial_value]"},
		{"max_length over 3,000",
			withSubmit(modalJSON("Form", []any{textInput("", 3000)})),
			withSubmit(modalJSON("Form", []any{textInput("", 3001)})),
			"must be less than or equal to 3000 [json-pointer:/view/blocks/0/element/max_length]"},
		{"private_metadata of 3,001 characters",
			withMetadata(modalJSON("Form", sectionsJSON(1, "x")), 3000),
			withMetadata(modalJSON("Form", sectionsJSON(1, "x")), 3001),
			"must be less than 3001 characters [json-pointer:/view/private_metadata]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			wantAccepted(t, post(t, fake, "views.open", map[string]any{"trigger_id": "1.2.3", "view": tc.ok}))
			wantRefused(t, post(t, fake, "views.open", map[string]any{"trigger_id": "1.2.3", "view": tc.bad}), "invalid_arguments", tc.reason)
		})
	}
}

func TestHomeOf101BlocksIsRefused(t *testing.T) {
	fake := newFake(t)
	home := func(n int) map[string]any {
		return map[string]any{"user_id": "U1", "view": map[string]any{"type": "home", "blocks": sectionsJSON(n, "x")}}
	}
	wantAccepted(t, post(t, fake, "views.publish", home(100)))
	wantRefused(t, post(t, fake, "views.publish", home(101)), "invalid_arguments", "no more than 100 items allowed [json-pointer:/view/blocks]")
	// A Home tab has no cumulative text limit of its own: 100 sections of
	// 2,000 characters is 200,000 characters, well within 250 kB.
	wantAccepted(t, post(t, fake, "views.publish", map[string]any{"user_id": "U1", "view": map[string]any{"type": "home", "blocks": sectionsJSON(100, strings.Repeat("a", 2000))}}))
	wantRefused(t, post(t, fake, "views.publish", map[string]any{"user_id": "U1", "view": map[string]any{"type": "home", "blocks": sectionsJSON(100, strings.Repeat("a", 2600))}}), "view_too_large", "")
}

func TestAckPayloadsAreChecked(t *testing.T) {
	bad := modalJSON(strings.Repeat("t", 25), sectionsJSON(1, "x"))
	raw, _ := json.Marshal(map[string]any{"response_action": "update", "view": bad})
	r := checkAck(raw)
	if r == nil || r.Method != MethodAck || r.Error != "invalid_arguments" {
		t.Fatalf("ack updating to a modal with a title of 25 characters: %+v, want refused", r)
	}
	raw, _ = json.Marshal(map[string]any{"response_action": "update", "view": modalJSON("Done", sectionsJSON(1, "x"))})
	if r := checkAck(raw); r != nil {
		t.Fatalf("a good update refused: %v", r)
	}
	raw, _ = json.Marshal(map[string]any{"text": "hi", "blocks": sectionsJSON(51, "x")})
	if r := checkAck(raw); r == nil || r.Error != "invalid_blocks" {
		t.Fatalf("a slash command reply of 51 blocks: %+v, want invalid_blocks", r)
	}
	if r := checkAck(json.RawMessage(`{"response_action":"errors","errors":{"i":"Required"}}`)); r != nil {
		t.Fatalf("an errors response refused: %v", r)
	}
}
