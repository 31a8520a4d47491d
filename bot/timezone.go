package bot

import (
	"context"
	"sync"
	"time"
)

// tzCacheFor is how long a user's time zone is remembered.
const tzCacheFor = 24 * time.Hour

type tzEntry struct {
	loc     *time.Location
	fetched time.Time
}

type tzCache struct {
	mu    sync.Mutex
	users map[string]tzEntry
}

// TimeZone is the user's own time zone from their Slack profile
// (users.info's tz), remembered for a day; the service's zone when Slack
// does not say or cannot be asked.
func (b *Bot) TimeZone(ctx context.Context, userID string) *time.Location {
	b.tz.mu.Lock()
	e, ok := b.tz.users[userID]
	b.tz.mu.Unlock()
	if ok && time.Since(e.fetched) < tzCacheFor {
		return e.loc
	}
	loc := b.cal.Loc
	if b.api != nil {
		if u, err := b.api.GetUserInfoContext(ctx, userID); err == nil && u.TZ != "" {
			if l, err := time.LoadLocation(u.TZ); err == nil {
				loc = l
			}
		} else if err != nil {
			b.log.Warn("could not read a user's time zone; using the service's", "user", userID, "err", err)
			return loc // not remembered: ask again next time
		}
	}
	b.tz.mu.Lock()
	if b.tz.users == nil {
		b.tz.users = map[string]tzEntry{}
	}
	b.tz.users[userID] = tzEntry{loc: loc, fetched: time.Now()}
	b.tz.mu.Unlock()
	return loc
}
