package sqldbtest

import (
	"sync/atomic"
	"time"

	"github.com/tendhq/tend/internal/sqldb"
)

// Clock is a time that a test moves by hand, safe to read from the
// server's goroutines.
type Clock struct{ at atomic.Int64 }

// NewClock makes db tell the time by a new Clock, which starts at 09:00
// UTC on 1 December 2026. Call it before anything else uses db.
func NewClock(db *sqldb.DB) *Clock {
	c := &Clock{}
	c.at.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	db.Now = c.Now
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.at.Load()).UTC() }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.at.Add(int64(d)) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.at.Store(t.UnixNano()) }
