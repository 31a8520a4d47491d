package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// `/caseconf export REF pdf`: the record as a PDF protected by a password
// that is shown once, to the caller only, and kept nowhere.
func TestExportAsPasswordProtectedPDF(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.recordedWith30Actions()

	_, missing := a.commandReply("U0OUT", "export CC-9999 pdf")
	if _, reply := a.commandReply("U0OUT", "export CC-0001 pdf"); reply != missing || !strings.Contains(reply, "no conference") {
		t.Errorf("an outsider's PDF export: %q; a conference that does not exist: %q", reply, missing)
	}
	if n := len(a.slack.Uploads()); n != 0 {
		t.Fatalf("refused exports uploaded %d files", n)
	}

	_, reply := a.commandReply("U0CM", "export CC-0001 pdf")
	if !strings.Contains(reply, "is in your direct messages") || !strings.Contains(reply, "CC-0001-record.pdf") {
		t.Errorf("export answered %q", reply)
	}
	ups, err := a.slack.WaitForUploads(ctxFor(t), 1)
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads: %d, %v", len(ups), err)
	}
	up := ups[0]
	if up.Channel != fakeslack.DMChannelID("U0CM") || up.Filename != "CC-0001-record.pdf" || !bytes.HasPrefix(up.Content, []byte("%PDF-")) {
		t.Fatalf("uploaded %q to %q", up.Filename, up.Channel)
	}

	// The password: in a reply of its own, on the command's response_url.
	pwRE := regexp.MustCompile("The password of `CC-0001-record.pdf` is `([a-z2-9]{5}(?:-[a-z2-9]{5}){3})`")
	password := ""
	for range 2 {
		for _, c := range a.slack.CallsTo(fakeslack.MethodResponseURL) {
			if m := pwRE.FindSubmatch(c.Body); m != nil {
				if password != "" && password != string(m[1]) {
					t.Fatal("two passwords")
				}
				password = string(m[1])
				if bytes.Contains(c.Body, []byte(`"in_channel"`)) {
					t.Error("the password was not sent ephemerally")
				}
			}
		}
		if password != "" {
			break
		}
		a.slack.WaitForCalls(ctxFor(t), fakeslack.MethodResponseURL, len(a.slack.CallsTo(fakeslack.MethodResponseURL))+1)
	}
	if password == "" {
		t.Fatal("no password was shown")
	}
	if strings.Contains(up.InitialComment, password) || strings.Contains(reply, password) {
		t.Error("the password is with the file or in the confirmation")
	}

	if _, err := api.ReadAndValidate(bytes.NewReader(up.Content), model.NewDefaultConfiguration()); err == nil {
		t.Error("the PDF opens without its password")
	}
	var plain bytes.Buffer
	if err := api.Decrypt(bytes.NewReader(up.Content), &plain, model.NewAESConfiguration(password, "", 256)); err != nil {
		t.Fatalf("the PDF does not open with its password: %v", err)
	}
	if bytes.Contains(up.Content, []byte("JS-4411")) || !bytes.Contains(plain.Bytes(), []byte("JS-4411")) {
		t.Error("the client's reference is in clear in the encrypted PDF, or missing from the decrypted one")
	}

	if strings.Contains(a.logs.String(), password) || strings.Contains(a.logs.String(), "JS-4411") {
		t.Error("the password or the record reached the logs")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE detail::text LIKE $1 OR action LIKE $1`, "%"+password+"%"); n != 0 {
		t.Error("the password is in the audit log")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.export.delivered' AND detail::text LIKE $1`, "%"+up.FileID+"%"); n != 1 {
		t.Error("the delivered PDF is not audited")
	}
}
