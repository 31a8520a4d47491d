package store

import (
	"context"
	"fmt"
	"time"
)

// FirstDelivery records that the Slack delivery with this key is being acted
// on. It returns true the first time a key is seen and false for every later
// time, across all replicas, so a retried delivery is acted on once.
func (s *DB) FirstDelivery(ctx context.Context, key, kind string) (bool, error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO slack_deliveries (key, kind, received_at) VALUES ($1, $2, $3)
		 ON CONFLICT (key) DO NOTHING`, key, kind, s.Now())
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return n == 1, nil
}

// PruneDeliveries forgets delivery keys received before cutoff; Slack stops
// retrying long before a day is out.
func (s *DB) PruneDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM slack_deliveries WHERE received_at < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	return res.RowsAffected()
}

// CountDeliveriesBefore counts delivery keys PruneDeliveries would remove.
func (s *DB) CountDeliveriesBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM slack_deliveries WHERE received_at < $1`, cutoff); err != nil {
		return 0, fmt.Errorf("count deliveries: %w", err)
	}
	return n, nil
}
