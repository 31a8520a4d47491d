package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// formFromModal is what a user submits who changes nothing in a modal:
// every input as the bot filled it in.
func formFromModal(blocks []map[string]any) form {
	f := form{}
	for _, b := range blocks {
		id, _ := b["block_id"].(string)
		el, _ := b["element"].(map[string]any)
		if b["type"] != "input" || el == nil {
			continue
		}
		switch el["type"] {
		case "plain_text_input":
			v, _ := el["initial_value"].(string)
			f.text(id, v)
		case "number_input":
			v, _ := el["initial_value"].(string)
			f.number(id, v)
		case "datepicker":
			if v, ok := el["initial_date"].(string); ok {
				f.date(id, v)
			}
		case "timepicker":
			if v, ok := el["initial_time"].(string); ok {
				f.clock(id, v)
			}
		case "users_select":
			if v, ok := el["initial_user"].(string); ok {
				f.user(id, v)
			}
		case "multi_users_select":
			var users []string
			for _, u := range asList(el["initial_users"]) {
				users = append(users, u.(string))
			}
			f.users(id, users...)
		case "static_select", "radio_buttons":
			if o, ok := el["initial_option"].(map[string]any); ok {
				f.choice(id, o["value"].(string))
			}
		case "multi_static_select", "checkboxes":
			var vals []string
			for _, o := range asList(el["initial_options"]) {
				vals = append(vals, o.(map[string]any)["value"].(string))
			}
			f.choices(id, vals...)
		}
	}
	return f
}

func asList(v any) []any { l, _ := v.([]any); return l }

// openEdit runs /caseconf edit ref as userID and returns the edit form's
// metadata and blocks.
func (a *app) openEdit(userID, ref string) (string, []map[string]any) {
	a.t.Helper()
	opened := len(a.slack.CallsTo("views.open"))
	a.command(userID, "edit "+ref)
	call := a.waitCalls("views.open", opened+1)[opened]
	if cb, _ := viewOf(a.t.(*testing.T), call); cb != "conference_edit" {
		a.t.Fatalf("edit opened %q", cb)
	}
	return modalView(a.t.(*testing.T), call)
}

// label is the label of input block id in blocks.
func label(blocks []map[string]any, id string) string {
	for _, b := range blocks {
		if b["block_id"] == id {
			l, _ := b["label"].(map[string]any)
			s, _ := l["text"].(string)
			return s
		}
	}
	return ""
}

