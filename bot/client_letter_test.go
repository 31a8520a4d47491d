package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func TestClientLetter(t *testing.T) {
	cal := london(t)
	c := &caseconf.Conference{ID: 1, Ref: "CC-0001", CaseManagerID: "U0CM", StartsAt: time.Date(2026, 10, 30, 10, 30, 0, 0, time.UTC),
		Invitees: []caseconf.Invitee{{SlackUserID: "U0SW", Agency: "Westminster Adult Social Care"}}}
	o := &caseconf.Outcome{
		Attended:    []caseconf.Person{{UserID: "U0SW", Agency: "Westminster Adult Social Care"}, {Name: "Dr Patel", Agency: "westminster adult social care"}},
		ClientViews: "Wants to stay",
		Actions: []caseconf.Action{
			{Area: "Housing", What: "Tenancy support <!channel>", OwnerID: "U0SW", DueOn: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
			{Area: "Money", What: "Benefits check", OwnerID: "U0CM", DueOn: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)},
			{Area: "Done", What: "Already done", OwnerName: "Ann Lee", OwnerAgency: "Acacia House", Status: caseconf.ActionDone},
		},
	}
	got := clientLetter(c, o, func(id string) string { return map[string]string{"U0SW": "Sam Worker"}[id] }, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), cal)
	for _, want := range []string{"Dear [client's name],", "You were not at the meeting", "people from: Westminster Adult Social Care.\n",
		"1. Housing: Tenancy support <!channel>\n   Who: Sam Worker, Westminster Adult Social Care\n   By: Friday 27 November 2026",
		"2. Money: Benefits check\n   Who: me, your case manager", "[your name]\nCase manager"} {
		if !strings.Contains(got, want) {
			t.Errorf("the letter lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Already done") || strings.Contains(got, "We will meet again") {
		t.Errorf("a done action, or a review date that was not set:\n%s", got)
	}
}
