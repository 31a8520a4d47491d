package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Helpers that act as a Slack user would: open forms, fill them in, click
// buttons. Each goes through Socket Mode exactly as Slack sends it.

// form is a modal's state.values as Slack sends it on submission.
type form map[string]map[string]any

func (f form) set(id string, v map[string]any) form { f[id] = map[string]any{id: v}; return f }
func (f form) text(id, v string) form {
	return f.set(id, map[string]any{"type": "plain_text_input", "value": v})
}
func (f form) number(id, v string) form {
	return f.set(id, map[string]any{"type": "number_input", "value": v})
}
func (f form) date(id, v string) form {
	return f.set(id, map[string]any{"type": "datepicker", "selected_date": v})
}
func (f form) clock(id, v string) form {
	return f.set(id, map[string]any{"type": "timepicker", "selected_time": v})
}
func (f form) user(id, v string) form {
	return f.set(id, map[string]any{"type": "users_select", "selected_user": v})
}
func (f form) users(id string, v ...string) form {
	return f.set(id, map[string]any{"type": "multi_users_select", "selected_users": v})
}
func (f form) choice(id, v string) form {
	return f.set(id, map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}})
}
func (f form) choices(id string, v ...string) form {
	opts := make([]map[string]any, len(v))
	for i, s := range v {
		opts[i] = map[string]any{"value": s}
	}
	return f.set(id, map[string]any{"type": "checkboxes", "selected_options": opts})
}
func (f form) without(id string) form { delete(f, id); return f }

// scheduleForm is a valid scheduling form as of testNow: a conference on
// Friday 20 November, fourteen working days away, for the case manager
// U0CM with a GP (U0GP) and a social worker (U0SW) on Slack and one GP
// surgery contact who is not.
func scheduleForm() form {
	return form{}.
		text("client_ref", "JS-4411").
		text("client_name", "Jane Smith").
		choices("reasons", "complex_health", "eviction_risk").
		text("purpose", "Agree a plan to keep the tenancy at Acacia House").
		date("date", "2026-11-20").clock("time", "10:30").number("length", "60").
		text("place", "Church Street Surgery").
		users("invitees", "U0GP", "U0SW").
		user("chair", "U0CM").user("minute_taker", "U0CM").
		text("ext_name_0", "Dr Patel").text("ext_role_0", "GP").text("ext_agency_0", "Church Street Surgery").
		choice("ext_agency_kind_0", "health_gp").text("ext_phone_0", "020 7946 0000").
		choice("client_attends", "yes").
		choice("consent_method", "written").date("consent_given", "2026-10-01").choices("consent_checked", "checked").
		choices("agency_kinds", "health_gp", "adult_social_care", "housing")
}

// viewSubmission sends a modal submission and returns the ack payload.
func (a *app) viewSubmission(userID, callbackID, viewID, privateMetadata string, values form, retry int) map[string]any {
	a.t.Helper()
	ack := a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive,
		Payload: viewSubmissionPayload(userID, callbackID, viewID, privateMetadata, values), RetryAttempt: retry})
	return decodeMap(a.t, ack.Payload)
}

// viewSubmissionPayload is the interactive payload Slack sends when a user
// submits a modal.
func viewSubmissionPayload(userID, callbackID, viewID, privateMetadata string, values form) map[string]any {
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + viewID,
		"view": map[string]any{
			"id": viewID, "hash": "h-" + viewID, "type": "modal", "callback_id": callbackID,
			"private_metadata": privateMetadata, "state": map[string]any{"values": values},
		},
	}
}

// click sends a button press from userID and returns the response_url id
// any private reply goes to.
func (a *app) click(userID, actionID, value string) string {
	a.t.Helper()
	respID := fmt.Sprintf("click-%s-%s-%s", userID, strings.ReplaceAll(actionID, ":", "-"), value)
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + respID + fmt.Sprint(len(a.slack.Acks())),
		"response_url": a.slack.ResponseURL(respID),
		"container":    map[string]any{"type": "message", "channel_id": fakeslack.DMChannelID(userID)},
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1700000000.1",
		}},
	}
	a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: payload})
	return respID
}

// replyTo waits for the bot's private reply on a response_url.
func (a *app) replyTo(respID string) string {
	a.t.Helper()
	ctx := ctxFor(a.t)
	for {
		// Wait for one more than were looked at: a reply that came after
		// the look is then not missed.
		calls := a.slack.CallsTo(fakeslack.MethodResponseURL)
		for _, c := range calls {
			if c.ResponseURLID == respID {
				return string(c.Body)
			}
		}
		if _, err := a.slack.WaitForCalls(ctx, fakeslack.MethodResponseURL, len(calls)+1); err != nil {
			a.t.Fatalf("no reply on response_url %s", respID)
		}
	}
}

