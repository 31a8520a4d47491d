package caseconf

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		multiline bool
		want      string // part of the message; "" for fine
	}{
		{"Plain", "Church St", false, ""},
		{"Unicode", "Zoë — 東京", false, ""},
		{"Tab", "a\tb", false, ""},
		{"NewlineInMultiline", "a\nb\r\nc", true, ""},
		{"NewlineInOneLine", "one\ntwo", false, "one line"},
		{"LineSeparatorInOneLine", "one\u2028two", false, "one line"},
		{"ParagraphSeparatorInOneLine", "one\u2029two", false, "one line"},
		{"LineSeparatorInText", "one\u2028two", true, "line separator"},
		{"NUL", "abc\x00def", true, "control character"},
		{"Escape", "abc\x1b[31m", true, "control character"},
		{"DEL", "abc\x7f", false, "control character"},
		{"C1Control", "abc\u0085", true, "control character"},
		{"BidiOverride", "ab\u202ecd", true, "text-direction"},
		{"BidiIsolate", "ab\u2067cd", false, "text-direction"},
		{"InvalidUTF8", "abc\xff", false, "could not be read"},
		{"TooLong", strings.Repeat("é", 11), false, "10 characters or fewer (it is 11)"},
		{"AtTheLimit", strings.Repeat("é", 10), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckText(tt.s, 10, tt.multiline)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CheckText(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestVisible(t *testing.T) {
	for _, s := range []string{"", " ", "\u200b", "\u200b\u200c\u200d", "\u202e", "\u00ad\u00ad", "\u2066\u2069", "\ufeff \u3164", "\U000e0041"} {
		if Visible(s) {
			t.Errorf("Visible(%q) = true, want false", s)
		}
	}
	for _, s := range []string{"a", "\u200bJS", "·", "1"} {
		if !Visible(s) {
			t.Errorf("Visible(%q) = false, want true", s)
		}
	}
}
