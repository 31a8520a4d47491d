package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Limits of the steps that prepare caseconf's year of data.
const (
	seedTimeout  = 15 * time.Minute
	sweepTimeout = 3 * time.Minute
	homeTimeout  = 2 * time.Minute
)

// yearSweepEvery is CASECONF_SWEEP_EVERY for the year of data: the least
// caseconf accepts, so that the first sweep comes soon after the start.
const yearSweepEvery = "10s"

// What the reminder sweep logs (at info) when it has run; caseconf has no
// metric of its sweeps, so the bench watches its log for these.
const (
	sweepDoneLog   = "reminder sweep done"
	sweepFailedLog = "reminder sweep failed"
)

// seedYear fills the migrated, empty database at dsn with a year of data
// and returns the user whose Home holds the most items.
func seedYear(ctx context.Context, dsn string) (homeUser string, err error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeoutCause(ctx, seedTimeout, fmt.Errorf("not done within %v", seedTimeout))
	defer cancel()
	homeUser, err = seedDatabase(ctx, db)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return "", cause
		}
		return "", err
	}
	return homeUser, nil
}

// awaitSweep waits until caseconf has logged the end of a reminder sweep.
func awaitSweep(ctx context.Context, watch *lineWatch) error {
	ctx, cancel := context.WithTimeoutCause(ctx, sweepTimeout, fmt.Errorf("none finished within %v of the connection", sweepTimeout))
	defer cancel()
	pat, err := watch.wait(ctx, sweepDoneLog, sweepFailedLog)
	if err != nil {
		return err
	}
	if pat == sweepFailedLog {
		return errors.New("caseconf logged that the reminder sweep failed")
	}
	return nil
}

// awaitHome opens the Home tab of user, as Slack does when they click it,
// and waits until caseconf has published their Home and the fake Slack
// has accepted it.
func awaitHome(ctx context.Context, fake *fakeslack.Server, user string) error {
	ctx, cancel := context.WithTimeoutCause(ctx, homeTimeout, fmt.Errorf("not published within %v", homeTimeout))
	defer cancel()
	seen := fake.CountCalls("views.publish")
	ev := map[string]any{
		"token": "x", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "type": "event_callback",
		"event_id": "Ev0ACKBENCHHOME", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"},
	}
	if _, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeEventsAPI, Payload: ev}); err != nil {
		return err
	}
	for {
		calls, err := fake.WaitForCalls(ctx, "views.publish", seen+1)
		if err != nil {
			return context.Cause(ctx)
		}
		for _, c := range calls[seen:] {
			if c.Params.Get("user_id") != user {
				continue
			}
			if c.Refused != "" || c.Failed {
				return fmt.Errorf("the fake Slack refused the published Home (%s)", c.Refused)
			}
			return nil
		}
		seen = len(calls)
	}
}