func decodeMap(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("payload %s: %v", raw, err)
	}
	return m
}

// waitCalls waits for n calls to method in all.
func (a *app) waitCalls(method string, n int) []fakeslack.Call {
	a.t.Helper()
	calls, err := a.slack.WaitForCalls(ctxFor(a.t), method, n)
	if err != nil {
		a.t.Fatalf("waited for %d %s calls, got %d: %v", n, method, len(calls), err)
	}
	return calls
}

// dmTo returns the chat.postMessage calls addressed to a user.
func (a *app) dmTo(userID string) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		if c.Params.Get("channel") == userID {
			out = append(out, c)
		}
	}
	return out
}

// scheduled submits a valid form as U0CM and waits for the three DMs.
func (a *app) scheduled(viewID string) {
	a.t.Helper()
	before := len(a.slack.CallsTo("chat.postMessage"))
	if ack := a.viewSubmission("U0CM", "schedule", viewID, "", scheduleForm(), 0); ack["response_action"] != "clear" {
		a.t.Fatalf("valid schedule ack = %v", ack)
	}
	a.waitCalls("chat.postMessage", before+3)
	a.invitationsRecorded()
	// Every DM is recorded once sent, so no more are coming.
	delivered := 0
	for _, c := range a.slack.CallsTo("chat.postMessage")[before:] {
		if !c.Failed {
			delivered++
		}
	}
	if delivered != 3 {
		a.t.Fatalf("%d DMs delivered for one conference, want 3", delivered)
	}
}

// invitationsRecorded waits until the bot has stored where every DM it sent
// lives (it does so just after Slack answers), so later updates can find them.
func (a *app) invitationsRecorded() {
	a.t.Helper()
	a.eventually("the DMs' channels and timestamps to be stored", func() bool {
		return a.count(`SELECT count(*) FROM conferences WHERE cm_dm_ts IS NULL`) == 0 &&
			a.count(`SELECT count(*) FROM invitees WHERE slack_user_id IS NOT NULL AND dm_ts IS NULL`) == 0
	})
}

// eventually polls cond until it holds, failing the test after a while.
func (a *app) eventually(what string, cond func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			a.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inviteeID finds the invitee row for a Slack user on conference ref.
func (a *app) inviteeID(ref, userID string) int {
	a.t.Helper()
	return a.count(`SELECT i.id FROM invitees i JOIN conferences c ON c.id = i.conference_id
		WHERE c.ref = $1 AND i.slack_user_id = $2`, ref, userID)
}

// inviteeValue is what the buttons of userID's invitation to ref carry
// (and its modals keep): the bot's encoding of the invitee.
func (a *app) inviteeValue(ref, userID string) string {
	a.t.Helper()
	return fmt.Sprintf("i%d", a.inviteeID(ref, userID))
}

func slackUser(id, realName string) slack.User {
	return slack.User{ID: id, Name: strings.ToLower(id), RealName: realName, TZ: "Europe/London", Profile: slack.UserProfile{RealName: realName}}
}

// callText is everything a person could read in a Web API call: the
// message text and every string inside its blocks or view, decoded, plus
// action IDs and values, one per line.
func callText(c fakeslack.Call) string {
	var out []string
	walk := func(v any) { out = append(out, jsonStrings(v)...) }
	if j := c.JSON(); j != nil {
		walk(j)
	}
	for _, vals := range c.Params {
		for _, v := range vals {
			var decoded any
			if json.Unmarshal([]byte(v), &decoded) == nil {
				walk(decoded)
			} else {
				out = append(out, v)
			}
		}
	}
	// Every part on a line of its own, the first and last too, so that
	// "\nvalue\n" finds any part whatever the order of the walk.
	return "\n" + strings.Join(out, "\n") + "\n"
}

// accept has a Slack invitee open and accept the agreement for conference
// ref, giving their agency, and waits for their DM and the case manager's
// summary to be updated.
func (a *app) accept(ref, userID, agency, kind string) {
	a.t.Helper()
	id := a.inviteeValue(ref, userID)
	opened, updated := len(a.slack.CallsTo("views.open")), len(a.slack.CallsTo("chat.update"))
	a.click(userID, "agree", id)
	a.waitCalls("views.open", opened+1)
	if ack := a.viewSubmission(userID, "agreement", "VA-"+ref+userID, id, form{}.text("agency", agency).choice("agency_kind", kind), 0); ack["response_action"] != "clear" {
		a.t.Fatalf("%s accepting the agreement: %v", userID, ack)
	}
	a.waitCalls("chat.update", updated+2)
}

// jsonStrings lists every string in a decoded JSON value.
func jsonStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = append(out, jsonStrings(e)...)
		}
	case map[string]any:
		for _, e := range x {
			out = append(out, jsonStrings(e)...)
		}
	}
	return out
}
