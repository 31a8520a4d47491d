package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
)

// The client's current consent is the one recorded last, even when the
// conference that recorded it was cancelled: the superseded consent is not
// reported as expiring.
func TestConsentExpiringIgnoresRenewalOnCancelledConference(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c1 := create(t, s, schedule("U0CM", "U0GP"))
	c2 := create(t, s, schedule("U0CM", "U0GP"))
	var consents []struct {
		ID     int64 `db:"consent_id"`
		Client int64 `db:"client_id"`
	}
	if err := s.SQL().SelectContext(ctx, &consents, `SELECT consent_id, client_id FROM conferences ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if consents[0].Client != consents[1].Client || consents[0].ID == consents[1].ID {
		t.Fatalf("setup: %+v", consents)
	}
	// The renewal (c2's consent) runs a year longer and was recorded later.
	if _, err := s.SQL().ExecContext(ctx, `UPDATE consents SET valid_until = valid_until + 365, recorded_at = recorded_at + interval '1 day' WHERE id = $1`, consents[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelConference(ctx, c2.ID, caseconf.Viewer{UserID: "U0CM"}, "moved"); err != nil {
		t.Fatal(err)
	}
	f, err := s.ReminderFacts(ctx, time.Date(2027, 3, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Consents {
		if c.ID == consents[0].ID {
			t.Errorf("consent %d of conference %d is reported expiring although the client renewed it (consent %d)", c.ID, c1.ID, consents[1].ID)
		}
	}
}
