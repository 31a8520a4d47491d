package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
)

// A file the bot uploads about a client (an export, a minutes PDF, a
// subject-access document, a calendar file) is recorded against the
// client once Slack has it (store.FileUploaded), so that erasure and
// retention delete it. Should the database fail between the two, the
// file would stay in Slack where neither could ever find it: it is
// deleted again at once, and the user is told it could not be
// delivered.

// withdrawBound bounds the deletion of a file that could not be recorded.
const withdrawBound = 10 * time.Second

// withdrawUnrecorded deletes Slack file fileID, uploaded about a client
// but not recorded against them. It reports whether the file is gone; if
// it is not, its ID (and nothing about the client) is logged, for an
// operator to delete it by hand.
func (b *Bot) withdrawUnrecorded(ctx context.Context, fileID string) bool {
	if fileID == "" {
		return true
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), withdrawBound)
	defer cancel()
	err := b.api.DeleteFileContext(dctx, fileID)
	var se slack.SlackErrorResponse
	if err == nil || errors.As(err, &se) && (se.Err == "file_not_found" || se.Err == "file_deleted") {
		return true
	}
	b.log.Error("a file about a client could not be recorded, nor deleted from Slack: delete it by hand", "file", fileID, "err", sendError(err))
	return false
}
