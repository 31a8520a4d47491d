package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Anything that is not a reference reads as one that does not exist, and
// nothing reaches the database: a NUL would make PostgreSQL refuse it.
func TestMalformedReferenceReadsAsMissing(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	missing := decodeReply(t, a.command("U0OUT", "show CC-9999").Payload)
	for _, ref := range []string{"CC-9999\x00", "CC-1'--", "\xff\xfe", "CC-99999999999999999999"} {
		got := decodeReply(t, a.command("U0OUT", "show "+ref).Payload)
		if got.Text != missing.Text {
			t.Errorf("show %q answered %q, want %q", ref, got.Text, missing.Text)
		}
	}
	if strings.Contains(a.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a malformed reference logged an error: %s", a.logs.String())
	}
}

// Newcomer: help and the manifest's usage hint list record and export.
func TestHelpAndManifestListRecordAndExport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	help := decodeReply(t, a.command("U0CM", "help").Payload).Text
	for _, want := range []string{"record REF", "export REF", "report REF", "show REF", "list", "cancel REF", "new"} {
		if !strings.Contains(help, want) {
			t.Errorf("help does not list %q: %s", want, help)
		}
	}
	unknown := decodeReply(t, a.command("U0CM", "frobnicate").Payload).Text
	if !strings.Contains(unknown, "record REF") {
		t.Errorf("an unknown subcommand's answer: %q", unknown)
	}
}

// The README, /caseconf help and the manifest's usage hint agree on export pdf.
func TestHelpMentionsPDFExport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	help := decodeReply(t, a.command("U0CM", "help").Payload).Text
	if !strings.Contains(help, "export REF pdf") && !strings.Contains(help, "export CC-0001 pdf") {
		t.Errorf("help does not mention the PDF export: %q", help)
	}
}

// The manifest's usage hint (what Slack shows as you type /caseconf)
// lists every command help and the README list.
func TestManifestUsageHintListsCommands(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`usage_hint: "([^"]*)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no usage hint")
	}
	for _, c := range []string{"gaps", "consent", "export CC-0001 [pdf]"} {
		if !strings.Contains(string(m[1]), c) {
			t.Errorf("manifest usage hint %q lacks %q (in help and the README)", m[1], c)
		}
	}
}
