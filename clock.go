package tend

import "time"

// A Clock tells the time. The server reads every "now" that decides
// something (an expiry, a deadline, how long ago) from one Clock, the
// database's, so that tests and the demo can move time for all of it at
// once. A nil Clock is the real time. Durations measured for logs and
// metrics, network deadlines and who has a ticket open now (heartbeats) use the
// real time directly.
type Clock func() time.Time

// Now returns the clock's time.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}