// A conference moved by a day, given a new invitee and one fewer: the
// form opens filled in; the invitee still invited is told once, in one
// DM, with a request to confirm the new time (they said they would
// come), and gets the calendar file with SEQUENCE raised and the new
// start, and their invitation updated in place; the new one is invited;
// the removed one is told, gets METHOD:CANCEL, is refused like an
// outsider and is not chased; the reminders follow the new date; a second
// form opened before the save is refused as stale; and the record's
// history keeps what each thing was before.
func TestEditConferenceMovesItAndChangesWhoIsInvited(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001") // Friday 20 November 10:30; U0GP, U0SW and Dr Patel invited
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	a.click("U0GP", "respond:attending", a.inviteeValue("CC-0001", "U0GP"))
	a.eventually("the GP's answer to be stored", func() bool {
		return a.count(`SELECT count(*) FROM responses WHERE answer = 'attending'`) == 1
	})
	confID := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	swID := a.inviteeID("CC-0001", "U0SW")
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	// A reminder waiting to chase the social worker.
	a.exec(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before)
		VALUES ('invitation_unanswered', 'reminder:test:sw', 'U0SW', $1, $2, now() + interval '30 days')`, confID, swID)

	// Only the case manager may change it.
	if _, got := a.commandReply("U0GP", "edit CC-0001"); !strings.Contains(got, "Only the case manager") {
		t.Errorf("the GP's edit: %q", got)
	}
	_, outsider := a.commandReply("U0OUT", "edit CC-0001")
	_, unknown := a.commandReply("U0OUT", "edit CC-9999")
	if outsider != unknown {
		t.Errorf("an outsider's edit reads differently from an unknown reference: %q vs %q", outsider, unknown)
	}

	meta, blocks := a.openEdit("U0CM", "CC-0001")
	staleMeta, _ := a.openEdit("U0CM", "CC-0001") // a second form, open at the same time
	if l := label(blocks, "invitees"); !strings.Contains(strings.ToLower(l), "invite") {
		t.Errorf("invitee field labelled %q", l)
	}
	if l := label(blocks, "place"); !strings.Contains(l, "Place") {
		t.Errorf("place field labelled %q", l)
	}
	for _, id := range []string{"client_ref", "client_name", "consent_method", "agency_kinds"} {
		if element(blocks, id) != nil {
			t.Errorf("the edit form has %s, which an edit cannot change", id)
		}
	}
	f := formFromModal(blocks)
	for id, want := range map[string]string{"date": "2026-11-20", "time": "10:30", "place": "Church Street Surgery", "ext_name_0": "Dr Patel"} {
		var got string
		for _, v := range f[id] {
			m := v.(map[string]any)
			for _, k := range []string{"value", "selected_date", "selected_time"} {
				if s, ok := m[k].(string); ok {
					got = s
				}
			}
		}
		if got != want {
			t.Errorf("the edit form opens with %s = %q, want %q", id, got, want)
		}
	}

	// Bad input is answered on its field, and nothing changes.
	bad := formFromModal(blocks).date("date", "2026-11-04") // two working days away, not marked urgent
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEBAD", meta, bad, 0); fieldErrors(ack)["urgent"] == nil {
		t.Fatalf("short notice: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conference_edits`); n != 0 {
		t.Fatalf("a refused edit stored %d changes", n)
	}

	dmsBefore := map[string]int{}
	for _, u := range []string{"U0GP", "U0SW", "U0PROB", "U0CM"} {
		dmsBefore[u] = len(a.dmTo(u))
	}
	icsBefore := len(a.calendarUploads(2))
	updatesBefore := len(a.slack.CallsTo("chat.update"))
	f = f.date("date", "2026-11-19").users("invitees", "U0GP", "U0PROB")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEDIT", meta, f, 0); ack["response_action"] != "clear" {
		t.Fatalf("edit ack = %v", ack)
	}
	// The same submission again (Slack retrying) saves nothing more.
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEDIT", meta, f, 1); ack["response_action"] != "clear" {
		t.Fatalf("repeated edit ack = %v", ack)
	}
	// The stale form is refused, saying why, and overwrites nothing.
	stale := a.viewSubmission("U0CM", "conference_edit", "VSTALE", staleMeta, formFromModal(blocks).text("place", "Town Hall"), 0)
	if !strings.Contains(mustString(t, stale), "changed since you opened") {
		t.Errorf("the stale edit was answered %v", stale)
	}
	var place string
	var startsAt time.Time
	if err := a.main.DB.SQL().QueryRowContext(context.Background(), `SELECT place, starts_at FROM conferences WHERE id = $1`, confID).Scan(&place, &startsAt); err != nil {
		t.Fatal(err)
	}
	if place != "Church Street Surgery" || !startsAt.Equal(time.Date(2026, 11, 19, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("after the edits: place %q, starts %v", place, startsAt)
	}
	if n := a.count(`SELECT count(*) FROM conference_edits WHERE conference_id = $1`, confID); n != 1 {
		t.Errorf("%d changes stored, want 1", n)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)

	// The GP: one DM, saying what changed and asking to confirm, with the
	// answer buttons.
	gpDMs := a.dmsSince("U0GP", dmsBefore["U0GP"])
	if len(gpDMs) != 1 {
		t.Fatalf("the GP got %d DMs for the change, want 1: %q", len(gpDMs), gpDMs)
	}
	for _, want := range []string{"CC-0001 has been changed", "When:", "can you still make the new time", "respond:attending", "<@U0PROB>", "<@U0SW>"} {
		if !strings.Contains(strings.ToLower(gpDMs[0]), strings.ToLower(want)) {
			t.Errorf("the GP's change DM lacks %q:\n%s", want, gpDMs[0])
		}
	}
	// Their invitation, updated in place, shows the new date.
	a.eventually("the GP's invitation to be updated in place with the new date", func() bool {
		for _, u := range a.slack.CallsTo("chat.update")[updatesBefore:] {
			if u.Params.Get("channel") == fakeslack.DMChannelID("U0GP") && strings.Contains(callText(u), "19 November 2026") {
				return true
			}
		}
		return false
	})
	// The new invitee: invited as anyone is.
	if got := a.dmsSince("U0PROB", dmsBefore["U0PROB"]); len(got) != 1 || !strings.Contains(got[0], "has invited you") {
		t.Errorf("the new invitee got %q", got)
	}
	// The removed one: told once, and nothing more.
	swDMs := a.dmsSince("U0SW", dmsBefore["U0SW"])
	if len(swDMs) != 1 || !strings.Contains(swDMs[0], "no longer invited") {
		rows, _ := a.main.DB.SQL().QueryContext(context.Background(), `SELECT kind, recipient_id, state, errors::text FROM outbox WHERE recipient_id = 'U0SW' ORDER BY id`)
		for rows.Next() {
			var k, r, s, e string
			rows.Scan(&k, &r, &s, &e)
			t.Logf("outbox: %s %s %s %s", k, r, s, e)
		}
		t.Errorf("the removed social worker got %q", swDMs)
	}
	if strings.Contains(strings.Join(swDMs, "\n"), "JS-4411") || strings.Contains(strings.Join(swDMs, "\n"), "Jane") {
		t.Errorf("the removed invitee's notice names the client")
	}
	// Their invitation, with what it showed and buttons that no longer
	// work, is deleted from their DMs.
	a.eventually("the removed invitee's invitation to be deleted", func() bool {
		for _, d := range a.slack.CallsTo("chat.delete") {
			if d.Params.Get("channel") == fakeslack.DMChannelID("U0SW") {
				return true
			}
		}
		return false
	})
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'reminder:test:sw' AND state = 'cancelled'`); n != 1 {
		t.Errorf("the removed invitee's waiting reminder was not cancelled")
	}
	swShow := a.commandText("U0SW", "show CC-0001")
	unknownShow := strings.ReplaceAll(a.commandText("U0SW", "show CC-9999"), "CC-9999", "CC-0001")
	if swShow != unknownShow {
		t.Errorf("the removed invitee's show: %q, unknown reference: %q", swShow, unknownShow)
	}

	// The calendars: the GP and the new invitee get SEQUENCE 1 at the new
	// start; the removed one METHOD:CANCEL for the same UID.
	uploads := a.calendarUploads(icsBefore + 3)[icsBefore:]
	got := map[string]string{}
	var uid string
	for _, u := range a.calendarUploads(1)[:1] {
		_, ev := calendarEvent(t, u)
		uid = ev.Id()
	}
	for _, u := range uploads {
		method, ev := calendarEvent(t, u)
		seq := ev.GetProperty(ics.ComponentPropertySequence)
		start, _ := ev.GetStartAt()
		if ev.Id() != uid {
			t.Errorf("%s: UID %q, want %q", u.Channel, ev.Id(), uid)
		}
		if seq == nil || seq.Value != "1" {
			t.Errorf("%s: SEQUENCE %v, want 1", u.Channel, seq)
		}
		if method == "REQUEST" && !start.Equal(startsAt) {
			t.Errorf("%s: DTSTART %v, want %v", u.Channel, start, startsAt)
		}
		got[u.Channel] = method
	}
	for user, want := range map[string]string{"U0GP": "REQUEST", "U0PROB": "REQUEST", "U0SW": "CANCEL"} {
		if got[fakeslack.DMChannelID(user)] != want {
			t.Errorf("%s's calendar file: %q, want %q (all: %v)", user, got[fakeslack.DMChannelID(user)], want, got)
		}
	}

	// Reminders follow the new date, and never chase the removed one.
	dry := func(at string) string {
		when, _ := time.Parse(time.RFC3339, at)
		res, err := a.main.Sweeper.RunOnce(context.Background(), when, true)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		res.Report(&b)
		return b.String()
	}
	if out := dry("2026-11-10T07:00:00Z"); !strings.Contains(out, "U0PROB") || strings.Contains(out, "U0SW") {
		t.Errorf("7 working days before the new date, the sweep plans:\n%s", out)
	}
	if out := dry("2026-11-19T07:00:00Z"); !strings.Contains(out, "conference_today") {
		t.Errorf("on the new day, no morning-of reminder:\n%s", out)
	}
	if out := dry("2026-11-20T07:00:00Z"); strings.Contains(out, "conference_today") {
		t.Errorf("on the old day, a morning-of reminder:\n%s", out)
	}

	// The record keeps what it was before.
	a.commandReply("U0CM", "export CC-0001")
	var detail string
	if err := a.main.DB.SQL().QueryRowContext(context.Background(), `SELECT detail FROM audit_log WHERE action = 'conference.edit'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "starts_at") || !strings.Contains(detail, "invited") || strings.Contains(detail, "Church") {
		t.Errorf("the audit of the change: %q", detail)
	}
	rec := a.waitFileUploadsContaining(t, "CC-0001-record.md")
	for _, want := range []string{"conference changed", "Fri 20 Nov 2026 10:30 UTC", "no longer invited: U0SW", "invited U0PROB"} {
		if !strings.Contains(rec, want) {
			t.Errorf("the record's history lacks %q", want)
		}
	}
}

