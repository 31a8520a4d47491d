package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// Every kind of reminder, end to end, for one recipient in London and one
// in New York: it is due on the right day by the reminder table, it goes
// at 09:00 on each recipient's own wall clock (not at 03:00 their time),
// never on a Saturday or a configured holiday, and still at 09:00 local
// across the changes to and from summer time (in spring 2027 New York
// moves on 14 March and London on 28 March; in autumn 2026 London moves
// back on 25 October and New York on 1 November). Each reminder written
// is then delivered, and must reach its recipient saying what it is about.
//
// Who is where: the GP U0GP and the case manager U0CM are in London; the
// social worker U0SW and a second case manager U0NY are in New York. U0CM
// calls and chairs CC-0001 (a.scheduled), U0NY calls and chairs CC-0002;
// both invite U0GP and U0SW. Reports, outcomes and actions have no form
// yet, so they are written straight into the database, as are dates
// other than the form's 20 November 2026.
//
// Each sweep step's expected not_before is written as 09:00 with the
// recipient's UTC offset on that day, so the offset (GMT or BST, EST or
// EDT) is spelled out rather than worked out by the code under test.
func TestReminderKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range reminderKindCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := startKindsApp(t, tc.holidays)
			tc.setup(k)
			for _, s := range tc.steps {
				k.step(s)
				if t.Failed() {
					return // later steps build on this one
				}
			}
		})
	}

	// A meeting that starts before the New York attendee's working day
	// (10:30 in London is 05:30 in New York): not at 03:30 their time on
	// the day, and not after the meeting, but in their working hours the
	// working day before, saying it is tomorrow.
	t.Run("conference_today_before_new_york_wakes", func(t *testing.T) {
		t.Parallel()
		k := startKindsApp(t, "")
		k.scheduled("V1") // Friday 20 November 2026, 10:30 GMT: 05:30 in New York
		k.answer("CC-0001", "U0SW", caseconf.AnswerAttending)
		k.answer("CC-0001", "U0GP", caseconf.AnswerAttending)
		k.consentOutOfTheWay()
		k.offSlackReplied()
		k.step(sweepStep{at: "2026-11-19T12:00:00Z", why: "Thursday, the working day before",
			want: []due{{"conference_today", "U0SW", "2026-11-19T09:00:00-05:00", []string{"*CC-0001 is tomorrow*"}}}})
		k.step(sweepStep{at: "2026-11-19T23:00:00Z", why: "Thursday evening: written already"})
		k.step(sweepStep{at: "2026-11-20T00:05:00Z", why: "just after midnight on the day: the chair gets hers at 09:00 London; New York had theirs",
			want: []due{
				{"conference_today", "U0CM", "2026-11-20T09:00:00+00:00", []string{"*CC-0001 is today*"}},
				{"conference_today", "U0GP", "2026-11-20T09:00:00+00:00", []string{"*CC-0001 is today*"}},
			}})
	})

	// Someone further west: a sweep just after midnight in London is
	// 16:05 or 17:05 the day before in Los Angeles, inside their working
	// hours; a reminder for London's day must still wait for that day on
	// their clock (not "an action is due *today*" on the eve of the day).
	t.Run("action_due_today_waits_for_the_day_in_los_angeles", func(t *testing.T) {
		t.Parallel()
		k := startKindsApp(t, "")
		la, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			t.Fatal(err)
		}
		u := slackUser("U0LA", "Lee Angel")
		u.TZ = la.String()
		k.slack.AddUser(u)
		k.zones["U0LA"] = la
		k.scheduled("V1")
		k.consentOutOfTheWay()
		k.offSlackReplied()
		k.exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on) VALUES ($1, 'Housing', 'Call the landlord', 'U0LA', '2027-03-23')`,
			k.conferenceID("CC-0001"))
		rows, _ := k.sweepRows(time.Date(2027, 3, 23, 0, 5, 0, 0, time.UTC)) // Tuesday in London; Monday 17:05 in Los Angeles
		if len(rows) != 1 || rows[0].Kind != "action_due_today" || rows[0].To != "U0LA" {
			t.Fatalf("the sweep wrote %v, want the action due today for U0LA", rows)
		}
		if want := time.Date(2027, 3, 23, 9, 0, 0, 0, la); !rows[0].NotBefore.Equal(want) {
			t.Errorf("the reminder that an action is due today (Tuesday 23 March) reaches Los Angeles at %s, want %s",
				rows[0].NotBefore.In(la).Format("Mon 2 Jan 15:04 MST"), want.Format("Mon 2 Jan 15:04 MST"))
		}
	})
}

// reminderKindCase is one kind of reminder (or a family of them): how to
// arrange the facts, and a sweep after sweep of what must be due.
type reminderKindCase struct {
	name     string
	holidays string // CASECONF_HOLIDAYS
	setup    func(k *kindsApp)
	steps    []sweepStep
}

// sweepStep is one sweep as if it were at, and every reminder it must
// write: no more, no fewer.
type sweepStep struct {
	at   string // RFC 3339
	why  string
	prep func(k *kindsApp) // changes to the facts before this sweep
	want []due
}

// due is one reminder a sweep must write, and then deliver.
type due struct {
	kind string
	to   string
	at   string   // when it may go: 09:00 on the recipient's wall clock, RFC 3339 with their offset that day
	says []string // what the delivered DM must contain (all in one DM)
}

func reminderKindCases() []reminderKindCase {
	const (
		gp, sw, cm, ny = "U0GP", "U0SW", "U0CM", "U0NY"
		easter         = "2027-03-26,2027-03-29" // Good Friday and Easter Monday 2027
	)
	invitation := func(to, at string) due {
		return due{"invitation_unanswered", to, at, []string{"not yet answered the invitation to *CC-0001*", "Tuesday 23 March 2027 at 15:00 GMT"}}
	}
	// Dr Patel is not on Slack: her case manager is chased for her reply.
	patel := func(at string) due {
		return due{"invitation_unanswered", cm, at, []string{"Dr Patel (Church Street Surgery), not on Slack, has not replied to the invitation to *CC-0001*", "Record reply: Dr Patel"}}
	}
	today := func(to, at, when string) due {
		return due{"conference_today", to, at, []string{"*CC-0001 is today*", when}}
	}
	return []reminderKindCase{{
		name:     "invitation_unanswered",
		holidays: "2027-03-22", // the Monday before the meeting
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.consentOutOfTheWay()
			k.move("CC-0001", "2027-03-23T15:00:00Z") // Tuesday 23 March 2027, 15:00 GMT
		},
		steps: []sweepStep{
			{at: "2027-03-11T08:00:00Z", why: "Thursday 11 March, 03:00 in New York: seven working days before, the holiday not counted; both on winter time",
				want: []due{invitation(gp, "2027-03-11T09:00:00+00:00"), invitation(sw, "2027-03-11T09:00:00-05:00"), patel("2027-03-11T09:00:00+00:00")}},
			{at: "2027-03-12T08:00:00Z", why: "six working days before (seven, were the holiday a working day): nothing"},
			{at: "2027-03-17T07:00:00Z", why: "03:00 in New York, three working days before; New York is on summer time since the 14th, London not yet",
				want: []due{invitation(gp, "2027-03-17T09:00:00+00:00"), invitation(sw, "2027-03-17T09:00:00-04:00"), patel("2027-03-17T09:00:00+00:00")}},
			{at: "2027-03-19T22:30:00Z", why: "late on Friday, the last working day before, after both their working days have ended: not Saturday, not the holiday Monday, but Tuesday morning",
				want: []due{invitation(gp, "2027-03-23T09:00:00+00:00"), invitation(sw, "2027-03-23T09:00:00-04:00"), patel("2027-03-23T09:00:00+00:00")}},
			{at: "2027-03-20T10:00:00Z", why: "Saturday: nothing"},
			{at: "2027-03-22T08:00:00Z", why: "the holiday Monday, the day before: nothing"},
		},
	}, {
		name: "report_owed",
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.answer("CC-0001", gp, caseconf.AnswerApologies)
			k.answer("CC-0001", sw, caseconf.AnswerApologies)
			k.consentOutOfTheWay()
			k.offSlackReplied()
			k.move("CC-0001", "2026-11-03T15:00:00Z") // Tuesday 3 November 2026, 15:00 GMT
		},
		steps: []sweepStep{
			{at: "2026-10-29T04:00:00Z", why: "Thursday 29 October, midnight in New York: three working days before; London is on GMT since the 25th, New York still on EDT",
				want: []due{
					{"report_owed", gp, "2026-10-29T09:00:00+00:00", []string{"can't attend *CC-0001*", "Tuesday 3 November 2026 at 15:00 GMT", "written report"}},
					{"report_owed", sw, "2026-10-29T09:00:00-04:00", []string{"can't attend *CC-0001*", "written report"}},
				}},
			{at: "2026-10-30T04:00:00Z", why: "two working days before: nothing"},
			{at: "2026-10-31T10:00:00Z", why: "Saturday: nothing"},
			{at: "2026-11-02T05:00:00Z", why: "midnight in New York, now on EST, the working day before; the GP has sent her report, so only the social worker is chased",
				prep: func(k *kindsApp) {
					k.exec(`INSERT INTO reports (conference_id, invitee_id, author_id, concerns) VALUES ($1, $2, 'U0GP', 'Rent arrears')`,
						k.conferenceID("CC-0001"), k.inviteeID("CC-0001", gp))
				},
				want: []due{{"report_owed", sw, "2026-11-02T09:00:00-05:00", []string{"can't attend *CC-0001*", "written report"}}}},
		},
	}, {
		name: "conference_today",
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.answer("CC-0001", gp, caseconf.AnswerAttending)
			k.answer("CC-0001", sw, caseconf.AnswerAttending)
			k.consentOutOfTheWay()
			k.offSlackReplied()
			k.move("CC-0001", "2027-03-17T15:00:00Z") // Wednesday 17 March 2027, 15:00 GMT, 11:00 EDT
		},
		steps: []sweepStep{
			{at: "2027-03-16T12:00:00Z", why: "the day before: nothing"},
			{at: "2027-03-17T00:05:00Z", why: "just after midnight in London on the day, the evening before in New York; New York on EDT, London on GMT",
				want: []due{
					today(cm, "2027-03-17T09:00:00+00:00", "Wednesday 17 March 2027 at 15:00 GMT"),
					today(gp, "2027-03-17T09:00:00+00:00", "Wednesday 17 March 2027 at 15:00 GMT"),
					today(sw, "2027-03-17T09:00:00-04:00", "Wednesday 17 March 2027 at 15:00 GMT"),
				}},
			{at: "2027-03-27T10:00:00Z", why: "Saturday, the meeting moved to Wednesday 31st: nothing",
				prep: func(k *kindsApp) { k.move("CC-0001", "2027-03-31T14:00:00Z") }}, // 15:00 BST
			{at: "2027-03-30T23:05:00Z", why: "just after midnight on the 31st in London, now on BST",
				want: []due{
					today(cm, "2027-03-31T09:00:00+01:00", "Wednesday 31 March 2027 at 15:00 BST"),
					today(gp, "2027-03-31T09:00:00+01:00", "Wednesday 31 March 2027 at 15:00 BST"),
					today(sw, "2027-03-31T09:00:00-04:00", "Wednesday 31 March 2027 at 15:00 BST"),
				}},
		},
	}, {
		name:     "outcome_not_recorded",
		holidays: easter,
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.callAs("V2", ny)
			k.consentOutOfTheWay()
			k.offSlackReplied()
			k.exec(`UPDATE conferences SET starts_at = '2027-03-24T15:00:00Z'`) // both: Wednesday 24 March 2027, before Easter
		},
		steps: []sweepStep{
			{at: "2027-03-25T02:00:00Z", why: "the first working day after, 02:00 in London (GMT), 22:00 the evening before in New York (EDT)",
				want: []due{
					{"outcome_not_recorded", cm, "2027-03-25T09:00:00+00:00", []string{"outcome and action plan of *CC-0001*", "have not been recorded yet"}},
					{"outcome_not_recorded", ny, "2027-03-25T09:00:00-04:00", []string{"outcome and action plan of *CC-0002*", "have not been recorded yet"}},
				}},
			{at: "2027-03-26T02:00:00Z", why: "Good Friday, a holiday: nothing"},
			{at: "2027-03-27T10:00:00Z", why: "Saturday: nothing"},
			{at: "2027-03-29T01:30:00Z", why: "Easter Monday, a holiday: nothing"},
			{at: "2027-03-30T02:00:00Z", why: "two working days after: nothing"},
			{at: "2027-03-31T02:00:00Z", why: "three working days after, 03:00 in London, now on BST",
				want: []due{
					{"outcome_not_recorded", cm, "2027-03-31T09:00:00+01:00", []string{"outcome and action plan of *CC-0001*"}},
					{"outcome_not_recorded", ny, "2027-03-31T09:00:00-04:00", []string{"outcome and action plan of *CC-0002*"}},
				}},
			{at: "2027-04-02T02:00:00Z", why: "five working days after: again, only for CC-0002, whose outcome is still not recorded",
				prep: func(k *kindsApp) {
					k.exec(`INSERT INTO outcomes (conference_id, recorded_by, summary) VALUES ($1, 'U0CM', 'Agreed a plan')`, k.conferenceID("CC-0001"))
				},
				want: []due{{"outcome_not_recorded", ny, "2027-04-02T09:00:00-04:00", []string{"outcome and action plan of *CC-0002*"}}}},
		},
	}, {
		// One action each for the social worker (CC-0001, case manager in
		// London) and the GP (CC-0002, case manager in New York), and one
		// on CC-0002 for someone not on Slack, whom its case manager
		// chases; all due on Monday 22 March 2027.
		name:     "actions",
		holidays: easter,
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.callAs("V2", ny)
			k.accept("CC-0001", sw, "Westminster Adult Social Care", "adult_social_care")
			k.accept("CC-0002", gp, "Church Street Surgery", "health_gp")
			k.consentOutOfTheWay()
			k.offSlackReplied()
			k.exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, due_on) VALUES
				($1, 'Housing', 'Apply for the tenancy support', 'U0SW', '', '2027-03-22'),
				($2, 'Health', 'Book the medication review', 'U0GP', '', '2027-03-22'),
				($2, 'Benefits', 'Chase the PIP claim', NULL, 'Mo Khan (Jobcentre)', '2027-03-22')`,
				k.conferenceID("CC-0001"), k.conferenceID("CC-0002"))
		},
		steps: []sweepStep{
			{at: "2027-03-18T07:00:00Z", why: "two working days before, 03:00 in New York (on EDT since the 14th), 07:00 in London (GMT)",
				want: []due{
					{"action_due_soon", sw, "2027-03-18T09:00:00-04:00", []string{"due on Monday 22 March 2027, from *CC-0001*", "Apply for the tenancy support"}},
					{"action_due_soon", gp, "2027-03-18T09:00:00+00:00", []string{"due on Monday 22 March 2027, from *CC-0002*", "Book the medication review"}},
					{"action_due_soon", ny, "2027-03-18T09:00:00-04:00", []string{"Chase the PIP claim", "not on Slack"}},
				}},
			{at: "2027-03-19T07:00:00Z", why: "one working day before: nothing"},
			{at: "2027-03-20T10:00:00Z", why: "Saturday: nothing"},
			{at: "2027-03-22T04:00:00Z", why: "the day it is due, midnight in New York",
				want: []due{
					{"action_due_today", sw, "2027-03-22T09:00:00-04:00", []string{"due *today*, from *CC-0001*", "Apply for the tenancy support"}},
					{"action_due_today", gp, "2027-03-22T09:00:00+00:00", []string{"due *today*, from *CC-0002*", "Book the medication review"}},
					{"action_due_today", ny, "2027-03-22T09:00:00-04:00", []string{"due *today*", "Chase the PIP claim"}},
				}},
			{at: "2027-03-29T01:30:00Z", why: "a week overdue on Easter Monday, a holiday (and London's first day of BST): it waits for Tuesday",
				want: []due{
					{"action_overdue", sw, "2027-03-30T09:00:00-04:00", []string{"*overdue* (it was due on Monday 22 March 2027)", "Apply for the tenancy support"}},
					{"action_overdue", gp, "2027-03-30T09:00:00+01:00", []string{"*overdue*", "Book the medication review"}},
					{"action_overdue", ny, "2027-03-30T09:00:00-04:00", []string{"*overdue*", "Chase the PIP claim"}},
				}},
			{at: "2027-04-05T01:30:00Z", why: "two weeks overdue: the owners again, and now each case manager too (but not twice for the owner not on Slack)",
				want: []due{
					{"action_overdue", sw, "2027-04-05T09:00:00-04:00", []string{"*overdue*", "Apply for the tenancy support"}},
					{"action_overdue", gp, "2027-04-05T09:00:00+01:00", []string{"*overdue*", "Book the medication review"}},
					{"action_overdue", ny, "2027-04-05T09:00:00-04:00", []string{"*overdue* (it was due", "Chase the PIP claim"}},
					{"action_overdue_cm", cm, "2027-04-05T09:00:00+01:00", []string{"overdue for more than a week", "Apply for the tenancy support"}},
					{"action_overdue_cm", ny, "2027-04-05T09:00:00-04:00", []string{"overdue for more than a week", "Book the medication review"}},
				}},
		},
	}, {
		name:     "review_approaching",
		holidays: easter,
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.callAs("V2", ny)
			k.consentOutOfTheWay()
			k.offSlackReplied()
			k.exec(`INSERT INTO outcomes (conference_id, recorded_by, review_on) SELECT id, case_manager_id, '2027-04-07' FROM conferences`)
		},
		steps: []sweepStep{
			{at: "2027-03-20T10:00:00Z", why: "Saturday: nothing"},
			{at: "2027-03-22T04:00:00Z", why: "ten working days before Wednesday 7 April, Good Friday and Easter Monday not counted",
				want: []due{
					{"review_approaching", cm, "2027-03-22T09:00:00+00:00", []string{"review of *CC-0001* is due on Wednesday 7 April 2027"}},
					{"review_approaching", ny, "2027-03-22T09:00:00-04:00", []string{"review of *CC-0002* is due on Wednesday 7 April 2027"}},
				}},
			{at: "2027-03-24T04:00:00Z", why: "ten working days before, were Easter working days: nothing"},
			{at: "2027-03-25T22:00:00Z", why: "the reviews put back to Monday 12 April, ten working days after Thursday 25 March; the service was down until 22:00 that evening, after both working days ended: the reminder waits past Good Friday, the weekend and Easter Monday, to Tuesday 09:00, London now on BST",
				prep: func(k *kindsApp) { k.exec(`UPDATE outcomes SET review_on = '2027-04-12'`) },
				want: []due{
					{"review_approaching", cm, "2027-03-30T09:00:00+01:00", []string{"review of *CC-0001* is due on Monday 12 April 2027"}},
					{"review_approaching", ny, "2027-03-30T09:00:00-04:00", []string{"review of *CC-0002* is due on Monday 12 April 2027"}},
				}},
		},
	}, {
		name:     "consent_expiring",
		holidays: "2026-11-02",
		setup: func(k *kindsApp) {
			k.scheduled("V1")
			k.callAs("V2", ny)
			k.exec(`UPDATE consents SET valid_until = '2026-11-09'`) // both clients' consents end on Monday 9 November 2026
		},
		steps: []sweepStep{
			{at: "2026-10-23T03:00:00Z", why: "ten working days before (the holiday on the 2nd not counted), both on summer time",
				want: []due{
					{"consent_expiring", cm, "2026-10-23T09:00:00+01:00", []string{"last conference *CC-0001*", "runs out on Monday 9 November 2026"}},
					{"consent_expiring", ny, "2026-10-23T09:00:00-04:00", []string{"last conference *CC-0002*", "runs out on Monday 9 November 2026"}},
				}},
			{at: "2026-10-24T10:00:00Z", why: "Saturday: nothing"},
			{at: "2026-10-30T22:00:00Z", why: "the consents now end on Monday 16 November: ten working days before (the holiday not counted) is Friday 30 October, but the service was down until 22:00 (18:00 in New York, after both working days ended): the reminder waits past the weekend, New York's return to EST and the holiday, to Tuesday 09:00",
				prep: func(k *kindsApp) { k.exec(`UPDATE consents SET valid_until = '2026-11-16'`) },
				want: []due{
					{"consent_expiring", cm, "2026-11-03T09:00:00+00:00", []string{"last conference *CC-0001*", "runs out on Monday 16 November 2026"}},
					{"consent_expiring", ny, "2026-11-03T09:00:00-05:00", []string{"last conference *CC-0002*", "runs out on Monday 16 November 2026"}},
				}},
			{at: "2026-11-02T05:00:00Z", why: "the holiday, ten working days before the 16th were it a working day: nothing"},
			{at: "2026-11-03T05:00:00Z", why: "the consents now end on Tuesday 17 November: ten working days before; both on winter time",
				prep: func(k *kindsApp) { k.exec(`UPDATE consents SET valid_until = '2026-11-17'`) },
				want: []due{
					{"consent_expiring", cm, "2026-11-03T09:00:00+00:00", []string{"last conference *CC-0001*", "runs out on Tuesday 17 November 2026"}},
					{"consent_expiring", ny, "2026-11-03T09:00:00-05:00", []string{"last conference *CC-0002*", "runs out on Tuesday 17 November 2026"}},
				}},
		},
	}}
}

