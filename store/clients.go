package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// upsertClient finds the case manager's client with this reference, or
// creates it. A full name given now is kept.
func upsertClient(ctx context.Context, tx sqlx.ExtContext, ref, name, caseManager string, now time.Time) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, tx, &id, `SELECT id FROM clients
		WHERE reference = $1 AND case_manager_id = $2 AND erased_at IS NULL ORDER BY id LIMIT 1`, ref, caseManager)
	switch {
	case err == nil:
		if name != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE clients SET full_name = $2 WHERE id = $1`, id, name); err != nil {
				return 0, fmt.Errorf("client: %w", err)
			}
		}
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("client: %w", err)
	}
	err = sqlx.GetContext(ctx, tx, &id, `INSERT INTO clients (reference, full_name, case_manager_id, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, ref, nullString(name), caseManager, now)
	if err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	return id, nil
}
