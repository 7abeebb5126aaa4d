package sanitize

import (
	"testing"
	"time"
)

// SetMendingTime bounds mending by d until the test ends: tests of what
// mending builds must not fail because a busy machine is slow.
func SetMendingTime(t testing.TB, d time.Duration) {
	was := mendingTime
	mendingTime = d
	t.Cleanup(func() { mendingTime = was })
}
