// Package imapfetch polls existing mail accounts over IMAP for mailboxes
// that receive their mail there. It remembers the folder's UIDVALIDITY
// and the last UID delivered, so that nothing is fetched twice or missed,
// and marks or moves a message only once the help desk has committed it.
package imapfetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/tendhq/tend"
)

// Mailboxes is what polling needs of the mailbox store.
type Mailboxes interface {
	FindMailboxes(ctx context.Context) ([]*tend.Mailbox, error)
	IMAPAccount(ctx context.Context, id int64) (*tend.Mailbox, string, error)
	RecordIMAPPoll(ctx context.Context, id int64, uidValidity, lastUID uint32, pollErr error) error
}

// Receiver takes a message for a mailbox and commits it.
type Receiver interface {
	Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error)
}

// Poller polls every mailbox that has an IMAP account.
type Poller struct {
	Mailboxes Mailboxes
	Receiver  Receiver
	Interval  time.Duration
	// MaxMessageBytes bounds one message; a larger one is not downloaded
	// but logged and left in the account, unseen, for a person to handle.
	MaxMessageBytes int64
	Logger          *slog.Logger
	// Dial, when set, replaces connecting by the mailbox's settings.
	Dial func(ctx context.Context, m *tend.Mailbox) (*imapclient.Client, error)
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		p.PollAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollAll polls each mailbox that has an IMAP account once. One mailbox's
// failure does not stop the others.
func (p *Poller) PollAll(ctx context.Context) {
	mailboxes, err := p.Mailboxes.FindMailboxes(tend.SystemContext(ctx))
	if err != nil {
		p.Logger.Error("imap: list mailboxes", "err", err)
		return
	}
	for _, m := range mailboxes {
		if m.IMAP == nil || ctx.Err() != nil {
			continue
		}
		if err := p.Poll(ctx, m.ID); err != nil {
			p.Logger.Warn("imap: poll failed", "mailbox", m.Address, "err", err)
		}
	}
}

// Poll fetches the mailbox's new messages, delivers each, and records the
// outcome on the mailbox: the last error, or the last success.
func (p *Poller) Poll(ctx context.Context, mailboxID int64) error {
	m, secret, err := p.Mailboxes.IMAPAccount(ctx, mailboxID)
	if err != nil {
		return err
	}
	if m.IMAP == nil {
		return nil
	}
	uidValidity, lastUID, err := p.poll(ctx, m, secret)
	if recErr := p.Mailboxes.RecordIMAPPoll(ctx, m.ID, uidValidity, lastUID, err); recErr != nil {
		return errors.Join(err, recErr)
	}
	return err
}

func (p *Poller) poll(ctx context.Context, m *tend.Mailbox, secret string) (uidValidity, lastUID uint32, err error) {
	acct := m.IMAP
	uidValidity, lastUID = acct.UIDValidity, acct.LastUID
	c, err := p.dial(ctx, m)
	if err != nil {
		return uidValidity, lastUID, fmt.Errorf("connect to %s: %w", acct.Host, err)
	}
	defer c.Close()
	if err := login(c, acct, secret); err != nil {
		return uidValidity, lastUID, err
	}
	sel, err := c.Select(acct.Folder, nil).Wait()
	if err != nil {
		return uidValidity, lastUID, fmt.Errorf("open folder %s: %w", acct.Folder, err)
	}
	if sel.UIDValidity != uidValidity {
		// The folder's UIDs start over: read it all again. Message-IDs keep
		// what was delivered before from being delivered twice.
		if uidValidity != 0 {
			p.Logger.Warn("imap: UIDVALIDITY changed; reading the folder again", "mailbox", m.Address,
				"was", uidValidity, "now", sel.UIDValidity)
		}
		uidValidity, lastUID = sel.UIDValidity, 0
	}
	uids, err := newUIDs(c, lastUID)
	if err != nil {
		return uidValidity, lastUID, err
	}
	for _, uid := range uids {
		if err := p.deliver(ctx, c, m, uid); err != nil {
			return uidValidity, lastUID, err
		}
		lastUID = uint32(uid)
	}
	c.Logout().Wait()
	return uidValidity, lastUID, nil
}

func (p *Poller) dial(ctx context.Context, m *tend.Mailbox) (*imapclient.Client, error) {
	if p.Dial != nil {
		return p.Dial(ctx, m)
	}
	addr := net.JoinHostPort(m.IMAP.Host, strconv.Itoa(m.IMAP.Port))
	opts := &imapclient.Options{Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	switch m.IMAP.Security {
	case "tls":
		return imapclient.DialTLS(addr, opts)
	case "starttls":
		return imapclient.DialStartTLS(addr, opts)
	}
	return imapclient.DialInsecure(addr, opts)
}

func login(c *imapclient.Client, acct *tend.IMAP, secret string) error {
	if acct.Auth == "xoauth2" {
		if err := c.Authenticate(xoauth2{user: acct.Username, token: secret}); err != nil {
			return fmt.Errorf("sign in as %s with XOAUTH2: %w", acct.Username, err)
		}
		return nil
	}
	if err := c.Login(acct.Username, secret).Wait(); err != nil {
		return fmt.Errorf("sign in as %s: %w", acct.Username, err)
	}
	return nil
}

// newUIDs returns the UIDs above last, in order. "last+1:*" always
// includes the highest UID even when it is not above last, hence the
// filter.
func newUIDs(c *imapclient.Client, last uint32) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search for new mail: %w", err)
	}
	var out []imap.UID
	for _, uid := range data.AllUIDs() {
		if uint32(uid) > last {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return out, nil
}

// deliver fetches one message, hands it to the receiver, and only then
// marks it seen or moves it.
func (p *Poller) deliver(ctx context.Context, c *imapclient.Client, m *tend.Mailbox, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	// The size first, so that a message over the limit is never
	// downloaded.
	if p.MaxMessageBytes > 0 {
		sizes, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		if err != nil {
			return fmt.Errorf("fetch the size of UID %d: %w", uid, err)
		}
		if len(sizes) == 0 {
			return nil // expunged meanwhile
		}
		if size := sizes[0].RFC822Size; size > p.MaxMessageBytes {
			p.Logger.Warn("imap: message over the size limit left in place", "mailbox", m.Address, "uid", uid, "bytes", size)
			return nil
		}
	}
	whole := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{whole}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch UID %d: %w", uid, err)
	}
	if len(msgs) == 0 {
		return nil // expunged meanwhile
	}
	raw := msgs[0].FindBodySection(whole)
	if _, err := p.Receiver.Receive(ctx, "imap", m.ID, []string{m.Address}, raw); err != nil {
		return fmt.Errorf("deliver UID %d: %w", uid, err)
	}
	if m.IMAP.DoneFolder != "" {
		if _, err := c.Move(set, m.IMAP.DoneFolder).Wait(); err != nil {
			return fmt.Errorf("move UID %d to %s: %w", uid, m.IMAP.DoneFolder, err)
		}
		return nil
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		return fmt.Errorf("mark UID %d seen: %w", uid, err)
	}
	return nil
}

// xoauth2 is the SASL mechanism Gmail and Microsoft 365 use for OAuth
// access tokens.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge with an empty response, as
// the mechanism requires, so that the server can report the failure.
func (x xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

var _ sasl.Client = xoauth2{}
