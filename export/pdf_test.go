package export

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func TestNewPDFPassword(t *testing.T) {
	re := regexp.MustCompile(`^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$`)
	seen := map[string]bool{}
	for range 50 {
		p := NewPDFPassword()
		if !re.MatchString(p) || strings.ContainsAny(p, "ilo01") || seen[p] {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}

func TestEncryptedPDFOpensOnlyWithItsPassword(t *testing.T) {
	var text strings.Builder
	text.WriteString("# Case conference record: CC-0001\n\nClient (JS-4411) \\ Zoë → café ✓\n")
	for i := range 200 {
		text.WriteString(strings.Repeat("landlord word ", 10+i%5) + "\n")
	}
	plain := PlainPDF([]byte(text.String()))
	ctx, err := api.ReadAndValidate(bytes.NewReader(plain), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("the plain PDF is not valid: %v", err)
	}
	if ctx.PageCount < 4 {
		t.Errorf("%d pages", ctx.PageCount)
	}
	pw := NewPDFPassword()
	enc, err := EncryptedPDF([]byte(text.String()), pw)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, []byte("JS-4411")) || bytes.Contains(enc, []byte("landlord")) {
		t.Error("the encrypted PDF holds the text in clear")
	}
	if _, err := api.ReadAndValidate(bytes.NewReader(enc), model.NewDefaultConfiguration()); err == nil {
		t.Error("the PDF opens without a password")
	}
	if _, err := api.ReadAndValidate(bytes.NewReader(enc), model.NewAESConfiguration("wrong-password", "wrong-password", 256)); err == nil {
		t.Error("the PDF opens with the wrong password")
	}
	var out bytes.Buffer
	conf := model.NewAESConfiguration(pw, "", 256)
	if err := api.Decrypt(bytes.NewReader(enc), &out, conf); err != nil {
		t.Fatalf("the PDF does not open with its password: %v", err)
	}
	if !bytes.Contains(out.Bytes(), []byte("Client \\(JS-4411\\) \\\\ Zo\\353 ? caf\\351 ?")) {
		t.Error("the decrypted PDF does not hold the text")
	}
}
