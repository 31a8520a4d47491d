package store_test

import (
	"context"
	"testing"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// TestVisibilityAgreesWithTheRule holds the SQL filter used by list
// queries to caseconf.CanSee, for a viewer in every role.
func TestVisibilityAgreesWithTheRule(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	n := schedule("U0CM", "U0GP", "U0PROB", "U0NEW")
	n.Chair, n.MinuteTaker = "U0CHAIR", "U0MIN"
	c := create(t, s, n)
	for user, kind := range map[string]string{"U0GP": "health_gp", "U0PROB": "probation_police"} {
		if _, _, err := s.AcceptAgreement(ctx, inviteeFor(t, c, user).ID, user, &store.AgencyAnswer{Agency: "x", Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO share_list (conference_id, slack_user_id, withheld)
		VALUES ($1, 'U0SHARE', NULL), ($1, 'U0WITHHELD', 'the consent does not cover their agency')`, c.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.ConferenceSnapshot(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}

	viewers := map[string]caseconf.Viewer{
		"CaseManager":               {UserID: "U0CM"},
		"Chair":                     {UserID: "U0CHAIR"},
		"MinuteTaker":               {UserID: "U0MIN"},
		"Admin":                     {UserID: "U0ADMIN", Admin: true},
		"InviteeAcceptedCovered":    {UserID: "U0GP"},
		"InviteeAcceptedNotCovered": {UserID: "U0PROB"},
		"InviteeNotAccepted":        {UserID: "U0NEW"},
		"ShareList":                 {UserID: "U0SHARE"},
		"ShareListWithheld":         {UserID: "U0WITHHELD"},
		"Outsider":                  {UserID: "U0OUT"},
		"NoUser":                    {},
	}
	seen := 0
	for name, v := range viewers {
		t.Run(name, func(t *testing.T) {
			var n int
			err := s.SQL().GetContext(ctx, &n, `SELECT count(*) FROM conferences c WHERE c.id = $3 AND `+store.VisibleTo, v.UserID, v.Admin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			sql, rule := n == 1, caseconf.CanSee(c, v)
			if sql != rule {
				t.Fatalf("SQL filter says %v, caseconf.CanSee says %v", sql, rule)
			}
			_, err = s.ConferenceByID(ctx, c.ID, v, "conference.show")
			if got := err == nil; got != rule {
				t.Fatalf("ConferenceByID read it: %v, want %v (%v)", got, rule, err)
			}
			if rule {
				seen++
			}
		})
	}
	if seen != 7 {
		t.Errorf("%d viewers may see the conference, want 7 (all but the not-yet-accepted invitee, the one the minutes are withheld from, the outsider and no one)", seen)
	}
}
