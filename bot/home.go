package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// The App Home tab: everything a practitioner owes, most urgent first,
// each with its button. Only what the root rules let them see, and no
// client detail beyond the conference reference.

const (
	// maxHomeBlocks is Slack's limit for a Home tab view.
	maxHomeBlocks = 100
	// homeSectionCap is how many items a section other than the
	// actions shows before it gives way to the next.
	homeSectionCap = 10
	// homeHorizon is how many working days ahead reviews and consents
	// are shown.
	homeHorizon = 20
)

func (b *Bot) registerHome() {
	b.HandleEvent("app_home_opened", b.homeOpened)
}

// homeOpened publishes the user's Home tab when they open it.
func (b *Bot) homeOpened(ctx context.Context, r *Request) {
	r.Ack(nil)
	if ev, ok := r.Event.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && ev.Tab != "" && ev.Tab != "home" {
		return // the Messages or About tab
	}
	if err := b.PublishHome(ctx, r.UserID); err != nil {
		b.log.Warn("publish home", "err", err)
	}
}

// PublishHome builds the user's Home tab and publishes it.
func (b *Bot) PublishHome(ctx context.Context, userID string) error {
	if userID == "" || b.api == nil {
		return nil
	}
	view, err := b.HomeView(ctx, userID)
	if err != nil {
		return err
	}
	if _, err = b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view}); err != nil {
		return err
	}
	p := b.homes()
	p.mu.Lock()
	p.opened[userID] = true
	p.mu.Unlock()
	return nil
}

// HomeView reads and builds the user's Home tab as of now.
func (b *Bot) HomeView(ctx context.Context, userID string) (slack.HomeTabViewRequest, error) {
	v := b.viewer(userID)
	now := b.now()
	today := b.cal.Date(now)
	until := b.cal.AddWorkingDays(today, homeHorizon)
	h, err := b.store.Home(ctx, v, now, until, maxHomeBlocks/2)
	if err != nil {
		return slack.HomeTabViewRequest{}, err
	}
	return homeView(h, v, now, today, until, b.cal.Loc), nil
}

// homeItem is one entry of the Home tab: its blocks.
type homeItem struct {
	blocks []slack.Block
}

// homeSection is one heading of the Home tab and its entries, most
// urgent first.
type homeSection struct {
	title string
	more  string // the command that lists everything of this kind
	cap   int    // 0: no cap but the view's
	items []homeItem
	// unlisted counts entries of this kind not read at all.
	unlisted int
	// quiet: its entries need nothing of the reader (actions closed
	// lately), so they do not count as something that needs them.
	quiet bool
}