// reminderKindZones is each person's Slack time zone (users.info tz).
var reminderKindZones = map[string]string{
	"U0GP": "Europe/London",
	"U0CM": "Europe/London",
	"U0SW": "America/New_York",
	"U0NY": "America/New_York",
}

// kindsApp is an app whose clock the test moves: to the instant of each
// sweep, so what a reminder says (which checks the day and whether the
// meeting has started) is read as on that day.
type kindsApp struct {
	*app
	clock    *movableClock
	holidays map[string]bool
	zones    map[string]*time.Location
}

type movableClock struct{ ns atomic.Int64 }

func (c *movableClock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *movableClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

func startKindsApp(t *testing.T, holidays string) *kindsApp {
	t.Helper()
	clock := &movableClock{}
	clock.set(testNow)
	env := map[string]string{}
	k := &kindsApp{clock: clock, holidays: map[string]bool{}, zones: map[string]*time.Location{}}
	if holidays != "" {
		env["CASECONF_HOLIDAYS"] = holidays
		for _, d := range strings.Split(holidays, ",") {
			k.holidays[d] = true
		}
	}
	k.app = startAppWith(t, env, func(m *Main) { m.Now = clock.now })
	names := map[string]string{"U0GP": "Dr Gill", "U0CM": "Casey Manager", "U0SW": "Sam Worker", "U0NY": "Nia Young"}
	for id, zone := range reminderKindZones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		k.zones[id] = loc
		u := slackUser(id, names[id])
		u.TZ = zone
		k.slack.AddUser(u)
	}
	return k
}

