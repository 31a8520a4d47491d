package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/bot"
)

// TestLateFormAnswerReachesTheUser: a handler that answers a form after
// Slack's deadline (the database was slow, say) cannot put its answer in
// the ack, which went empty and closed the form. The user is told by DM
// that it may not have been saved, with what they typed.
func TestLateFormAnswerReachesTheUser(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.main.Bot.HandleView("slow_test_form", func(ctx context.Context, r *bot.Request) {
		time.Sleep(4 * time.Second) // well past the 2.5 s ack deadline
		r.Ack(slack.NewErrorsViewSubmissionResponse(map[string]string{"purpose": "Sorry, we could not save this just now."}))
	})
	ack := a.viewSubmission("U0CM", "slow_test_form", "VSLOW", "",
		form{}.text("client_ref", "JS-4411").text("purpose", "Line one <!channel>\nLine two & more"), 0)
	if len(ack) != 0 {
		t.Fatalf("ack = %v, want the empty ack sent at the deadline", ack)
	}
	dm := callText(a.waitCalls("chat.postMessage", 1)[0])
	for _, want := range []string{"may not have been saved", "Sorry, we could not save this just now.", "JS-4411", "Line one &lt;!channel&gt;", "Line two &amp; more"} {
		if !strings.Contains(dm, want) {
			t.Errorf("DM lacks %q:\n%s", want, dm)
		}
	}
	if got := a.slack.CallsTo("chat.postMessage")[0].Params.Get("channel"); got != "U0CM" {
		t.Errorf("DM went to %q, want the user who typed it", got)
	}
	if strings.Contains(a.logs.String(), "JS-4411") || strings.Contains(a.logs.String(), "Line one") {
		t.Error("what the user typed reached the log")
	}
}

// TestBadTextGetsAFieldError: text PostgreSQL would refuse (NUL), other
// control characters, and a client reference that looks blank get an
// error on their field, and nothing is stored, instead of "please press
// Schedule again" for ever.
func TestBadTextGetsAFieldError(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	cases := []struct {
		name, field string
		form        form
	}{
		{"NULInPurpose", "purpose", scheduleForm().text("purpose", "Keep the\x00 tenancy")},
		{"EscapeInPlace", "place", scheduleForm().text("place", "Church\x1b[31mStreet")},
		{"ZeroWidthClientRef", "client_ref", scheduleForm().text("client_ref", "\u200b\u200d\u00ad")},
		{"BidiOverrideClientRef", "client_ref", scheduleForm().text("client_ref", "\u202e \u2066")},
		{"NULInExternalName", "ext_name_0", scheduleForm().text("ext_name_0", "Dr\x00Patel")},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VTXT%d", i), "", tc.form, 0)
			errs, _ := ack["errors"].(map[string]any)
			if ack["response_action"] != "errors" || errs[tc.field] == nil {
				t.Fatalf("ack = %v, want an error on %s", ack, tc.field)
			}
		})
	}
	meta := fmt.Sprintf("i%d", 1)
	t.Run("NULInColleagueName", func(t *testing.T) {
		ack := a.viewSubmission("U0GP", "colleague", "VCOLNUL", meta, form{}.text("colleague", "Sam\x00Jones"), 0)
		if ack["response_action"] != "errors" {
			t.Fatalf("ack = %v, want a field error", ack)
		}
	})
	if n := a.count(`SELECT count(*) FROM conferences`); n != 0 {
		t.Fatalf("%d conferences stored from bad text", n)
	}
}
