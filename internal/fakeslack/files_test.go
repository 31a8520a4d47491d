package fakeslack

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// slack-go's three-step upload runs against the fake, and the file is
// kept for the test to read.
func TestUploadFileV2(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	ctx := testContext(t)
	content := "# Record\n\nline two\n"
	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "record.md", FileSize: len(content), Reader: strings.NewReader(content),
		Title: "The record", Channel: DMChannelID("U0CM"), InitialComment: "here it is",
	})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := fake.WaitForUploads(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 {
		t.Fatalf("%d uploads", len(ups))
	}
	u := ups[0]
	if u.FileID != f.ID || u.Filename != "record.md" || string(u.Content) != content || u.Length != len(content) ||
		u.Channel != "D0CM" || u.Title != "The record" || u.InitialComment != "here it is" || !u.Completed {
		t.Errorf("upload = %+v", u)
	}
	if n := len(fake.CallsTo(MethodUpload)); n != 1 {
		t.Errorf("%d posts to the upload URL", n)
	}
}

// Completing a file that was never uploaded, or sharing it with a user
// ID instead of a conversation, is refused; so is asking for a URL
// without a length.
func TestUploadRefusals(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	ctx := testContext(t)
	if _, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "x.md", FileSize: -1}); err == nil {
		t.Error("a negative length was taken")
	}
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "x.md", FileSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	files := []slack.FileSummary{{ID: u.FileID}}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: files, Channel: "D0CM"}); err == nil || !strings.Contains(err.Error(), "file_not_found") {
		t.Errorf("completing a file never uploaded: %v", err)
	}
	if err := api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Content: "abc", Filename: "x.md"}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: files, Channel: "U0CM"}); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("sharing with a user ID: %v", err)
	}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: files, Channel: "D0CM"}); err != nil {
		t.Fatal(err)
	}
	if ups := fake.Uploads(); len(ups) != 1 || string(ups[0].Content) != "abc" || ups[0].Channel != "D0CM" {
		t.Errorf("uploads = %+v", ups)
	}
}

// files.delete deletes an uploaded file once, as Slack does: again it is
// file_deleted, and a file never uploaded is file_not_found.
func TestFilesDelete(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	ctx := testContext(t)
	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "record.md", FileSize: 3, Reader: strings.NewReader("abc"), Channel: DMChannelID("U0CM"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.DeleteFileContext(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if ups := fake.Uploads(); len(ups) != 1 || !ups[0].Deleted {
		t.Errorf("after files.delete: %+v", ups)
	}
	if err := api.DeleteFileContext(ctx, f.ID); err == nil || !strings.Contains(err.Error(), "file_deleted") {
		t.Errorf("deleting it again: %v", err)
	}
	if err := api.DeleteFileContext(ctx, "F999999"); err == nil || !strings.Contains(err.Error(), "file_not_found") {
		t.Errorf("deleting a file never uploaded: %v", err)
	}
}
