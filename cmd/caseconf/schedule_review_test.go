package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// The review reminder's Schedule review button opens the scheduling form
// filled in from the conference under review, for its case manager only;
// a consent that does not cover the review date is left to be recorded
// again.
func TestScheduleReviewFromTheReminder(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1") // CC-0001 for JS-4411, GP and social worker invited; consent from 1 October 2026 for six months
	conf := a.count(`SELECT id FROM conferences`)
	if _, err := a.main.DB.SQL().Exec(`UPDATE conferences SET status = 'recorded';
		INSERT INTO outcomes (conference_id, recorded_by, review_on) VALUES (` + fmt.Sprint(conf) + `, 'U0CM', '2027-02-19')`); err != nil {
		t.Fatal(err)
	}
	// Ten working days before Friday 19 February; the reminder is timed
	// for 09:00 that day, a date still to come, so it is let go now.
	if _, err := a.main.Sweeper.RunOnce(context.Background(), time.Date(2027, 2, 5, 8, 0, 0, 0, time.UTC), false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.main.DB.SQL().Exec(`UPDATE outbox SET not_before = now() WHERE state = 'pending'`); err != nil {
		t.Fatal(err)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	var reminder string
	for _, c := range a.dmTo("U0CM") {
		if text := callText(c); strings.Contains(text, "review of *CC-0001* is due") {
			reminder = text
		}
	}
	value := fmt.Sprintf("c%d", conf)
	if !strings.Contains(reminder, "\nschedule_review\n") || !strings.Contains(reminder, "\n"+value+"\n") {
		t.Fatalf("the review reminder has no Schedule review button: %q", reminder)
	}

	opened := len(a.slack.CallsTo("views.open"))
	// Someone else's click (an invitee who knows the conference's ID)
	// reads like a conference that does not exist, and opens nothing.
	if reply := a.replyTo(a.click("U0SW", "schedule_review", value)); !strings.Contains(reply, "no conference with that reference") {
		t.Fatalf("an invitee's click answered %q", reply)
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatal("an invitee's click opened the review form, filled in with the client's details")
	}

	a.click("U0CM", "schedule_review", value)
	form := reviewForm(t, a.waitCalls("views.open", opened+1)[opened])
	for id, want := range map[string]string{"client_ref": "JS-4411", "date": "2027-02-19", "time": "10:30", "consent_given": "2026-10-01"} {
		if got := form[id]; got != want {
			t.Errorf("the review form's %s = %q, want %q", id, got, want)
		}
	}
	if got := form["invitees"]; got != "U0GP,U0SW" {
		t.Errorf("the review form invites %q, want the GP and the social worker", got)
	}
	if form["consent_method"] != "written" {
		t.Errorf("a consent covering the review date is not filled in: %q", form["consent_method"])
	}

	// A review after the consent runs out (1 April 2027): the consent is
	// left blank, and the form says to record it again.
	if _, err := a.main.DB.SQL().Exec(`UPDATE outcomes SET review_on = '2027-05-14'`); err != nil {
		t.Fatal(err)
	}
	a.click("U0CM", "schedule_review", value)
	call := a.waitCalls("views.open", opened+2)[opened+1]
	form = reviewForm(t, call)
	if form["date"] != "2027-05-14" || form["consent_method"] != "" || form["consent_given"] != "" {
		t.Errorf("a review after the consent ends: date %q, consent %q given %q; want the date and no consent",
			form["date"], form["consent_method"], form["consent_given"])
	}
	if !strings.Contains(callText(call), "record it again") {
		t.Error("the form does not say the consent must be recorded again")
	}

	// The review, submitted, says what it reviews. The same metadata from
	// someone else, or made up, is refused and stores nothing.
	_, meta := viewOf(t, call)
	if meta != "review:"+value {
		t.Fatalf("the review form's metadata = %q", meta)
	}
	review := scheduleForm().date("date", "2027-02-19")
	for _, forged := range []struct{ user, meta string }{{"U0SW", meta}, {"U0CM", "review:c999"}, {"U0CM", "junk"}} {
		ack := a.viewSubmission(forged.user, "schedule", "VR-"+forged.user+forged.meta, forged.meta, review, 0)
		if !strings.Contains(fmt.Sprint(ack), "no conference with that reference") {
			t.Errorf("a review form from %s with metadata %q answered %v", forged.user, forged.meta, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("forged review forms stored %d conferences", n-1)
	}
	if ack := a.viewSubmission("U0CM", "schedule", "VR", meta, review, 0); ack["response_action"] != "clear" {
		t.Fatalf("the review form answered %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE review_of_id = $1 AND NOT handover`, conf); n != 1 {
		t.Fatal("the review conference does not say what it reviews")
	}
}

// reviewForm is the initial value of each input of a views.open call's
// view, by block ID (users and options comma-separated, sorted).
func reviewForm(t *testing.T, c fakeslack.Call) map[string]string {
	t.Helper()
	var v struct {
		Blocks []struct {
			Type    string `json:"type"`
			BlockID string `json:"block_id"`
			Element struct {
				InitialValue   string                   `json:"initial_value"`
				InitialDate    string                   `json:"initial_date"`
				InitialTime    string                   `json:"initial_time"`
				InitialUser    string                   `json:"initial_user"`
				InitialUsers   []string                 `json:"initial_users"`
				InitialOption  *struct{ Value string }  `json:"initial_option"`
				InitialOptions []struct{ Value string } `json:"initial_options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil {
		t.Fatalf("views.open view: %v", err)
	}
	out := map[string]string{}
	for _, b := range v.Blocks {
		if b.Type != "input" {
			continue
		}
		e := b.Element
		vals := slices.Clone(e.InitialUsers)
		for _, o := range e.InitialOptions {
			vals = append(vals, o.Value)
		}
		if e.InitialOption != nil {
			vals = append(vals, e.InitialOption.Value)
		}
		vals = append(vals, e.InitialValue, e.InitialDate, e.InitialTime, e.InitialUser)
		vals = slices.DeleteFunc(vals, func(s string) bool { return s == "" })
		slices.Sort(vals)
		out[b.BlockID] = strings.Join(vals, ",")
	}
	return out
}

// Forged review/handover metadata on the scheduling form, and a handover
// form whose client was changed.
func TestForgedFollows(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	for _, m := range []struct{ user, meta string }{
		{"U0SW", fmt.Sprintf("review:c%d", conf)}, {"U0SW", fmt.Sprintf("handover:c%d", conf)},
		{"U0OUT", fmt.Sprintf("review:c%d", conf)}, {"U0CM", "review:c999999"},
		{"U0CM", fmt.Sprintf("handover:c%d", conf)}, // no lead change recorded
		{"U0CM", fmt.Sprintf("review:c%d.i1", conf)}, {"U0CM", "review:"}, {"U0CM", "handover:c0"},
	} {
		ack := a.viewSubmission(m.user, "schedule", "VZZF-"+m.user+m.meta, m.meta, scheduleForm(), 0)
		if ack["response_action"] == "clear" {
			t.Errorf("%s with %q: accepted", m.user, m.meta)
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("forged follows stored %d conferences", n)
	}
}
