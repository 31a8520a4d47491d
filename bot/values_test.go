package bot

import (
	"strings"
	"testing"
)

func TestSubjectRoundTrip(t *testing.T) {
	for _, s := range []subject{{Conference: 7}, {Invitee: 42}, {Conference: 7, Invitee: 42}, {Conference: 1 << 40}, {Outbox: 9, Days: 3}, {Action: 5}, {Outbox: 9, Action: 5}} {
		got, err := parseSubject(s.String())
		if err != nil || got != s {
			t.Errorf("parseSubject(%q) = %+v, %v; want %+v", s.String(), got, err, s)
		}
	}
}

func TestParseSubjectRefusesForgeries(t *testing.T) {
	for _, v := range []string{"", "42", "c", "c-1", "c0", "cx", "c7.c8", "i1.i2", "c7.", ".i1", "c7:i42", "c99999999999999999999", "x7", "c+1", "c01", "i4.c7", "d3.o9", "o9.o9", "z1", "a5.o9", "a0", "a5.a5"} {
		if s, err := parseSubject(v); err == nil {
			t.Errorf("parseSubject(%q) = %+v, want an error", v, s)
		}
	}
}

func TestEncodeState(t *testing.T) {
	type form struct{ Rows []string }
	raw, err := encodeState(form{Rows: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	var back form
	if err := decodeState(raw, &back); err != nil || len(back.Rows) != 2 {
		t.Fatalf("decodeState = %+v, %v", back, err)
	}
	if _, err := encodeState(form{Rows: []string{strings.Repeat("x", maxPrivateMetadata)}}); err == nil {
		t.Error("state over Slack's 3,000 bytes was accepted")
	}
}