func homeView(h *store.HomeData, v caseconf.Viewer, now, today, until time.Time, loc *time.Location) slack.HomeTabViewRequest {
	var (
		invitations = homeSection{title: "Invitations awaiting you", more: "/caseconf list", cap: homeSectionCap}
		reports     = homeSection{title: "Reports you owe", more: "/caseconf list", cap: homeSectionCap}
		outcomes    = homeSection{title: "Outcomes to record", more: "/caseconf list", cap: homeSectionCap}
		actions     = homeSection{title: "Your open actions", more: "/caseconf actions"}
		reviews     = homeSection{title: "Reviews due", more: "/caseconf list", cap: homeSectionCap}
		consents    = homeSection{title: "Consent running out", more: "/caseconf list", cap: homeSectionCap}
		closed      = homeSection{title: "Actions closed lately", more: "/caseconf actions", cap: 5, quiet: true}
		upcoming    = homeSection{title: "Upcoming conferences", more: "/caseconf list", cap: homeSectionCap}
	)
	confs := sortedConferences(h.Conferences)
	for _, c := range confs {
		inv := c.InviteeFor(v.UserID)
		future := c.Status == caseconf.StatusScheduled && c.StartsAt.After(now)
		if future && inv != nil {
			id := subject{Invitee: inv.ID}.String()
			lead := fmt.Sprintf("*%s* · %s · from %s", c.Ref, homeDate(c.StartsAt, loc), user(c.CaseManagerID))
			switch {
			case !inv.Accepted():
				invitations.items = append(invitations.items, homeItem{[]slack.Block{
					slack.NewSectionBlock(mrkdwn(lead+"\nPlease read and accept the information-sharing agreement."), nil,
						slack.NewAccessory(button(actionAgree, id, "Read and accept the agreement", slack.StylePrimary)))}})
			case !inv.Answered():
				invitations.items = append(invitations.items, homeItem{[]slack.Block{
					section(lead + "\nWill you attend?"),
					slack.NewActionBlock("home_respond_"+id, answerButtons(id)...)}})
			}
			if c.OwesReport(inv) && caseconf.CanWriteReport(c, inv, v.UserID) == nil {
				reports.items = append(reports.items, homeItem{[]slack.Block{
					slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* · %s\nYou can't attend: your written report is owed before the meeting.", c.Ref, homeDate(c.StartsAt, loc))),
						nil, slack.NewAccessory(reportButton(inv)))}})
			}
		}
		if !caseconf.CanSee(c, v) {
			continue
		}
		out, recorded := h.Outcomes[c.ID]
		if future {
			text := fmt.Sprintf("*%s* · %s · you: %s", c.Ref, homeDate(c.StartsAt, loc), rolesText(c.Roles(v.UserID)))
			if inv != nil {
				text += " · your answer: " + answerText(inv)
			}
			upcoming.items = append(upcoming.items, homeItem{[]slack.Block{section(text)}})
		}
		if !recorded && caseconf.CanRecordOutcome(c, v, now) == nil {
			outcomes.items = append(outcomes.items, homeItem{[]slack.Block{
				slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* · met %s · no outcome recorded yet", c.Ref, homeDate(c.StartsAt, loc))),
					nil, slack.NewAccessory(recordButton(c)))}})
		}
		if c.CaseManagerID == v.UserID && recorded && !out.ReviewOn.IsZero() && !out.ReviewOn.Before(today) && !out.ReviewOn.After(until) {
			reviews.items = append(reviews.items, homeItem{[]slack.Block{
				slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* · review due by %s", c.Ref, out.ReviewOn.Format(dueLayout))),
					nil, slack.NewAccessory(button(actionScheduleReview, subject{Conference: c.ID}.String(), "Schedule review", slack.StylePrimary)))}})
		}
	}
	for _, co := range h.Consents {
		c := h.Conferences[co.ConferenceID]
		if c == nil || c.CaseManagerID != v.UserID || !caseconf.CanSee(c, v) {
			continue
		}
		consents.items = append(consents.items, homeItem{[]slack.Block{section(fmt.Sprintf(
			"*%s* · the client's consent to share information runs out on %s: please renew it with them.", c.Ref, co.ValidUntil.Format(dueLayout)))}})
	}
	for _, a := range h.Actions {
		c := h.Conferences[a.ConferenceID]
		if !caseconf.OnActionList(c, a, v) {
			continue
		}
		due := dueLabel(a.DueOn, today)
		text := fmt.Sprintf("*%s* · action due *%s*", c.Ref, due)
		if a.OwnerID == "" {
			text += "\n*Owner:* " + ownerText(a) + " — you chase this one"
		}
		actions.items = append(actions.items, homeItem{[]slack.Block{
			section(text), slack.NewActionBlock(fmt.Sprintf("home_action_%d", a.ID), managerButtons(c, a, v.UserID)...)}})
	}
	for _, a := range h.Closed {
		c := h.Conferences[a.ConferenceID]
		if !caseconf.OnClosedList(c, a, v, now) {
			continue
		}
		closed.items = append(closed.items, homeItem{[]slack.Block{section(closedLine(c, a, v, today))}})
	}
	// Actions the store did not list (beyond its limit) are counted as
	// not shown.
	actions.unlisted = max(0, h.ActionsTotal-len(h.Actions))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab,
		Blocks: slack.Blocks{BlockSet: homeBlocks(invitations, reports, outcomes, actions, reviews, consents, upcoming, closed)}}
}