// mustString is a JSON answer as text, to look for words in.
func mustString(t *testing.T, v map[string]any) string { return string(mustJSON(t, v)) }

// waitFileUploadsContaining waits for an uploaded file named name and
// returns its content.
func (a *app) waitFileUploadsContaining(t *testing.T, name string) string {
	t.Helper()
	var out string
	a.eventually("the file "+name+" to be uploaded", func() bool {
		for _, u := range a.slack.Uploads() {
			if u.Filename == name {
				out = string(u.Content)
				return true
			}
		}
		return false
	})
	return out
}

// Two forms opened on the same conference and saved at the same moment:
// one is saved; the other is refused on its form as changed since it was
// opened, and overwrites nothing.
func TestTwoEditsAtOnceOneIsRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	metaA, blocks := a.openEdit("U0CM", "CC-0001")
	metaB, _ := a.openEdit("U0CM", "CC-0001")
	acks := make([]map[string]any, 2)
	places := []string{"Town Hall", "Library"}
	var wg sync.WaitGroup
	for i, meta := range []string{metaA, metaB} {
		wg.Go(func() {
			acks[i] = a.viewSubmission("U0CM", "conference_edit", "VAT"+places[i], meta, formFromModal(blocks).text("place", places[i]), 0)
		})
	}
	wg.Wait()
	saved, refused := -1, 0
	for i, ack := range acks {
		switch {
		case ack["response_action"] == "clear":
			saved = i
		case strings.Contains(mustString(t, ack), "changed since you opened"):
			refused++
		default:
			t.Errorf("edit %d answered %v", i, ack)
		}
	}
	if saved < 0 || refused != 1 {
		t.Fatalf("saved %d, refused %d", saved, refused)
	}
	var place string
	if err := a.main.DB.SQL().QueryRowContext(context.Background(), `SELECT place FROM conferences WHERE ref = 'CC-0001'`).Scan(&place); err != nil {
		t.Fatal(err)
	}
	if place != places[saved] {
		t.Errorf("the place is %q, the saved edit's %q", place, places[saved])
	}
}