// callAs calls a conference like a.scheduled's, with cm as case manager,
// chair and minute taker, for a client of their own (another case
// manager's client's reference is refused).
func (k *kindsApp) callAs(viewID, cm string) {
	k.t.Helper()
	before := len(k.slack.CallsTo("chat.postMessage"))
	f := scheduleForm().user("chair", cm).user("minute_taker", cm)
	if cm != "U0CM" {
		f = f.text("client_ref", "JS-4411-"+cm)
	}
	if ack := k.viewSubmission(cm, "schedule", viewID, "", f, 0); ack["response_action"] != "clear" {
		k.t.Fatalf("%s calling a conference: %v", cm, ack)
	}
	k.waitCalls("chat.postMessage", before+3)
	k.invitationsRecorded()
	k.waitOutboxDone(10 * time.Second)
}

// answer has an invitee accept the agreement and answer, by the buttons.
func (k *kindsApp) answer(ref, userID string, answer caseconf.Answer) {
	k.t.Helper()
	agency, kind := "Church Street Surgery", "health_gp"
	if userID == "U0SW" {
		agency, kind = "Westminster Adult Social Care", "adult_social_care"
	}
	k.accept(ref, userID, agency, kind)
	k.click(userID, "respond:"+string(answer), k.inviteeValue(ref, userID))
	k.eventually(userID+"'s answer", func() bool {
		return k.count(`SELECT count(*) FROM responses WHERE invitee_id = $1 AND answer = $2`, k.inviteeID(ref, userID), string(answer)) == 1
	})
	k.waitOutboxDone(10 * time.Second)
}

