package tend

import (
	"context"
	"net/netip"
	"strconv"
	"time"
)

// Limit slows down guessing: a key (an address and where the attempts come
// from, say) may fail Free times, then each further attempt must wait,
// from the last failure, First and twice as long after each failure since,
// up to Longest. Nothing is ever refused for good: an account cannot be
// locked out by someone who merely knows its address. Failures are
// forgotten Forget after the last one, and a success forgives them.
type Limit struct {
	Free    int
	First   time.Duration
	Longest time.Duration
	Forget  time.Duration
}

// Limits on trying passwords. A pair of address and source gets a few
// free tries; a source trying many addresses gets more, but not without
// end, so that one machine cannot try a password on every account.
var (
	SignInLimit         = Limit{Free: 5, First: time.Second, Longest: 15 * time.Minute, Forget: time.Hour}
	SignInFromLimit     = Limit{Free: 50, First: time.Second, Longest: 15 * time.Minute, Forget: time.Hour}
	PasswordCheckLimit  = SignInLimit
	PasswordAnyoneLimit = Limit{Free: 20, First: time.Second, Longest: 15 * time.Minute, Forget: time.Hour}
)

// Wait returns how long after the last failure the next attempt must wait,
// after failures failures.
func (l Limit) Wait(failures int) time.Duration {
	over := failures - l.Free + 1
	if over <= 0 {
		return 0
	}
	wait := l.First
	for range over - 1 {
		if wait >= l.Longest {
			break
		}
		wait *= 2
	}
	return min(wait, l.Longest)
}

// RetryAfter returns how long from now an attempt must wait when failures
// failures were counted, the last at last: 0 when it may go ahead. A last
// after now (another server's clock, or a transaction that began before a
// later one committed) counts as now.
func (l Limit) RetryAfter(failures int, last, now time.Time) time.Duration {
	wait := l.Wait(failures)
	if wait == 0 || !now.Before(last.Add(l.Forget)) {
		return 0
	}
	return max(0, wait-max(0, now.Sub(last)))
}

// TooMany returns the ETOOMANY error of an attempt that must wait.
func TooMany(wait time.Duration, what string) *Error {
	return &Error{Code: ETOOMANY, Message: "Too many failed " + what + "; try again in " + inWords(wait) + ".", RetryAfter: wait}
}

// inWords writes a wait for people, rounded up: "8 seconds", "2 minutes".
func inWords(d time.Duration) string {
	unit, n := "second", int((d+time.Second-1)/time.Second)
	if n > 90 {
		unit, n = "minute", int((d+time.Minute-1)/time.Minute)
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// LimitedSource returns the part of a client address that limits count
// against: the address itself for IPv4, and its /64 for IPv6, where one
// machine is usually given a whole /64 and could otherwise take a fresh
// address for every guess. Anything that is not an IP address is kept as
// it is.
func LimitedSource(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		// Some proxies add the client's port: every connection would be
		// a new source.
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return addr
		}
		ip = ap.Addr()
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	prefix, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return prefix.String()
}

type browserKey struct{}

// NewContextWithBrowser returns a copy of ctx carrying the secret of the
// known-browser cookie a sign-in came with (see SessionService.
// RememberBrowser).
func NewContextWithBrowser(ctx context.Context, secret string) context.Context {
	return context.WithValue(ctx, browserKey{}, secret)
}

// BrowserFromContext returns the known-browser secret in ctx, or "".
func BrowserFromContext(ctx context.Context) string {
	s, _ := ctx.Value(browserKey{}).(string)
	return s
}

type sourceKey struct{}

// NewContextWithSource returns a copy of ctx that says where a request
// came from (the client's IP address), for the limits on guessing.
func NewContextWithSource(ctx context.Context, source string) context.Context {
	return context.WithValue(ctx, sourceKey{}, source)
}

// SourceFromContext returns where the request came from, or "" when no
// one said.
func SourceFromContext(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(string)
	return s
}