// homeBlocks lays the sections out in order within maxHomeBlocks: each
// section shows up to its cap, as many as fit; one last line says how
// many more there are and where to find them.
func homeBlocks(secs ...homeSection) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Your case conferences"))}
	budget := maxHomeBlocks - 1 // the overflow line
	hidden, total := 0, 0
	where := map[string]bool{}
	var order []string
	for _, s := range secs {
		if !s.quiet {
			total += len(s.items) + s.unlisted
		}
		shown := 0
		for _, it := range s.items {
			need := len(it.blocks)
			if shown == 0 {
				need += 2 // divider and heading
			}
			if (s.cap > 0 && shown >= s.cap) || len(blocks)+need > budget {
				break
			}
			if shown == 0 {
				blocks = append(blocks, slack.NewDividerBlock(), slack.NewHeaderBlock(plain(s.title)))
			}
			blocks = append(blocks, it.blocks...)
			shown++
		}
		if more := len(s.items) - shown + s.unlisted; more > 0 {
			hidden += more
			if !where[s.more] {
				where[s.more] = true
				order = append(order, s.more)
			}
		}
	}
	if total == 0 {
		blocks = append(blocks, section("Nothing needs you at the moment: no conferences coming up, no invitations, reports or open actions."))
	}
	if hidden > 0 {
		cmds := make([]string, len(order))
		for i, c := range order {
			cmds[i] = "`" + c + "`"
		}
		blocks = append(blocks, note(fmt.Sprintf("…and %d more: see %s.", hidden, strings.Join(cmds, " and "))))
	}
	return blocks
}

// homeDate is a meeting's date and time, in the reader's own time zone.
func homeDate(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
}

func rolesText(roles []caseconf.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// sortedConferences orders the conferences by when they meet.
func sortedConferences(m map[int64]*caseconf.Conference) []*caseconf.Conference {
	out := make([]*caseconf.Conference, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartsAt.Equal(out[j].StartsAt) {
			return out[i].StartsAt.Before(out[j].StartsAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// homeDebounce is how long a user's Home waits after a change before it
// is published: a burst of changes publishes once.
const homeDebounce = 2 * time.Second

// homeTimeout bounds one publish.
const homeTimeout = 30 * time.Second

// homePublisher re-publishes the Home of users who opened it in this
// process after changes that affect them: at most one publish in flight
// per user, and the changes that come while one is waiting or running
// make one more publish, not one each.
type homePublisher struct {
	mu     sync.Mutex
	opened map[string]bool       // users whose Home this process published
	users  map[string]*homeState // users with a publish waiting or running
}

type homeState struct {
	waiting bool // a timer is set
	running bool // a publish is in flight
	again   bool // a change came while it ran
}

func (b *Bot) homes() *homePublisher {
	b.homeOnce.Do(func() {
		b.home = &homePublisher{opened: map[string]bool{}, users: map[string]*homeState{}}
	})
	return b.home
}

// RefreshHome re-publishes, after homeDebounce, the Home of each user
// given who has opened theirs: a change that affects them was made.
func (b *Bot) RefreshHome(userIDs ...string) {
	if b.api == nil {
		return
	}
	p := b.homes()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range userIDs {
		if u == "" || !p.opened[u] {
			continue
		}
		st := p.users[u]
		if st == nil {
			st = &homeState{}
			p.users[u] = st
		}
		switch {
		case st.waiting: // the publish to come will show this change too
		case st.running:
			st.again = true
		default:
			st.waiting = true
			b.homeTimer(u)
		}
	}
}

// homeTimer publishes u's Home after homeDebounce.
func (b *Bot) homeTimer(u string) {
	time.AfterFunc(homeDebounce, func() { b.flushHome(u) })
}

func (b *Bot) flushHome(u string) {
	p := b.homes()
	p.mu.Lock()
	st := p.users[u]
	st.waiting, st.running = false, true
	p.mu.Unlock()

	if b.work.Err() == nil { // not after shutdown
		ctx, cancel := context.WithTimeout(b.work, homeTimeout)
		if err := b.PublishHome(ctx, u); err != nil {
			b.log.Warn("publish home", "err", err)
		}
		cancel()
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	st.running = false
	if st.again {
		st.again, st.waiting = false, true
		b.homeTimer(u)
		return
	}
	delete(p.users, u)
}
