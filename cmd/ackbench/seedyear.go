package main

import (
	"context"
	"database/sql"

	"github.com/caseconf/caseconf/internal/seed"
)

// seedDatabase seeds a year of data (seed.Year) into the migrated, empty
// database db and returns the user with the fullest Home.
func seedDatabase(ctx context.Context, db *sql.DB) (string, error) {
	o := seed.Year()
	if err := seed.Seed(ctx, db, o); err != nil {
		return "", err
	}
	return o.HomeUser, nil
}
