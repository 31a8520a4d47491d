package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

func TestMigrate(t *testing.T) {
	t.Run("FreshDatabaseIsBehindUntilMigrated", func(t *testing.T) {
		ctx := context.Background()
		s, err := store.Open(ctx, testdb.NewEmpty(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaBehind) {
			t.Fatalf("CheckSchema on empty database = %v, want ErrSchemaBehind", err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 || applied[0] != "0001_domain.sql" {
			t.Fatalf("applied = %v, want 0001_domain.sql first", applied)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema after migrate = %v", err)
		}
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
		}
	})

	t.Run("ConcurrentMigratesApplyOnce", func(t *testing.T) {
		ctx := context.Background()
		dsn := testdb.NewEmpty(t)
		const n = 4
		var wg sync.WaitGroup
		results := make([][]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				s, err := store.Open(ctx, dsn)
				if err != nil {
					errs[i] = err
					return
				}
				defer s.Close()
				results[i], errs[i] = s.Migrate(ctx)
			})
		}
		wg.Wait()
		total := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("migrate %d: %v", i, errs[i])
			}
			total += len(results[i])
		}
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var rows int
		if err := s.SQL().GetContext(ctx, &rows, `SELECT count(*) FROM schema_migrations`); err != nil {
			t.Fatal(err)
		}
		if total != rows {
			t.Fatalf("migrators together applied %d migrations, schema_migrations has %d rows", total, rows)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
