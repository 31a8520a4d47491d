package store

import "context"

// MigrateBefore applies the pending migrations whose names sort before
// name: the database as the version before that migration left it.
func (s *DB) MigrateBefore(ctx context.Context, name string) ([]string, error) {
	return s.migrate(ctx, func(n string) bool { return n < name })
}

// VisibleTo is the SQL visibility filter, for the test that holds it to
// caseconf.CanSee.
const VisibleTo = visibleTo
