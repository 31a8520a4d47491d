package store_test

import (
	"context"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

// Erasing a client queues files.delete for each file uploaded about them
// or their conferences, once each (a subject-access file about two
// clients goes with the first erased), and forgets them; a file recorded
// after its client was erased is queued for deletion at once.
func TestErasureDeletesUploadedFiles(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP"))
	other := create(t, s, scheduleFor("U0CM", "OT-1", "U0GP"))
	for _, up := range []struct {
		conf    int64
		clients []int64
		file    string
	}{{c.ID, nil, "F1"}, {0, []int64{c.ClientID}, "F2"}, {0, []int64{c.ClientID, other.ClientID}, "F3"}, {other.ID, nil, "F4"}} {
		if err := s.FileUploaded(ctx, up.conf, up.clients, up.file, "export"); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.EraseClient(ctx, c.ClientID, "U0ADMIN", "administrator")
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 3 {
		t.Errorf("%d files queued for deletion, want 3", res.Files)
	}
	var queued []string
	if err := s.SQL().SelectContext(ctx, &queued, `SELECT recipient_id FROM outbox WHERE kind = 'delete_file' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 3 || queued[0] != "F1" || queued[1] != "F2" || queued[2] != "F3" {
		t.Errorf("files queued for deletion: %v", queued)
	}
	var left []string
	if err := s.SQL().SelectContext(ctx, &left, `SELECT file_id FROM uploaded_files ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "F4" {
		t.Errorf("files still recorded: %v", left)
	}
	// Uploaded while the erasure ran: deleted at once.
	if err := s.FileUploaded(ctx, c.ID, nil, "F5", "calendar"); err != nil {
		t.Fatal(err)
	}
	if err := s.FileUploaded(ctx, 0, []int64{c.ClientID}, "F6", "subject_access"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.SQL().GetContext(ctx, &n, `SELECT count(*) FROM outbox WHERE kind = 'delete_file' AND recipient_id IN ('F5', 'F6')`); err != nil || n != 2 {
		t.Errorf("files uploaded after the erasure queued for deletion: %d (%v)", n, err)
	}
}
