package fakeslack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Slack's three-step file upload: files.getUploadURLExternal hands out a
// file ID and an upload URL (here /upload/FILEID on the fake), the bytes
// are POSTed there, and files.completeUploadExternal shares the file in a
// channel. The fake keeps every file so a test can read what was uploaded
// (Uploads, WaitForUploads).

// MethodUpload is the Call.Method of posts to an upload URL.
const MethodUpload = "upload"

// Upload is one file asked for with files.getUploadURLExternal.
type Upload struct {
	FileID   string
	Filename string // as given to files.getUploadURLExternal
	Length   int    // the length declared then
	// Content is what was POSTed to the upload URL (nil until then).
	Content []byte
	// Title, Channel, InitialComment and Completed are set by
	// files.completeUploadExternal: the channel ID it was shared in.
	Title          string
	Channel        string
	InitialComment string
	Completed      bool
	CompletedAt    time.Time
	// Deleted is set by files.delete: the file is gone from Slack.
	Deleted bool
}

func (u *Upload) clone() Upload {
	c := *u
	c.Content = slices.Clone(u.Content)
	return c
}

// Uploads returns a copy of every file asked for, in order, completed or
// not.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploadsLocked()
}

func (s *Server) uploadsLocked() []Upload {
	out := make([]Upload, 0, len(s.uploads))
	for _, id := range s.uploads {
		out = append(out, s.files[id].clone())
	}
	return out
}

// WaitForUploads blocks until at least n uploads have been completed
// (shared in a channel), then returns every upload. If ctx ends first it
// returns what there is and ctx's error.
func (s *Server) WaitForUploads(ctx context.Context, n int) ([]Upload, error) {
	err := s.waitFor(ctx, func() bool {
		done := 0
		for _, id := range s.uploads {
			if s.files[id].Completed {
				done++
			}
		}
		return done >= n
	})
	return s.Uploads(), err
}

func (s *Server) filesGetUploadURLExternal(c Call) any {
	name := c.Params.Get("filename")
	length, err := strconv.Atoi(c.Params.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return apiError(errInvalidArgs)
	}
	id := "F" + strconv.FormatInt(nextSeq(), 10)
	s.mu.Lock()
	s.files[id] = &Upload{FileID: id, Filename: name, Length: length}
	s.uploads = append(s.uploads, id)
	s.broadcastLocked()
	s.mu.Unlock()
	return ok(map[string]any{"upload_url": s.srv.URL + "/upload/" + id, "file_id": id})
}

// handleUpload takes the bytes of a file at its upload URL: a multipart
// form with a "file" part, or the raw body. Slack answers "OK - LENGTH".
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	call := Call{Method: MethodUpload, Body: body, At: time.Now(), Params: r.URL.Query(), Token: bearerToken(r)}
	call.Params.Set("file_id", id)
	if s.answerScripted(w, r, call, nil) {
		return
	}
	content, err := uploadedBytes(r.Header.Get("Content-Type"), body)
	s.mu.Lock()
	u := s.files[id]
	if u != nil && err == nil {
		u.Content = content
		s.broadcastLocked()
	}
	s.mu.Unlock()
	switch {
	case u == nil:
		http.Error(w, "Not Found", http.StatusNotFound)
	case err != nil:
		http.Error(w, "Bad Request", http.StatusBadRequest)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(content)))
	}
}

// uploadedBytes is the file in an upload's body: its "file" part when
// the body is a multipart form, else the body itself.
func uploadedBytes(contentType string, body []byte) ([]byte, error) {
	mediaType, params, _ := mime.ParseMediaType(contentType)
	if mediaType != "multipart/form-data" {
		return body, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			return io.ReadAll(part)
		}
	}
}

func (s *Server) filesCompleteUploadExternal(c Call) any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("files")), &files); err != nil || len(files) == 0 {
		return apiError(errInvalidArgs)
	}
	channel := c.Params.Get("channel_id")
	if channel == "" {
		channel = c.Params.Get("channels")
	}
	// Files are shared in a conversation: a user's ID is not one (open
	// the DM first with conversations.open).
	if channel != "" && (isUserID(channel) || strings.Contains(channel, ",")) {
		return apiError(errChannelNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		if u := s.files[f.ID]; u == nil || u.Content == nil || u.Completed {
			return apiError("file_not_found")
		}
	}
	out := make([]any, 0, len(files))
	for _, f := range files {
		u := s.files[f.ID]
		u.Title, u.Channel, u.InitialComment = f.Title, channel, c.Params.Get("initial_comment")
		u.Completed, u.CompletedAt = true, time.Now()
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	s.broadcastLocked()
	return ok(map[string]any{"files": out})
}

// filesDelete deletes a file as Slack's files.delete does: file is its
// ID; one never uploaded is file_not_found, one deleted already
// file_deleted.
func (s *Server) filesDelete(c Call) any {
	id := c.Params.Get("file")
	if id == "" {
		return apiError(errInvalidArgs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.files[id]
	switch {
	case u == nil:
		return apiError("file_not_found")
	case u.Deleted:
		return apiError("file_deleted")
	}
	u.Deleted = true
	s.broadcastLocked()
	return ok(nil)
}
