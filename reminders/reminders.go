// Package reminders decides what is due when (Due, a pure function of the
// facts and the clock) and turns it into outbox messages, each with a
// unique key per kind, subject, recipient and day, timed for the
// recipient's own working hours. A sweep runs on a cron schedule in
// `caseconf serve`, and once by hand with `caseconf sweep --at TIME`. Both
// call Sweeper.RunOnce with the time to sweep as if it were, so tests run
// it with a fixed clock. The outbox's sender delivers what it enqueues,
// after asking StillDue (a pure function too) whether each reminder still
// applies when it goes; bot/ only words the message.
package reminders

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// Sweeper runs the reminder jobs.
type Sweeper struct {
	Store *store.DB
	Log   *slog.Logger
	Cal   caseconf.Calendar
	// TimeZone is a recipient's own time zone (their Slack profile's);
	// nil, or a nil answer, means the calendar's.
	TimeZone func(ctx context.Context, userID string) *time.Location
	// Enqueued, if set, is called after a sweep wrote new messages (to
	// wake the sender).
	Enqueued func()
}

// Result is what one sweep did (or, in a dry run, would do).
type Result struct {
	At     time.Time
	DryRun bool
	Due    []Planned // every reminder due at At, new or not
	New    int       // how many were not in the outbox yet
}

// Planned is a due reminder and when it may reach its recipient.
type Planned struct {
	Reminder
	NotBefore time.Time
}

// Report writes what the sweep found: for each reminder its kind, its
// recipient, when it goes and its conference's ID; never a client's
// details.
func (r Result) Report(w io.Writer) {
	verb := "swept"
	if r.DryRun {
		verb = "dry run"
	}
	fmt.Fprintf(w, "%s at %s: %d reminders due", verb, r.At.UTC().Format(time.RFC3339), len(r.Due))
	if !r.DryRun {
		fmt.Fprintf(w, ", %d new", r.New)
	}
	fmt.Fprintln(w)
	for _, p := range r.Due {
		fmt.Fprintf(w, "  %-22s to %-12s at %s  (conference #%d, %s #%d)\n", p.Kind, p.RecipientID,
			p.NotBefore.UTC().Format(time.RFC3339), p.ConferenceID, subjectName(p.Kind), p.SubjectID)
	}
}

func subjectName(k Kind) string {
	switch k {
	case InvitationUnanswered, ReportOwed:
		return "invitee"
	case ActionDueSoon, ActionDueToday, ActionOverdue, ActionOverdueManager:
		return "action"
	case ConsentExpiring:
		return "consent"
	}
	return "conference"
}

// RunOnce performs one sweep as if the time were now: it reads the facts,
// works out what is due today, and (unless dryRun) writes each reminder to
// the outbox, timed for its recipient's working hours. A reminder already
// there (an earlier sweep of the same day) is not written again.
func (s *Sweeper) RunOnce(ctx context.Context, now time.Time, dryRun bool) (Result, error) {
	res := Result{At: now, DryRun: dryRun}
	if s.Cal.Loc == nil {
		s.Cal = caseconf.NewCalendar(time.UTC, nil)
	}
	facts, err := s.Store.ReminderFacts(ctx, now)
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	var msgs []store.Outbox
	plan := func(r Reminder, nb time.Time) {
		p := Planned{Reminder: r, NotBefore: nb}
		res.Due = append(res.Due, p)
		msgs = append(msgs, store.Outbox{Kind: r.Kind, DedupKey: r.Key(), RecipientID: r.RecipientID,
			ConferenceID: r.ConferenceID, SubjectID: r.SubjectID, NotBefore: p.NotBefore})
	}
	for _, r := range Due(now, s.Cal, facts) {
		if nb, ok := NotBefore(now, s.recipientCal(ctx, r.RecipientID), r); ok {
			plan(r, nb)
		}
	}
	// The morning-of reminder for someone whose working day on the
	// meeting's day starts only after the meeting (New York, for a London
	// morning meeting) goes in their last working hours before it: the
	// sweeps of the days before look ahead to the next working day.
	today := s.Cal.Date(now)
	for day := today.AddDate(0, 0, 1); !day.After(s.Cal.AddWorkingDays(today, 1)); day = day.AddDate(0, 0, 1) {
		for _, r := range Due(day.Add(12*time.Hour), s.Cal, facts) {
			if r.Kind != ConferenceToday {
				continue
			}
			if nb, ok := Early(now, s.recipientCal(ctx, r.RecipientID), r); ok {
				plan(r, nb)
			}
		}
	}
	if dryRun || len(msgs) == 0 {
		return res, nil
	}
	if res.New, err = s.Store.EnqueueReminders(ctx, msgs...); err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	if res.New > 0 && s.Enqueued != nil {
		s.Enqueued()
	}
	return res, nil
}

func (s *Sweeper) recipientCal(ctx context.Context, userID string) caseconf.Calendar {
	if s.TimeZone == nil {
		return s.Cal
	}
	return s.Cal.In(s.TimeZone(ctx, userID))
}

// NotBefore is when reminder r, due at now, may reach its recipient,
// whose calendar (own time zone) is cal: the start of their next working
// window on or after the reminder's day on their own clock (never the
// evening before, for someone west of the service). ok is false when
// that comes only after the reminder stops being of use (r.Before: their
// working day starts after the meeting it is about; Early sent it the
// day before).
func NotBefore(now time.Time, cal caseconf.Calendar, r Reminder) (nb time.Time, ok bool) {
	start := now
	if day := time.Date(r.Day.Year(), r.Day.Month(), r.Day.Day(), 0, 0, 0, 0, cal.Loc); day.After(start) {
		start = day
	}
	nb = cal.NextWindow(start)
	if !r.Before.IsZero() && !nb.Before(r.Before) {
		return time.Time{}, false
	}
	return nb, true
}

// Early is when reminder r, due on a later day than now's, goes ahead of
// its day: only for a recipient whose own working hours on its day begin
// after r.Before (the meeting), in their next working window if that
// comes before it. ok is false for everyone else, who get it on the day.
func Early(now time.Time, cal caseconf.Calendar, r Reminder) (nb time.Time, ok bool) {
	if r.Before.IsZero() {
		return time.Time{}, false
	}
	if _, onTheDay := NotBefore(now, cal, r); onTheDay {
		return time.Time{}, false
	}
	if nb = cal.NextWindow(now); !nb.Before(r.Before) {
		return time.Time{}, false
	}
	return nb, true
}

// Schedule adds the sweep to c, every interval. The cron chain given to c
// must recover panics and skip a run while the last is still going.
func (s *Sweeper) Schedule(c *cron.Cron, every time.Duration, now func() time.Time) (cron.EntryID, error) {
	return c.AddFunc("@every "+every.String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), max(every-10*time.Second, 30*time.Second))
		defer cancel()
		res, err := s.RunOnce(ctx, now(), false)
		if err != nil {
			s.Log.Error("reminder sweep failed", "err", err)
			return
		}
		s.Log.Info("reminder sweep done", "due", len(res.Due), "new", res.New)
	})
}