func (k *kindsApp) exec(query string, args ...any) {
	k.t.Helper()
	if _, err := k.main.DB.SQL().Exec(query, args...); err != nil {
		k.t.Fatalf("%s: %v", query, err)
	}
}

func (k *kindsApp) conferenceID(ref string) int {
	k.t.Helper()
	return k.count(`SELECT id FROM conferences WHERE ref = $1`, ref)
}

// move reschedules conference ref to start at (RFC 3339).
func (k *kindsApp) move(ref, at string) {
	k.t.Helper()
	k.exec(`UPDATE conferences SET starts_at = $2 WHERE ref = $1`, ref, at)
}

// consentOutOfTheWay makes every client's consent last to the end of
// 2027, so that no consent reminder comes due where the test is about
// another kind (the form's consent runs to 1 April 2027).
// offSlackReplied records, as the case manager would, that the people
// not on Slack will attend, so the case manager is not chased for them
// (the invitation_unanswered case shows that she is until then).
func (k *kindsApp) offSlackReplied() {
	k.t.Helper()
	k.exec(`INSERT INTO responses (invitee_id, answer, recorded_by) SELECT id, 'attending', 'U0CM' FROM invitees WHERE slack_user_id IS NULL`)
}

func (k *kindsApp) consentOutOfTheWay() {
	k.t.Helper()
	k.exec(`UPDATE consents SET valid_until = '2027-12-31'`)
}

