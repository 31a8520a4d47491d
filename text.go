package caseconf

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText says what is wrong with text a user typed into a field, or ""
// when it may be stored: no longer than max characters, and free of
// control characters (PostgreSQL refuses NUL outright, and the others are
// never meant). A multiline field may hold line breaks and tabs; a
// one-line field only tabs.
func CheckText(s string, max int, multiline bool) string {
	for _, r := range s {
		switch {
		case r == '\t':
		case (r == '\n' || r == '\r') && multiline:
		case r == '\n' || r == '\r':
			return "Please keep this to one line."
		case r == '\u2028' || r == '\u2029':
			// Line and paragraph separators break a line as surely as a
			// newline does, wherever the text is shown.
			if !multiline {
				return "Please keep this to one line."
			}
			return "This contains an invisible line separator. Please use an ordinary new line."
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			// Text-direction overrides can make the rest of a message read
			// backwards or hide what follows them.
			return "This contains an invisible text-direction character. Please retype it without pasting."
		case r == utf8.RuneError:
			return "This contains a character that could not be read. Please retype it."
		case unicode.IsControl(r):
			return "This contains an invisible control character. Please retype it without pasting."
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("Please keep this to %d characters or fewer (it is %d).", max, n)
	}
	return ""
}

// Visible reports whether s has at least one character a reader can see:
// text made only of spaces, zero-width characters, bidirectional controls
// or soft hyphens looks blank but is not empty.
func Visible(s string) bool {
	for _, r := range s {
		if !invisible(r) {
			return true
		}
	}
	return false
}

func invisible(r rune) bool {
	switch {
	case unicode.IsSpace(r), unicode.IsControl(r):
		return true
	case r == '\u00ad', // soft hyphen
		r == '\u034f',                // combining grapheme joiner
		r == '\u061c',                // Arabic letter mark
		r == '\u115f', r == '\u1160', // Hangul fillers
		r == '\u17b4', r == '\u17b5', // Khmer vowels inherent
		r == '\u180e',                  // Mongolian vowel separator
		r >= '\u200b' && r <= '\u200f', // zero-width space, joiners, LRM, RLM
		r >= '\u202a' && r <= '\u202e', // bidi embeddings and overrides
		r >= '\u2060' && r <= '\u206f', // word joiner, invisible operators, bidi isolates
		r == '\u3164', r == '\uffa0',   // Hangul fillers
		r == '\ufeff',                  // zero-width no-break space
		r >= '\ufe00' && r <= '\ufe0f', // variation selectors
		r >= 0xe0000 && r <= 0xe007f:   // tags
		return true
	}
	return unicode.Is(unicode.Cf, r) // any other format character
}

// trimInvisible trims spaces and invisible characters from both ends.
func trimInvisible(s string) string { return strings.TrimFunc(s, invisible) }

// Limits on free text, inside Block Kit's own (3,000 characters for a
// plain_text_input, 150 for option text).
const (
	MaxClientRef  = 64
	MaxClientName = 200
	MaxPurpose    = 3000
	MaxPlace      = 500
	MaxShortText  = 200
	MaxReasonText = 500
	MaxLength     = 8 * 60 // minutes
)

// FieldErrors maps a form field (its block ID) to what is wrong with it.
type FieldErrors map[string]string
