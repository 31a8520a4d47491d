package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// upsertClient finds the case manager's client with this reference
// (without regard to case), or creates it. A full name given now is kept.
//
// One client is one person (caseconf.ResolveClient): a reference another
// case manager's client has is refused, saying only that it is in use by
// another case manager, so references stay distinct; so is a reference
// the case manager has for two clients (one handed over to them), since a
// new conference could not tell which it is about. A review or handover
// of a client does not come here: it keeps the client it follows.
func upsertClient(ctx context.Context, tx sqlx.ExtContext, ref, name, caseManager string, now time.Time) (int64, error) {
	ref = caseconf.CleanClientRef(ref)
	// Two case managers typing one new reference at once: the second
	// waits for the first, then finds it in use.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('client:' || lower($1), 0))`, ref); err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	var rows []struct {
		ID            int64  `db:"id"`
		CaseManagerID string `db:"case_manager_id"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, `SELECT id, case_manager_id FROM clients
		WHERE `+sameRef("reference")+` AND erased_at IS NULL ORDER BY id`, ref); err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	var own []int64
	for _, r := range rows {
		if r.CaseManagerID == caseManager {
			own = append(own, r.ID)
		}
	}
	switch {
	case len(own) > 1:
		return 0, caseconf.Errorf(caseconf.EINVALID, "You have more than one client with this reference (one was handed over to you): "+
			"schedule a review from one of their conferences so it joins the right record, or use a reference that tells them apart.")
	case len(own) == 1:
		if name != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE clients SET full_name = $2 WHERE id = $1`, own[0], name); err != nil {
				return 0, fmt.Errorf("client: %w", err)
			}
		}
		return own[0], nil
	case len(rows) > 0:
		return 0, caseconf.Errorf(caseconf.EINVALID, "This reference is in use by another case manager's client: please add something to tell them apart, e.g. your initials.")
	}
	var id int64
	err := sqlx.GetContext(ctx, tx, &id, `INSERT INTO clients (reference, full_name, case_manager_id, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, ref, nullString(name), caseManager, now)
	if err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	return id, nil
}

// sameRef is the condition that a client's reference (column) is $1, a reference
// as caseconf.CleanClientRef leaves it: without regard to case or to how
// many spaces separate its words (a reference filed before the form
// cleaned it may have two).
func sameRef(column string) string {
	return `lower(regexp_replace(` + column + `, '\s+', ' ', 'g')) = lower($1)`
}

// clientRow is a client as FindClients reads it.
type clientRow struct {
	ID            int64        `db:"id"`
	Reference     string       `db:"reference"`
	CaseManagerID string       `db:"case_manager_id"`
	First         sql.NullTime `db:"first_conference"`
}

const clientSelect = `SELECT cl.id, cl.reference, cl.case_manager_id,
	(SELECT min(c.starts_at) FROM conferences c WHERE c.client_id = cl.id) AS first_conference
	FROM clients cl WHERE cl.erased_at IS NULL AND `

// FindClients are the clients, not erased, whose reference is ref
// (without regard to case) that v may know of for use
// (caseconf.MayKnowClient), each with the date of their first
// conference (for the chronology, the first v may see). Nothing is
// audited: caseconf.ResolveClient picks the one meant, and the command
// then reads it (audited), or the choice is put (ClientChoiceShown).
func (s *DB) FindClients(ctx context.Context, ref string, v caseconf.Viewer, use caseconf.ClientUse) ([]caseconf.ClientMatch, error) {
	ref = caseconf.CleanClientRef(ref)
	if ref == "" || v.UserID == "" {
		return nil, nil
	}
	var rows []clientRow
	if err := s.db.SelectContext(ctx, &rows, clientSelect+sameRef("cl.reference")+` ORDER BY cl.id`, ref); err != nil {
		return nil, fmt.Errorf("find clients: %w", err)
	}
	return s.knownClients(ctx, rows, v, use)
}

// ClientByID is client id, the one chosen from a choice (a button press),
// checked again now: still there and still one v may know of for use.
// Anything else reads as caseconf.NotFound.
func (s *DB) ClientByID(ctx context.Context, id int64, v caseconf.Viewer, use caseconf.ClientUse) (caseconf.ClientMatch, error) {
	var rows []clientRow
	if err := s.db.SelectContext(ctx, &rows, clientSelect+`cl.id = $1`, id); err != nil {
		return caseconf.ClientMatch{}, fmt.Errorf("client: %w", err)
	}
	known, err := s.knownClients(ctx, rows, v, use)
	if err != nil {
		return caseconf.ClientMatch{}, err
	}
	if len(known) != 1 {
		return caseconf.ClientMatch{}, caseconf.NotFound()
	}
	return known[0], nil
}

// knownClients keeps the rows v may know of for use.
func (s *DB) knownClients(ctx context.Context, rows []clientRow, v caseconf.Viewer, use caseconf.ClientUse) ([]caseconf.ClientMatch, error) {
	var out []caseconf.ClientMatch
	for _, r := range rows {
		m := caseconf.ClientMatch{ID: r.ID, Reference: r.Reference, CaseManagerID: r.CaseManagerID, FirstConference: r.First.Time}
		seen := false
		if use == caseconf.ClientForChronology && !caseconf.WholeChronology(r.CaseManagerID, v) {
			first, err := s.firstSeenConference(ctx, r.ID, r.CaseManagerID, v)
			if err != nil {
				return nil, err
			}
			m.FirstConference, seen = first, !first.IsZero()
		}
		if caseconf.MayKnowClient(use, r.CaseManagerID, v, seen) {
			out = append(out, m)
		}
	}
	return out, nil
}

// firstSeenConference is the start of the first of the client's
// conferences in the chronology v is shown (caseconf.InChronology); zero
// when v sees none.
func (s *DB) firstSeenConference(ctx context.Context, clientID int64, caseManagerID string, v caseconf.Viewer) (time.Time, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM conferences WHERE client_id = $1 ORDER BY starts_at, id`, clientID); err != nil {
		return time.Time{}, fmt.Errorf("client: conferences: %w", err)
	}
	for _, id := range ids {
		c, err := loadConference(ctx, s.db, id)
		if err != nil {
			return time.Time{}, err
		}
		if caseconf.InChronology(c, caseManagerID, v) {
			return c.StartsAt, nil
		}
	}
	return time.Time{}, nil
}

// ClientChoiceShown audits that v was asked to choose among clients (by
// number: the reference is not written down), once for each.
func (s *DB) ClientChoiceShown(ctx context.Context, v caseconf.Viewer, use caseconf.ClientUse, clients []caseconf.ClientMatch) error {
	now := s.Now()
	for _, m := range clients {
		if err := audit(ctx, s.db, auditRow{At: now, Actor: v.UserID, Action: "client.choice", ClientID: m.ID,
			Detail: fmt.Sprintf("%s: asked to choose among %d clients with the same reference", use, len(clients))}); err != nil {
			return err
		}
	}
	return nil
}
