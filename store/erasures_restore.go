package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caseconf/caseconf"
)

// Erasures and restores: a backup taken before an erasure still holds
// the client. Restoring it brings them back, so erasures recorded since
// must be applied again. The audit log's erasure entries ("client.erase")
// name the client by number only; the client's row stays as a tombstone,
// keeping when it was created, which tells the same client from another
// that was later given the same number.

// ActionErase is the audit log action of an erasure (store.EraseClient).
const ActionErase = "client.erase"

// RecordedErasure is one erasure the audit log records.
type RecordedErasure struct {
	ClientID  int64     `db:"client_id"`
	CreatedAt time.Time `db:"created_at"` // when the client was first recorded
	ErasedAt  time.Time `db:"erased_at"`  // when it was (first) erased
}

// RecordedErasures reads the erasures this database's audit log records,
// one per client, oldest first.
func (s *DB) RecordedErasures(ctx context.Context) ([]RecordedErasure, error) {
	var out []RecordedErasure
	if err := s.db.SelectContext(ctx, &out, `SELECT a.client_id, c.created_at, min(a.at) AS erased_at
		FROM audit_log a JOIN clients c ON c.id = a.client_id
		WHERE a.action = $1 GROUP BY a.client_id, c.created_at ORDER BY min(a.at), a.client_id`, ActionErase); err != nil {
		return nil, fmt.Errorf("recorded erasures: %w", err)
	}
	return out, nil
}

// Reapplied counts what ReapplyErasures found and did.
type Reapplied struct {
	Recorded      int      // erasures given
	Erased        []Erased // clients erased again (or, in a dry run, that would be: counts zero)
	AlreadyErased int      // clients erased here already
	Absent        int      // clients this database never had (recorded after it was backed up)
	Reused        int      // numbers held here by another client (created at another time): left alone
}

// ReapplyErasures erases again, in this database, each client of
// erasures that it holds and has not erased: after restoring a backup
// older than those erasures. A client is the same when both its number
// and when it was created match; a number that a restored database has
// since given to another client is left alone. It is idempotent: run
// again, it erases nothing more. The erasures are audited as the
// retention job's are, actor "restore". With dryRun it changes nothing
// and reports what it would erase.
func (s *DB) ReapplyErasures(ctx context.Context, erasures []RecordedErasure, dryRun bool) (Reapplied, error) {
	res := Reapplied{Recorded: len(erasures)}
	for _, e := range erasures {
		var here struct {
			CreatedAt time.Time    `db:"created_at"`
			ErasedAt  sql.NullTime `db:"erased_at"`
		}
		err := s.db.GetContext(ctx, &here, `SELECT created_at, erased_at FROM clients WHERE id = $1`, e.ClientID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res.Absent++
			continue
		case err != nil:
			return res, fmt.Errorf("reapply erasures: client %d: %w", e.ClientID, err)
		case here.ErasedAt.Valid:
			res.AlreadyErased++
			continue
		case !here.CreatedAt.Equal(e.CreatedAt):
			res.Reused++
			continue
		}
		if dryRun {
			res.Erased = append(res.Erased, Erased{ClientID: e.ClientID})
			continue
		}
		done, err := s.EraseClient(ctx, e.ClientID, "restore", "re-applied after a restore")
		if caseconf.ErrorCode(err) == caseconf.ENOTFOUND { // erased meanwhile
			res.AlreadyErased++
			continue
		}
		if err != nil {
			return res, fmt.Errorf("reapply erasures: client %d: %w", e.ClientID, err)
		}
		res.Erased = append(res.Erased, done)
	}
	return res, nil
}
