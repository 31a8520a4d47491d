package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// HomeData is everything a user's App Home tab is built from, read in
// one transaction: the conferences that concern them (with invitees and
// share list, so the root rules decide what they see), which of those
// have an outcome and its review date, their open actions, and the
// consents running out on the clients they manage. The caller applies
// the rules (caseconf.CanSee, OnActionList, …): nothing here is shown
// as it is.
type HomeData struct {
	Conferences  map[int64]*caseconf.Conference
	Outcomes     map[int64]HomeOutcome // by conference: only those recorded
	Actions      []*caseconf.Action    // open, on v's list (caseconf.OnActionList), soonest due first, at most limit
	ActionsTotal int                   // how many there are in all
	Closed       []*caseconf.Action    // closed lately (caseconf.OnClosedList), the latest first, at most limit
	Consents     []HomeConsent         // soonest first
}

// HomeOutcome is what the Home tab needs of a recorded outcome.
type HomeOutcome struct {
	ReviewOn time.Time // zero for none
}

// HomeConsent is a client's current consent running out, named by the
// client's latest conference (managed by the viewer).
type HomeConsent struct {
	ConferenceID int64
	ValidUntil   time.Time
}

// Home reads what the Home tab of v needs as of now: conferences not
// cancelled, of clients not erased, that are still to meet and involve v
// (organiser or invitee); that met before now with no outcome, for v to
// record (chair, minute taker or case manager: caseconf.CanRecordOutcome);
// with v's open actions (the first limit of them listed, soonest due
// first, and how many in all); that v manages with a review date up to until;
// and the latest conference of each client v manages whose current
// consent ends between today and until. The read is audited once
// ("home.read", the conferences listed by numeric ID).
func (s *DB) Home(ctx context.Context, v caseconf.Viewer, now, until time.Time, limit int) (*HomeData, error) {
	h := &HomeData{Conferences: map[int64]*caseconf.Conference{}, Outcomes: map[int64]HomeOutcome{}}
	if v.UserID == "" {
		return h, nil
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	defer tx.Rollback()

	var consents []struct {
		ConferenceID int64     `db:"conference_id"`
		ValidUntil   time.Time `db:"valid_until"`
	}
	if err := tx.SelectContext(ctx, &consents, `SELECT c.id AS conference_id, co.valid_until FROM (
			SELECT DISTINCT ON (client_id) id, client_id, valid_until FROM consents
			ORDER BY client_id, recorded_at DESC, id DESC) co
		JOIN clients cl ON cl.id = co.client_id AND cl.erased_at IS NULL
		JOIN LATERAL (SELECT id, case_manager_id FROM conferences WHERE client_id = co.client_id AND status <> 'cancelled'
			ORDER BY starts_at DESC, id DESC LIMIT 1) c ON true
		WHERE c.case_manager_id = $1 AND co.valid_until BETWEEN $2::date AND $3::date
		ORDER BY co.valid_until, c.id`, v.UserID, now, until); err != nil {
		return nil, fmt.Errorf("home: consents: %w", err)
	}
	consentConfs := make([]int64, len(consents))
	for i, c := range consents {
		consentConfs[i] = c.ConferenceID
	}
	var confs []conferenceRow
	if err := tx.SelectContext(ctx, &confs, `SELECT `+conferenceColumns+` FROM `+conferenceFrom+`
		LEFT JOIN outcomes o ON o.conference_id = c.id
		WHERE c.status <> 'cancelled' AND cl.erased_at IS NULL AND (
			(c.status = 'scheduled' AND c.starts_at > $2 AND (c.case_manager_id = $1 OR c.chair_id = $1 OR c.minute_taker_id = $1
				OR EXISTS (SELECT 1 FROM invitees i WHERE i.conference_id = c.id AND i.slack_user_id = $1 AND i.removed_at IS NULL)))
			OR ((c.chair_id = $1 OR c.minute_taker_id = $1 OR c.case_manager_id = $1) AND c.starts_at <= $2 AND o.conference_id IS NULL)
			OR (c.case_manager_id = $1 AND o.review_on BETWEEN $2::date AND $3::date)
			OR EXISTS (SELECT 1 FROM actions a WHERE a.conference_id = c.id AND `+chasedBy+`
				AND (a.status = 'open' OR (a.status IN ('not_achieved', 'not_needed') AND a.closed_at >= $5)))
			OR c.id = ANY($4))`, v.UserID, now, until, pq.Array(consentConfs), now.AddDate(0, 0, -caseconf.RecentlyClosedDays)); err != nil {
		return nil, fmt.Errorf("home: conferences: %w", err)
	}
	if len(confs) == 0 {
		return h, tx.Commit()
	}
	ids := make([]int64, len(confs))
	for i := range confs {
		c := confs[i].conference()
		h.Conferences[c.ID] = c
		ids[i] = c.ID
	}
	arr := pq.Array(ids)

	var invs []inviteeRow
	if err := tx.SelectContext(ctx, &invs, inviteeSelect+` AND i.conference_id = ANY($1) ORDER BY i.slack_user_id IS NULL, i.id`, arr); err != nil {
		return nil, fmt.Errorf("home: invitees: %w", err)
	}
	for i := range invs {
		if c := h.Conferences[invs[i].ConferenceID]; c != nil {
			c.Invitees = append(c.Invitees, invs[i].invitee())
		}
	}
	if err := loadSharers(ctx, tx, h.Conferences); err != nil {
		return nil, err
	}
	var outs []struct {
		ConferenceID int64        `db:"conference_id"`
		ReviewOn     sql.NullTime `db:"review_on"`
	}
	if err := tx.SelectContext(ctx, &outs, `SELECT conference_id, review_on FROM outcomes WHERE conference_id = ANY($1)`, arr); err != nil {
		return nil, fmt.Errorf("home: outcomes: %w", err)
	}
	for _, o := range outs {
		h.Outcomes[o.ConferenceID] = HomeOutcome{ReviewOn: dateOf(o.ReviewOn)}
	}
	// The open actions (soonest due first) and those closed lately (latest
	// first), at most limit of each, and how many open in all: one read.
	var acts []struct {
		actionRow
		Total int `db:"total"`
		N     int `db:"n"`
	}
	if err := tx.SelectContext(ctx, &acts, `SELECT * FROM (
			SELECT `+actionColumnsA+`, count(*) OVER (PARTITION BY a.status = 'open') AS total,
				row_number() OVER (PARTITION BY a.status = 'open' ORDER BY
					CASE WHEN a.status = 'open' THEN a.due_on END, CASE WHEN a.status = 'open' THEN c.starts_at END,
					a.closed_at DESC, CASE WHEN a.status = 'open' THEN a.id END, a.id DESC) AS n
			FROM actions a JOIN conferences c ON c.id = a.conference_id
			WHERE a.conference_id = ANY($3) AND ((`+onActionList+`) OR (`+onClosedList("$5")+`))) x
		WHERE n <= $4 ORDER BY n`, v.UserID, v.Admin, arr, limit, now.AddDate(0, 0, -caseconf.RecentlyClosedDays)); err != nil {
		return nil, fmt.Errorf("home: actions: %w", err)
	}
	for i := range acts {
		a := acts[i].action()
		if a.Status == caseconf.ActionOpen {
			h.Actions = append(h.Actions, a)
			h.ActionsTotal = acts[i].Total
		} else {
			h.Closed = append(h.Closed, a)
		}
	}
	if h.Actions == nil {
		h.Actions = []*caseconf.Action{}
	}
	for _, c := range consents {
		h.Consents = append(h.Consents, HomeConsent{ConferenceID: c.ConferenceID, ValidUntil: c.ValidUntil})
	}

	var shown []int64
	for _, c := range h.Conferences {
		if caseconf.CanSee(c, v) || c.InviteeFor(v.UserID) != nil {
			shown = append(shown, c.ID)
		}
	}
	if len(shown) > 0 {
		slices.Sort(shown)
		ids := make([]string, len(shown))
		for i, id := range shown {
			ids[i] = strconv.FormatInt(id, 10)
		}
		if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "home.read", Detail: "conferences " + strings.Join(ids, ",")}); err != nil {
			return nil, err
		}
	}
	return h, tx.Commit()
}