// reminderRow is one message a sweep wrote to the outbox.
type reminderRow struct {
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	To        string    `db:"recipient_id"`
	NotBefore time.Time `db:"not_before"`
}

func (r reminderRow) String() string {
	return fmt.Sprintf("%s to %s at %s", r.Kind, r.To, r.NotBefore.UTC().Format(time.RFC3339))
}

// sweepRows runs one sweep as if it were at, with the app's clock there
// too, and returns what it wrote to the outbox, and how many DMs had been
// posted before it (some of what it wrote may be on its way already:
// delivery runs on the wall clock, and a not_before in the past goes at
// once).
func (k *kindsApp) sweepRows(at time.Time) ([]reminderRow, int) {
	k.t.Helper()
	k.waitOutboxDone(10 * time.Second)
	last := k.count(`SELECT coalesce(max(id), 0) FROM outbox`)
	posts := len(k.slack.CallsTo("chat.postMessage"))
	k.clock.set(at)
	if _, err := k.main.Sweeper.RunOnce(context.Background(), at, false); err != nil {
		k.t.Fatalf("sweep at %s: %v", at.Format(time.RFC3339), err)
	}
	var rows []reminderRow
	if err := k.main.DB.SQL().Select(&rows, `SELECT id, kind, recipient_id, not_before FROM outbox WHERE id > $1 ORDER BY id`, last); err != nil {
		k.t.Fatal(err)
	}
	return rows, posts
}

