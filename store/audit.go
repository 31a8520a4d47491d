package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// auditRow is one audit entry to write. detail must never hold client
// identifiers or free text from a form. ConferenceID and ClientID are 0
// when the entry is not about one conference or client; every entry about
// a conference carries its client, so a subject-access export and an
// erasure can find it.
type auditRow struct {
	At           time.Time
	Actor        string
	Action       string
	ConferenceID int64
	ClientID     int64
	Detail       string
}

func audit(ctx context.Context, x sqlx.ExecerContext, a auditRow) error {
	_, err := x.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, conference_id, client_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.At, a.Actor, a.Action, nullID(a.ConferenceID), nullID(a.ClientID), a.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", a.Action, err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	At           time.Time
	ActorID      string
	Action       string
	ConferenceID int64 // 0 for none
	ClientID     int64 // 0 for none
	Detail       string
}

// AuditFor returns a conference's audit trail, oldest first.
func (s *DB) AuditFor(ctx context.Context, conferenceID int64) ([]AuditEntry, error) {
	var rows []struct {
		At           time.Time     `db:"at"`
		ActorID      string        `db:"actor_id"`
		Action       string        `db:"action"`
		ConferenceID sql.NullInt64 `db:"conference_id"`
		ClientID     sql.NullInt64 `db:"client_id"`
		Detail       string        `db:"detail"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT at, actor_id, action, conference_id, client_id, detail FROM audit_log
		WHERE conference_id = $1 ORDER BY at, id`, conferenceID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{At: r.At, ActorID: r.ActorID, Action: r.Action, ConferenceID: r.ConferenceID.Int64,
			ClientID: r.ClientID.Int64, Detail: r.Detail}
	}
	return out, nil
}
