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
		VALUES ($1, 'U0SHARE', NULL), ($1, 'U0WITHHELD', 'the consent does not cover their agency'), ($1, 'U0SHOK', NULL)`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AcceptShareAgreement(ctx, c.ID, "U0SHOK", &store.AgencyAnswer{Agency: "Westminster Housing", Kind: "housing"}, nil); err != nil {
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
		"ShareListAccepted":         {UserID: "U0SHOK"},
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
	if seen != 9 {
		t.Errorf("%d viewers may see the conference, want 9 (all but the not-yet-accepted invitee, the outsider and no one)", seen)
	}
}

// What someone on the share list who was not invited sees of a conference
// read from the store is decided on the agreement they accepted for it:
// nothing of the case before they accept, the details once they accept
// naming an agency the consent covers, none for an agency it does not
// cover. Accepting twice keeps the first; an invitee, an organiser and an
// outsider cannot accept it.
func TestShareAgreementDecidesWhatTheStoreShows(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP"))
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO share_list (conference_id, slack_user_id) VALUES ($1, 'U0HOU'), ($1, 'U0POL'), ($1, 'U0GP')`, c.ID); err != nil {
		t.Fatal(err)
	}
	details := func(user string) bool {
		t.Helper()
		got, err := s.ConferenceByID(ctx, c.ID, caseconf.Viewer{UserID: user}, "conference.show")
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		return caseconf.CanSeeDetails(got, caseconf.Viewer{UserID: user})
	}
	if details("U0HOU") || details("U0GP") {
		t.Error("details before the agreement")
	}
	if _, _, err := s.AcceptShareAgreement(ctx, c.ID, "U0HOU", nil, nil); caseconf.ErrorCode(err) != caseconf.EINVALID {
		t.Errorf("accepting without an agency: %v", err)
	}
	if _, _, err := s.AcceptShareAgreement(ctx, c.ID, "U0HOU", &store.AgencyAnswer{Agency: "Westminster Housing", Kind: "housing"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AcceptShareAgreement(ctx, c.ID, "U0POL", &store.AgencyAnswer{Agency: "Met", Kind: "probation_police"}, nil); err != nil {
		t.Fatal(err)
	}
	if !details("U0HOU") || details("U0POL") {
		t.Errorf("after the agreement: housing (covered) sees details %v, police (not covered) %v", details("U0HOU"), details("U0POL"))
	}
	// Again, naming another agency: the first stays.
	if _, _, err := s.AcceptShareAgreement(ctx, c.ID, "U0HOU", &store.AgencyAnswer{Agency: "Met", Kind: "probation_police"}, nil); err != nil || !details("U0HOU") {
		t.Errorf("a second acceptance changed the first: %v", err)
	}
	for _, u := range []string{"U0GP", "U0CM", "U0OUT"} {
		if _, _, err := s.AcceptShareAgreement(ctx, c.ID, u, &store.AgencyAnswer{Agency: "x", Kind: "housing"}, nil); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
			t.Errorf("%s accepted the share list's agreement: %v", u, err)
		}
	}
}