// inWorkingHours says what is wrong with when r goes, if it is not
// between 09:00 and 17:30 on a working day on its recipient's wall clock.
func (k *kindsApp) inWorkingHours(r reminderRow) error {
	loc := k.zones[r.To]
	if loc == nil {
		return fmt.Errorf("goes to %s, who is nobody in this test", r.To)
	}
	local := r.NotBefore.In(loc)
	mins := local.Hour()*60 + local.Minute()
	switch {
	case local.Weekday() == time.Saturday || local.Weekday() == time.Sunday:
		return fmt.Errorf("goes on a %s (%s)", local.Weekday(), local.Format("2006-01-02 15:04 MST"))
	case k.holidays[local.Format(caseconf.DateLayout)]:
		return fmt.Errorf("goes on a holiday (%s)", local.Format("2006-01-02 15:04 MST"))
	case mins < 9*60 || mins >= 17*60+30:
		return fmt.Errorf("goes at %s, outside 09:00-17:30 on the recipient's clock", local.Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// step runs one sweep and checks every reminder it wrote, when each may
// go, and then what each recipient was sent.
func (k *kindsApp) step(s sweepStep) {
	t := k.t
	t.Helper()
	at, err := time.Parse(time.RFC3339, s.at)
	if err != nil {
		t.Fatal(err)
	}
	if s.prep != nil {
		s.prep(k)
	}
	rows, posts := k.sweepRows(at)

	// Exactly the reminders wanted, each at 09:00 on its recipient's clock.
	used := make([]bool, len(rows))
	for _, w := range s.want {
		want, err := time.Parse(time.RFC3339, w.at)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i, r := range rows {
			if used[i] || r.Kind != w.kind || r.To != w.to {
				continue
			}
			used[i], found = true, true
			if !r.NotBefore.Equal(want) {
				t.Errorf("sweep at %s (%s): %s's %s goes at %s (%s), want %s",
					s.at, s.why, w.to, w.kind, r.NotBefore.In(k.zones[w.to]).Format("Mon 2 Jan 15:04 MST"),
					r.NotBefore.UTC().Format(time.RFC3339), want.In(k.zones[w.to]).Format("Mon 2 Jan 15:04 MST"))
			}
			break
		}
		if !found {
			t.Errorf("sweep at %s (%s): no %s for %s; the sweep wrote %v", s.at, s.why, w.kind, w.to, rows)
		}
	}
	for i, r := range rows {
		if !used[i] {
			t.Errorf("sweep at %s (%s): unexpected %v", s.at, s.why, r)
		}
		if err := k.inWorkingHours(r); err != nil {
			t.Errorf("sweep at %s: %v %v", s.at, r, err)
		}
	}
	if t.Failed() {
		return
	}

	// Deliver them now (the test cannot wait for March 2027), and see what
	// each recipient was sent.
	k.exec(`UPDATE outbox SET not_before = now() - interval '1 second' WHERE id >= $1 AND state = 'pending'`, firstID(rows))
	k.main.Bot.Sender().Wake()
	k.waitOutboxDone(10 * time.Second)
	for _, r := range rows {
		var st struct {
			State string `db:"state"`
			Why   string `db:"why"`
		}
		if err := k.main.DB.SQL().Get(&st, `SELECT state, array_to_string(errors, '; ') AS why FROM outbox WHERE id = $1`, r.ID); err != nil {
			t.Fatal(err)
		}
		if st.State != "sent" {
			t.Errorf("sweep at %s: %v was not sent but %s (%s)", s.at, r, st.State, st.Why)
		}
	}
	got := map[string][]string{}
	for _, c := range k.slack.CallsTo("chat.postMessage")[posts:] {
		if !c.Failed {
			got[c.Params.Get("channel")] = append(got[c.Params.Get("channel")], callText(c))
		}
	}
	wanted := map[string]int{}
	for _, w := range s.want {
		wanted[w.to]++
	}
	for to, dms := range got {
		if len(dms) != wanted[to] {
			t.Errorf("sweep at %s: %s got %d DMs, want %d:\n%s", s.at, to, len(dms), wanted[to], strings.Join(dms, "\n---\n"))
		}
	}
	for _, w := range s.want {
		if !takeDM(got, w.to, w.says) {
			t.Errorf("sweep at %s: %s got no %s DM saying %q; got:\n%s", s.at, w.to, w.kind, w.says, strings.Join(got[w.to], "\n---\n"))
		}
	}
}

// firstID is the first of rows' IDs (they are in order), or one past any
// when there are none.
func firstID(rows []reminderRow) int64 {
	if len(rows) == 0 {
		return 1 << 62
	}
	return rows[0].ID
}

// takeDM finds (and removes, so no DM answers for two reminders) a DM to
// to containing every one of says.
func takeDM(got map[string][]string, to string, says []string) bool {
	for i, text := range got[to] {
		ok := true
		for _, s := range says {
			ok = ok && strings.Contains(text, s)
		}
		if ok {
			got[to] = append(got[to][:i:i], got[to][i+1:]...)
			return true
		}
	}
	return false
}