// The case manager's summary DM and their show carry Edit, which opens
// the form; an invitee's show does not, and their press of someone
// else's Edit is refused.
func TestEditButtons(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	summary := ""
	for _, c := range a.dmTo("U0CM") {
		summary = callText(c)
	}
	if !strings.Contains(summary, "\nedit\n") {
		t.Errorf("the summary has no Edit button:\n%s", summary)
	}
	if show := a.commandText("U0CM", "show CC-0001"); !strings.Contains(show, `"action_id":"edit"`) {
		t.Errorf("the case manager's show has no Edit button")
	}
	if show := a.commandText("U0GP", "show CC-0001"); strings.Contains(show, `"action_id":"edit"`) {
		t.Errorf("the GP's show has an Edit button")
	}
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	opened := len(a.slack.CallsTo("views.open"))
	respID := a.click("U0GP", "edit", fmt.Sprintf("c%d", conf))
	if got := a.replyTo(respID); !strings.Contains(got, "Only the case manager") {
		t.Errorf("the GP pressing Edit: %s", got)
	}
	a.click("U0CM", "edit", fmt.Sprintf("c%d", conf))
	if cb, _ := viewOf(t, a.waitCalls("views.open", opened+1)[opened]); cb != "conference_edit" {
		t.Errorf("Edit opened %q", cb)
	}
}
