package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Files the bot uploaded about a client (an export of a conference's
// record, Markdown or PDF; a subject-access document; a calendar file)
// are recorded against the conference and client (uploaded_files), so
// that erasing the client, by an administrator or the retention job,
// deletes them from Slack (files.delete through the outbox) with the
// bot's messages.

// File kinds recorded in uploaded_files.
const (
	FileExport        = "export"
	FileSubjectAccess = "subject_access"
	FileCalendar      = "calendar"
)

// FileUploaded records that the bot uploaded Slack file fileID, of kind,
// about the client of conference conferenceID (0 for none) and about
// clients. Should the client have been erased meanwhile, the file is
// queued for deletion at once instead.
func (s *DB) FileUploaded(ctx context.Context, conferenceID int64, clients []int64, fileID, kind string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("file uploaded: %w", err)
	}
	defer tx.Rollback()
	if err := recordUpload(ctx, tx, s.Now(), conferenceID, clients, fileID, kind); err != nil {
		return err
	}
	return tx.Commit()
}

// recordUpload is FileUploaded in tx.
func recordUpload(ctx context.Context, tx *sqlx.Tx, now time.Time, conferenceID int64, clients []int64, fileID, kind string) error {
	if fileID == "" {
		return nil
	}
	if conferenceID != 0 {
		var cl []int64
		if err := tx.SelectContext(ctx, &cl, `SELECT client_id FROM conferences WHERE id = $1`, conferenceID); err != nil {
			return fmt.Errorf("file uploaded: %w", err)
		}
		clients = append(clients, cl...)
	}
	// Held against erasure (which locks the client first): one erased by
	// now is not found, and its file goes at once.
	var live []int64
	if err := tx.SelectContext(ctx, &live, `SELECT id FROM clients WHERE id = ANY($1) AND erased_at IS NULL ORDER BY id FOR SHARE`,
		pq.Array(clients)); err != nil {
		return fmt.Errorf("file uploaded: %w", err)
	}
	if len(live) < len(unique(clients)) || len(live) == 0 {
		_, err := enqueue(ctx, tx, now, deleteFile(fileID))
		return err
	}
	for _, cl := range live {
		if _, err := tx.ExecContext(ctx, `INSERT INTO uploaded_files (conference_id, client_id, file_id, kind, uploaded_at)
			VALUES ($1, $2, $3, $4, $5)`, nullID(conferenceID), cl, fileID, kind, now); err != nil {
			return fmt.Errorf("file uploaded: %w", err)
		}
	}
	return nil
}

func unique(list []int64) ids {
	var out ids
	for _, id := range list {
		out.add(id)
	}
	return out
}

// deleteFile is the outbox message that deletes Slack file fileID.
func deleteFile(fileID string) Outbox {
	return Outbox{Kind: caseconf.KindDeleteFile, DedupKey: string(caseconf.KindDeleteFile) + ":" + fileID, RecipientID: fileID}
}

// DeleteFileTarget is the Slack file a delete_file row deletes.
func DeleteFileTarget(m Outbox) (fileID string, ok bool) {
	if m.Kind != caseconf.KindDeleteFile || m.RecipientID == "" {
		return "", false
	}
	return m.RecipientID, true
}

// eraseFiles queues the deletion from Slack of every file the bot
// uploaded about client clientID or its conferences confs, and forgets
// them. It reports how many it queued.
func eraseFiles(ctx context.Context, tx *sqlx.Tx, now time.Time, clientID int64, confs []int64) (int, error) {
	var files []string
	if err := tx.SelectContext(ctx, &files, `SELECT DISTINCT file_id FROM uploaded_files WHERE client_id = $1 OR conference_id = ANY($2) ORDER BY file_id`,
		clientID, pq.Array(confs)); err != nil {
		return 0, fmt.Errorf("erase: files: %w", err)
	}
	if len(files) == 0 {
		return 0, nil
	}
	dels := make([]Outbox, len(files))
	for i, f := range files {
		dels[i] = deleteFile(f)
	}
	n, err := enqueue(ctx, tx, now, dels...)
	if err != nil {
		return 0, err
	}
	// A file about several clients (a subject-access document) goes
	// with the first of them erased.
	if _, err := tx.ExecContext(ctx, `DELETE FROM uploaded_files WHERE file_id = ANY($1)`, pq.Array(files)); err != nil {
		return 0, fmt.Errorf("erase: files: %w", err)
	}
	return n, nil
}
