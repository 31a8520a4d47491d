package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/caseconf/caseconf/export"
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
	if n := len(a.fileUploads()); n != 0 {
		t.Fatalf("refused exports uploaded %d files", n)
	}

	_, reply := a.commandReply("U0CM", "export CC-0001 pdf")
	if !strings.Contains(reply, "is in your direct messages") || !strings.Contains(reply, "CC-0001-record.pdf") {
		t.Errorf("export answered %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
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

// passwordRE matches a PDF export's password.
var passwordRE = regexp.MustCompile("[a-z2-9]{5}(?:-[a-z2-9]{5}){3}")

// Who may get a PDF; and where the password goes.
func TestPDFAccessAndPasswordKeptSecret(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.recordedWith30Actions()

	for _, u := range []string{"U0SW", "U0GP", "U0PROB", "U0OUT"} {
		_, reply := a.commandReply(u, "export CC-0001 pdf")
		if strings.Contains(reply, "direct messages") || passwordRE.MatchString(reply) {
			t.Errorf("%s got a PDF: %q", u, reply)
		}
	}
	if n := len(a.fileUploads()); n != 0 {
		t.Fatalf("non-case-managers got %d uploads", n)
	}
	// Case variants of the pdf argument and extra args.
	for _, txt := range []string{"export CC-0001 pdf extra", "export CC-0001 PDFX"} {
		if r := decodeReply(t, a.command("U0CM", txt).Payload); !strings.Contains(r.Text, "Usage") {
			t.Errorf("%q answered %q", txt, r.Text)
		}
	}

	_, reply := a.commandReply("U0ADMIN", "export cc-0001 PDF")
	if !strings.Contains(reply, "direct messages") {
		t.Errorf("admin's PDF export: %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads %d %v", len(ups), err)
	}
	up := ups[0]
	if up.Channel != fakeslack.DMChannelID("U0ADMIN") {
		t.Errorf("admin's PDF went to %q", up.Channel)
	}
	// Find the password.
	password := ""
	for range 3 {
		for _, c := range a.slack.CallsTo(fakeslack.MethodResponseURL) {
			if bytes.Contains(c.Body, []byte("The password of")) {
				password = passwordRE.FindString(string(c.Body))
			}
		}
		if password != "" {
			break
		}
		a.slack.WaitForCalls(ctxFor(t), fakeslack.MethodResponseURL, len(a.slack.CallsTo(fakeslack.MethodResponseURL))+1)
	}
	if password == "" {
		t.Fatal("no password")
	}
	// Every recorded Slack call other than the one ephemeral reply.
	seen := 0
	for _, c := range a.slack.Calls() {
		if bytes.Contains(c.Body, []byte(password)) || strings.Contains(c.Params.Encode(), password) {
			seen++
			if c.Method != fakeslack.MethodResponseURL || bytes.Contains(c.Body, []byte("in_channel")) {
				t.Errorf("password in %s call: %s", c.Method, c.Body)
			}
		}
	}
	if seen != 1 {
		t.Errorf("password in %d calls, want 1", seen)
	}
	if bytes.Contains(up.Content, []byte(password)) || strings.Contains(up.InitialComment, password) {
		t.Error("password is in the file or its message")
	}
	if strings.Contains(a.logs.String(), password) {
		t.Error("password in logs")
	}
	for _, q := range []string{
		`SELECT count(*) FROM audit_log WHERE detail::text LIKE $1 OR action LIKE $1`,
		`SELECT count(*) FROM outbox WHERE row_to_json(outbox)::text LIKE $1`,
	} {
		if n := a.count(q, "%"+password+"%"); n != 0 {
			t.Errorf("password in db: %s", q)
		}
	}
	// Unreadable without the password: no client ref, no names, no text.
	for _, s := range []string{"JS-4411", "Rent arrears", "Acacia", "landlord", "CC-0001"} {
		if bytes.Contains(up.Content, []byte(s)) {
			t.Errorf("%q in clear in the encrypted PDF", s)
		}
	}
	if _, err := api.ReadAndValidate(bytes.NewReader(up.Content), model.NewDefaultConfiguration()); err == nil {
		t.Error("opens without the password")
	}
	var plain bytes.Buffer
	if err := api.Decrypt(bytes.NewReader(up.Content), &plain, model.NewAESConfiguration("wrong-pass", "", 256)); err == nil {
		t.Error("opens with a wrong password")
	}
	if err := api.Decrypt(bytes.NewReader(up.Content), &plain, model.NewAESConfiguration(password, "", 256)); err != nil {
		t.Errorf("does not open with its password: %v", err)
	}
	// A second export gets a different password.
	a.commandReply("U0CM", "export CC-0001 pdf")
	if _, err := a.waitFileUploads(ctxFor(t), 2); err != nil {
		t.Fatal(err)
	}
}

// Hostile text: the PDF stays valid, and the text survives.
func TestPDFValidWithHostileText(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"parens":    "(((unbalanced \\ back\\slash ) ) ) (\\) end\\",
		"trailing":  "ends with backslash \\",
		"nonlatin":  "Имя клиента 王小明 محمد 🙂 é ñ ß ÿ \u00a0 \u00ad",
		"control":   "a\x00b\x1bc\rd\x7f\u0085e\ufeff",
		"longline":  strings.Repeat("x", 5000),
		"longwords": strings.Repeat("word ", 3000),
		"pdfsyntax": "endstream\nendobj\n%%EOF\nxref\ntrailer << /Root 9 0 R >> stream",
		"many":      strings.Repeat("line\n", 1000),
		"empty":     "",
		"invalid":   "\xff\xfe\xc3(",
	}
	for name, text := range cases {
		for _, enc := range []bool{false, true} {
			var pdf []byte
			if enc {
				var err error
				pdf, err = export.EncryptedPDF([]byte(text), "abcde-fghjk-mnpqr-stuvw")
				if err != nil {
					t.Errorf("%s: encrypt: %v", name, err)
					continue
				}
				var out bytes.Buffer
				if err := api.Decrypt(bytes.NewReader(pdf), &out, model.NewAESConfiguration("abcde-fghjk-mnpqr-stuvw", "", 256)); err != nil {
					t.Errorf("%s: decrypt: %v", name, err)
				}
				continue
			}
			pdf = export.PlainPDF([]byte(text))
			conf := model.NewDefaultConfiguration()
			conf.ValidationMode = model.ValidationRelaxed // strict only wants /FirstChar on a standard-14 font
			if _, err := api.ReadAndValidate(bytes.NewReader(pdf), conf); err != nil {
				t.Errorf("%s: plain PDF invalid (relaxed): %v", name, err)
			}
		}
	}
}

// The PDF's lines fit the page: Helvetica 9pt, x=40, page 595 wide.
func TestPDFLinesFitThePage(t *testing.T) {
	t.Parallel()
	// Widths (1/1000 em) of Helvetica capitals M and W.
	line := strings.Repeat("W", 200)
	pdf := string(export.PlainPDF([]byte(line)))
	m := regexp.MustCompile(`\((W+)\) '`).FindAllStringSubmatch(pdf, -1)
	if len(m) == 0 {
		t.Fatal("no lines")
	}
	width := 40 + float64(len(m[0][1]))*944*9/1000
	if width > 595 {
		t.Errorf("a line of %d capitals W is %.0fpt wide, past the page's 595pt edge: text is cut off", len(m[0][1]), width)
	}
}

// What a reader not on Slack sees: the record's text, without the
// Markdown's backslash escapes and heading or quotation marks.
func TestPDFHidesMarkdownEscapes(t *testing.T) {
	t.Parallel()
	md := []byte("## Outcome\n\n> Step 1: \\[call\\](http\\://x.example) the \\*landlord\\*\n")
	pdf := string(export.PlainPDF(md))
	if strings.Contains(pdf, `\\[call\\]`) || strings.Contains(pdf, `http\\:`) || strings.Contains(pdf, "(## Outcome)") {
		t.Errorf("the PDF prints Markdown escapes and markup literally: %s", regexp.MustCompile(`\(.*\) '`).FindAllString(pdf, -1))
	}
}

// The password's reply failing on Slack's side: the password must still
// not reach the logs.
func TestPDFPasswordNotLoggedWhenReplyFails(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.recordedWith30Actions()
	a.slack.FailEvery(fakeslack.MethodResponseURL, fakeslack.Failure{Status: 500})
	payload := a.slack.NewSlashCommand("U0CM", "C0CHANNEL", "export CC-0001 pdf")
	payload["response_url"] = a.slack.ResponseURL("zzfail")
	a.send(fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: payload})
	if _, err := a.waitFileUploads(ctxFor(t), 1); err != nil {
		t.Fatal(err)
	}
	a.slack.WaitForCalls(ctxFor(t), fakeslack.MethodResponseURL, 2)
	a.waitAllHandled() // the export has logged all it will
	if passwordRE.MatchString(a.logs.String()) {
		t.Errorf("a password-like string reached the logs: %s", passwordRE.FindString(a.logs.String()))
	}
}

// Typographic quotes, dashes and the euro sign (what Slack and phones
// type) are in WinAnsiEncoding, yet become "?" in the PDF.
func TestPDFKeepsSmartQuotes(t *testing.T) {
	t.Parallel()
	pdf := string(export.PlainPDF([]byte("Client\u2019s \u201cview\u201d \u2013 owes \u20ac40")))
	if strings.Contains(pdf, "Client?s") || strings.Contains(pdf, "?40") {
		t.Errorf("curly quotes, dashes and the euro sign become '?': %s", regexp.MustCompile(`\(Client.*\) '`).FindString(pdf))
	}
}
