package export

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// The exported record as a password-protected PDF, for people not on
// Slack: the Markdown text set as plain lines of Helvetica on A4 pages,
// then encrypted with AES-256 under a password made here, shown once to
// the person exporting and never kept.

// PDFFilename is the name the PDF record of ref is uploaded under.
func PDFFilename(ref string) string { return strings.ToUpper(ref) + "-record.pdf" }

const (
	pdfLineChars = 95  // characters a line holds at most before it is wrapped
	pdfLineWidth = 515 // points of text a line holds (A4, 40 pt margins), at 9 pt
	pdfPageLines = 60  // lines a page holds
)

// pdfWinAnsi are the characters beyond Latin-1 that WinAnsiEncoding
// (Helvetica's) has, and their bytes: typed quotes, dashes, the euro.
var pdfWinAnsi = map[rune]byte{
	'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94,
	'•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99,
}

// pdfWidth is how wide r is in Helvetica at 9 pt, in points, rounded up
// by class (a line must never run off the page).
func pdfWidth(r rune) float64 {
	switch {
	case strings.ContainsRune("WM@mw", r):
		return 0.944 * 9
	case r >= 'A' && r <= 'Z', strings.ContainsRune("%&", r):
		return 0.778 * 9
	case strings.ContainsRune(" .,:;'!|il", r):
		return 0.333 * 9
	}
	return 0.611 * 9
}

// pdfAlphabet are the characters passwords are made of: lower-case
// letters and digits that cannot be mistaken for one another.
const pdfAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewPDFPassword is a random password of four groups of five readable
// characters (about 99 bits), such as "k3m9p-...".
func NewPDFPassword() string {
	var b strings.Builder
	for i := range 20 {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(pdfAlphabet[randIntn(len(pdfAlphabet))])
	}
	return b.String()
}

// randIntn is a uniform random number in [0, n) from crypto/rand.
func randIntn(n int) int {
	var c [1]byte
	limit := 256 - 256%n
	for {
		if _, err := rand.Read(c[:]); err != nil {
			panic(err) // crypto/rand does not fail
		}
		if int(c[0]) < limit {
			return int(c[0]) % n
		}
	}
}

func init() {
	// pdfcpu otherwise loads its configuration lazily, on the first PDF,
	// from a config.yml it first writes into the user's configuration
	// directory: two PDFs made at once (two exports, or the minutes
	// button pressed twice) race on that global, and a server whose
	// file system is read-only cannot write it. Its built-in defaults
	// are all caseconf uses.
	model.ConfigPath = "disable"
}

// EncryptedPDF is text as a PDF encrypted with AES-256: opening it needs
// password (which is also the owner password).
func EncryptedPDF(text []byte, password string) ([]byte, error) {
	var out bytes.Buffer
	conf := model.NewAESConfiguration(password, password, 256)
	if err := api.Encrypt(bytes.NewReader(PlainPDF(text)), &out, conf); err != nil {
		return nil, fmt.Errorf("encrypting the PDF: %w", err)
	}
	return out.Bytes(), nil
}

// pdfLines are text's lines, Latin-1 only and wrapped.
func pdfLines(text []byte) []string {
	var out []string
	// The record's Markdown escapes (\* \[ http\:) are there for Markdown
	// readers; on paper they are noise.
	plain := mdUnescape.ReplaceAllString(mdMarks.ReplaceAllString(string(text), ""), "$1")
	for _, l := range strings.Split(strings.ReplaceAll(plain, "\r\n", "\n"), "\n") {
		var rs []rune
		for _, r := range l {
			switch {
			case r == '\t':
				r = ' '
			case r > 0xff && pdfWinAnsi[r] != 0:
			case r < 0x20, r >= 0x7f && r < 0xa0, r > 0xff, r == utf8.RuneError:
				r = '?'
			}
			rs = append(rs, r)
		}
		for fits(rs) < len(rs) {
			max := fits(rs)
			cut := max
			for i := max; i > max/2; i-- {
				if rs[i] == ' ' {
					cut = i
					break
				}
			}
			out = append(out, string(rs[:cut]))
			rs = rs[cut:]
			for len(rs) > 0 && rs[0] == ' ' {
				rs = rs[1:]
			}
		}
		out = append(out, string(rs))
	}
	return out
}

// mdMarks finds a line's heading or quotation marks.
var mdMarks = regexp.MustCompile(`(?m)^(#{1,6} |> ?)`)

// mdUnescape finds a Markdown backslash escape of ASCII punctuation.
var mdUnescape = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)

// fits is how many of rs fit on one line: by width, and never more than
// pdfLineChars.
func fits(rs []rune) int {
	w := 0.0
	for i, r := range rs {
		if w += pdfWidth(r); w > pdfLineWidth || i == pdfLineChars {
			return i
		}
	}
	return len(rs)
}

// pdfString is s as a PDF literal string in WinAnsi (Latin-1) bytes.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r < 0x80:
			b.WriteByte(byte(r))
		case pdfWinAnsi[r] != 0:
			fmt.Fprintf(&b, "\\%03o", pdfWinAnsi[r])
		default:
			fmt.Fprintf(&b, "\\%03o", r) // Latin-1, octal
		}
	}
	b.WriteByte(')')
	return b.String()
}

// PlainPDF is text as an unencrypted PDF of plain lines.
func PlainPDF(text []byte) []byte {
	lines := pdfLines(text)
	var pages [][]string
	for len(lines) > 0 {
		n := min(pdfPageLines, len(lines))
		pages = append(pages, lines[:n])
		lines = lines[n:]
	}
	if len(pages) == 0 {
		pages = [][]string{{""}}
	}
	// Objects: 1 catalog, 2 pages, 3 font, then a page and its content
	// for each page.
	var objs []string
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, p := range pages {
		var c strings.Builder
		c.WriteString("BT /F1 9 Tf 12 TL 40 800 Td\n")
		for _, l := range p {
			c.WriteString(pdfString(l) + " '\n")
		}
		c.WriteString("ET")
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
