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
			if l, err := loadLocation(u.TZ); err == nil {
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

// zones holds each time zone loaded, by name: time.LoadLocation reads and
// parses the zone's file on every call, and a sweep asks for the zone of
// every recipient. There are a few hundred names at most.
var zones sync.Map // name → *time.Location

func loadLocation(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}
