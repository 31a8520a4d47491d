package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// OpenAction is one line of someone's open actions: the action and the
// conference whose plan it belongs to.
type OpenAction struct {
	Conference *caseconf.Conference
	Action     *caseconf.Action
}

// chasedBy is caseconf.ActionChaser in SQL: $1 chases action a of
// conference c, owning it, or as the case manager of an owner not on Slack.
const chasedBy = `(a.owner_slack_id = $1 OR (a.owner_slack_id IS NULL AND c.case_manager_id = $1))`

// onActionList is caseconf.OnActionList in SQL: open, on a conference
// not cancelled that the viewer may see ($1, $2 as for visibleTo), and
// chased by the viewer (chasedBy).
const onActionList = `a.status = 'open' AND c.status <> 'cancelled'
	AND ` + chasedBy + `
	AND ` + visibleTo

// onClosedList is caseconf.OnClosedList in SQL: closed since the time in
// the parameter since (e.g. "$3"), and otherwise as onActionList.
func onClosedList(since string) string {
	return `a.status IN ('not_achieved', 'not_needed') AND a.closed_at >= ` + since + ` AND c.status <> 'cancelled'
	AND ` + chasedBy + `
	AND ` + visibleTo
}

// ClosedActions lists v's actions closed lately (caseconf.OnClosedList, as
// of now), the latest closed first, at most limit, each with its
// conference, the read audited as for OpenActions.
func (s *DB) ClosedActions(ctx context.Context, v caseconf.Viewer, now time.Time, limit int) ([]OpenAction, error) {
	if v.UserID == "" {
		return nil, nil
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list closed actions: %w", err)
	}
	defer tx.Rollback()
	var rows []actionRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumnsA+`
		FROM actions a JOIN conferences c ON c.id = a.conference_id
		WHERE `+onClosedList("$3")+`
		ORDER BY a.closed_at DESC, a.id DESC
		LIMIT $4`, v.UserID, v.Admin, now.AddDate(0, 0, -caseconf.RecentlyClosedDays), limit); err != nil {
		return nil, fmt.Errorf("list closed actions: %w", err)
	}
	confs := map[int64]*caseconf.Conference{}
	var out []OpenAction
	for i := range rows {
		a := rows[i].action()
		c, ok := confs[a.ConferenceID]
		if !ok {
			if c, err = loadConference(ctx, tx, a.ConferenceID); err != nil {
				return nil, err
			}
			confs[a.ConferenceID] = c
		}
		if !caseconf.OnClosedList(c, a, v, now) {
			continue
		}
		if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "action.list", ConferenceID: c.ID,
			ClientID: c.ClientID, Detail: "closed action " + strconv.FormatInt(a.ID, 10)}); err != nil {
			return nil, err
		}
		out = append(out, OpenAction{Conference: c, Action: a})
	}
	return out, tx.Commit()
}

// OpenActions lists v's open actions (caseconf.OnActionList) across every
// conference, soonest due first, at most limit, and how many there are in
// all. Each conference listed is read with its invitees, the rule checked
// on it again, and the read audited ("action.list", naming the actions).
func (s *DB) OpenActions(ctx context.Context, v caseconf.Viewer, limit int) ([]OpenAction, int, error) {
	if v.UserID == "" {
		return nil, 0, nil
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("list actions: %w", err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.GetContext(ctx, &total, `SELECT count(*) FROM actions a JOIN conferences c ON c.id = a.conference_id
		WHERE `+onActionList, v.UserID, v.Admin); err != nil {
		return nil, 0, fmt.Errorf("list actions: %w", err)
	}
	var rows []actionRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumnsA+`
		FROM actions a JOIN conferences c ON c.id = a.conference_id
		WHERE `+onActionList+`
		ORDER BY a.due_on, c.starts_at, a.id
		LIMIT $3`, v.UserID, v.Admin, limit); err != nil {
		return nil, 0, fmt.Errorf("list actions: %w", err)
	}
	confs := map[int64]*caseconf.Conference{}
	listed := map[int64][]string{} // conference: the actions listed from it
	var order []int64
	out := make([]OpenAction, 0, len(rows))
	for i := range rows {
		a := rows[i].action()
		c, ok := confs[a.ConferenceID]
		if !ok {
			if c, err = loadConference(ctx, tx, a.ConferenceID); err != nil {
				return nil, 0, err
			}
			confs[a.ConferenceID] = c
		}
		if !caseconf.OnActionList(c, a, v) {
			// The SQL filter and the rule disagree: trust the stricter.
			total--
			continue
		}
		if _, ok := listed[c.ID]; !ok {
			order = append(order, c.ID)
		}
		listed[c.ID] = append(listed[c.ID], strconv.FormatInt(a.ID, 10))
		out = append(out, OpenAction{Conference: c, Action: a})
	}
	for _, id := range order {
		if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "action.list", ConferenceID: id,
			ClientID: confs[id].ClientID, Detail: "actions " + strings.Join(listed[id], ",")}); err != nil {
			return nil, 0, err
		}
	}
	return out, total, tx.Commit()
}
