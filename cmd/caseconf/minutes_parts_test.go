package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
)

// The minutes in messages Slack takes, end to end.

// blockTexts is the text of every text object in the blocks a call
// posted (what Slack counts against a message's limits), by block.
func blockTexts(t *testing.T, c fakeslack.Call) [][]string {
	t.Helper()
	var blocks []any
	if raw := c.Params.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	} else if j := c.JSON(); j != nil {
		blocks, _ = j["blocks"].([]any)
	}
	return fakeslack.BlockTexts(blocks)
}

// checkSlackTakes fails t if Slack would refuse the message call posted:
// more than 50 blocks, a block's text past 3,000 characters, or more than
// 11,000 characters of block text in all (Slack refuses about 12,000:
// msg_blocks_too_long).
func checkSlackTakes(t *testing.T, c fakeslack.Call) {
	t.Helper()
	blocks := blockTexts(t, c)
	if len(blocks) > 50 {
		t.Errorf("%q has %d blocks (Slack allows 50)", c.Params.Get("text"), len(blocks))
	}
	total := 0
	for _, texts := range blocks {
		for _, s := range texts {
			n := len([]rune(s))
			total += n
			if n > 3000 {
				t.Errorf("%q: a text of %d characters (Slack allows 3,000)", c.Params.Get("text"), n)
			}
		}
	}
	if total > 11000 {
		t.Errorf("%q holds %d characters of block text (at most 11,000: Slack refuses about 12,000)", c.Params.Get("text"), total)
	}
}

// The fullest outcome the form allows (every text at its limit, of
// characters escaping lengthens; the lines of people not on Slack full;
// as many action rows as the form holds, each full) reaches a recipient
// whole, in messages Slack takes, numbered; the log of disclosures has one
// row per part, each sent.
func TestFullestMinutesArriveInMessagesSlackTakes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, blocks := a.openOutcomeAs("U0CM")
	for i := 0; !strings.Contains(fmt.Sprint(blocks), "at most"); i++ {
		if i > caseconf.MaxActionRows {
			t.Fatal("the form never said it was full")
		}
		meta, blocks = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
	}
	var st struct {
		Rows []int `json:"r"`
	}
	if err := json.Unmarshal([]byte(meta), &st); err != nil || len(st.Rows) < 10 {
		t.Fatalf("the full form holds rows %v (%v)", st.Rows, err)
	}
	long := func(n int) string { return strings.Repeat("<&", n/2) }
	var lines []string
	for len(strings.Join(lines, "\n")) < caseconf.MaxPeopleText-60 {
		lines = append(lines, strings.Repeat("&", 30)+", <<<<, >>>>")
	}
	people := strings.Join(lines, "\n")
	text := map[string]string{"summary": long(3000), "outcome_worked": long(3000), "outcome_not_worked": long(3000), "client_views": long(3000)}
	f := form{}.users("attended", "U0CM", "U0SW", "U0PROB").text("attended_others", people).users("apologies", "U0GP").
		text("apologies_others", people).choice("lead_changed", "yes").text("new_lead_agency", strings.Repeat("&", caseconf.MaxShortText)).
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").text("share_others", people).choice("save_as", "final")
	for id, v := range text {
		f = f.text(id, v)
	}
	for _, r := range st.Rows {
		row := func(field string) string { return caseconf.ActionField(field, r) }
		f = f.text(row("area"), strings.Repeat("&", caseconf.MaxShortText)).text(row("what"), long(caseconf.MaxActionText)).date(row("due"), "2026-12-02")
		if r%2 == 0 {
			f = f.user(row("owner"), "U0SW")
		} else {
			f = f.text(row("owner_name"), strings.Repeat("&", caseconf.MaxShortText)).text(row("owner_agency"), strings.Repeat("<", caseconf.MaxShortText))
		}
	}
	before := len(a.dmTo("U0SW"))
	if ack := a.viewSubmission("U0CM", "outcome", "VFULL", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(60 * time.Second)

	// Every message to the social worker is one Slack takes; the minutes
	// are parts 1 to n of n, each once.
	numbered := regexp.MustCompile(`^Minutes of CC-0001, part (\d+) of (\d+)$`)
	parts := map[int][][]string{}
	n := 0
	for _, dm := range a.dmTo("U0SW")[before:] {
		checkSlackTakes(t, dm)
		m := numbered.FindStringSubmatch(dm.Params.Get("text"))
		if m == nil {
			continue
		}
		part, _ := strconv.Atoi(m[1])
		of, _ := strconv.Atoi(m[2])
		if n != 0 && of != n || parts[part] != nil {
			t.Errorf("part %d of %d again, or of another number", part, of)
		}
		n, parts[part] = of, blockTexts(t, dm)
	}
	if n < 2 || len(parts) != n {
		t.Fatalf("%d of %d parts of the minutes arrived", len(parts), n)
	}
	if got := a.count(`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0SW' AND parts = $1 AND sent_at IS NOT NULL`, n); got != n {
		t.Errorf("%d disclosures of %d parts logged as sent, want %d", got, n, n)
	}
	// Nothing lost: every text and every action, in order, read across
	// the parts (without each part's first line and closing note).
	var all strings.Builder
	nums := make([]int, 0, n)
	for p := range parts {
		nums = append(nums, p)
	}
	sort.Ints(nums)
	for _, p := range nums {
		first := parts[p][0]
		if want := fmt.Sprintf("Minutes of CC-0001, part %d of %d", p, n); len(first) == 0 || !strings.Contains(first[0], want) {
			t.Errorf("part %d opens with %q", p, first)
		}
		for _, texts := range parts[p][1 : len(parts[p])-1] { // not the note
			all.WriteString(strings.Join(texts, ""))
		}
	}
	escape := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	want := []string{"*Summary of issues*\n" + escape(text["summary"]), "*What has worked well*\n" + escape(text["outcome_worked"]),
		"*What has not worked*\n" + escape(text["outcome_not_worked"]), "*The client's views*\n" + escape(text["client_views"])}
	for i := range st.Rows {
		want = append(want, fmt.Sprintf("*%d. %s*\n%s", i+1, escape(strings.Repeat("&", caseconf.MaxShortText)), escape(long(caseconf.MaxActionText))))
	}
	at, got := 0, all.String()
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("the minutes lose or reorder %.40q…", w)
		}
		at += i + len(w)
	}
}
