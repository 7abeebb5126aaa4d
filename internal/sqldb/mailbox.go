package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// MailboxService implements tend.MailboxService, and what the SMTP
// listener and the IMAP poller need of mailboxes.
type MailboxService struct {
	db *DB
	// Secrets seals IMAP passwords and tokens.
	Secrets Sealer
}

// Sealer encrypts values Tend must read back.
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// NewMailboxService returns the mailbox service of db.
func NewMailboxService(db *DB, secrets Sealer) *MailboxService {
	return &MailboxService{db: db, Secrets: secrets}
}

var _ tend.MailboxService = (*MailboxService)(nil)

const mailboxColumns = `id, address, name, team_id, imap_host, imap_port, imap_security, imap_username, imap_auth,
	imap_folder, imap_done_folder, imap_uidvalidity, imap_last_uid, imap_last_success_at, imap_last_error,
	imap_last_error_at,
	COALESCE((SELECT signature FROM mailbox_texts WHERE mailbox_id = mailboxes.id), ''),
	COALESCE((SELECT acknowledgement FROM mailbox_texts WHERE mailbox_id = mailboxes.id), ''),
	created_at, updated_at`

func scanMailbox(r row) (*tend.Mailbox, error) {
	m := &tend.Mailbox{}
	var i tend.IMAP
	var uidValidity, lastUID int64
	err := r.Scan(&m.ID, &m.Address, &m.Name, &m.TeamID, &i.Host, &i.Port, &i.Security, &i.Username, &i.Auth,
		&i.Folder, &i.DoneFolder, &uidValidity, &lastUID, &i.LastSuccessAt, &i.LastError, &i.LastErrorAt,
		&m.Signature, &m.Acknowledgement, &m.CreatedAt, &m.UpdatedAt)
	i.UIDValidity, i.LastUID = uint32(uidValidity), uint32(lastUID)
	if i.Host != "" {
		m.IMAP = &i
	}
	return m, err
}

// FindMailboxes returns every mailbox, by address.
func (s *MailboxService) FindMailboxes(ctx context.Context) ([]*tend.Mailbox, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var list []*tend.Mailbox
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = queryAll(ctx, q, scanMailbox, `SELECT `+mailboxColumns+` FROM mailboxes ORDER BY address`)
		return err
	})
	return list, err
}

// FindMailboxByID returns ENOTFOUND if there is no such mailbox.
func (s *MailboxService) FindMailboxByID(ctx context.Context, id int64) (*tend.Mailbox, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var m *tend.Mailbox
	err := s.db.read(ctx, func(q *Tx) (err error) {
		m, err = findMailbox(ctx, q, "id = $1", id)
		return err
	})
	return m, err
}

func findMailbox(ctx context.Context, q *Tx, where string, arg any) (*tend.Mailbox, error) {
	m, err := scanMailbox(q.queryRow(ctx, `SELECT `+mailboxColumns+` FROM mailboxes WHERE `+where, arg))
	if errors.Is(err, errNoRows) {
		return nil, tend.Errorf(tend.ENOTFOUND, "No mailbox matches %v.", arg)
	}
	return m, err
}

// MailboxForRecipient returns the mailbox that receives mail sent to
// address: the mailbox's own address, or a plus address of it carrying a
// reply token. It returns ENOTFOUND for any other address.
func (s *MailboxService) MailboxForRecipient(ctx context.Context, address string) (*tend.Mailbox, error) {
	address = tend.NormalizeEmail(address)
	var m *tend.Mailbox
	err := s.db.read(ctx, func(q *Tx) (err error) {
		m, err = findMailbox(ctx, q, "address = $1", address)
		if tend.ErrorCode(err) == tend.ENOTFOUND {
			if at, plus := strings.LastIndexByte(address, '@'), strings.IndexByte(address, '+'); plus > 0 && plus < at {
				m, err = findMailbox(ctx, q, "address = $1", address[:plus]+address[at:])
			}
		}
		return err
	})
	return m, err
}

// CreateMailbox needs PermManageSettings.
func (s *MailboxService) CreateMailbox(ctx context.Context, c *tend.MailboxCreate) (*tend.Mailbox, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var m *tend.Mailbox
	err = s.db.write(ctx, func(tx *Tx) error {
		if c.TeamID != nil {
			if err := checkTeam(ctx, tx, *c.TeamID); err != nil {
				return err
			}
		}
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO mailboxes (address, name, team_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, c.Address, c.Name, c.TeamID, tx.now).Scan(&id)
		if isUniqueViolation(err) {
			return tend.FieldError(tend.ECONFLICT, "address", "%s is a mailbox already", c.Address)
		} else if err != nil {
			return fmt.Errorf("create mailbox: %w", err)
		}
		if err := s.setIMAP(ctx, tx, id, c.IMAP); err != nil {
			return err
		}
		if err := setMailboxTexts(ctx, tx, id, &c.Signature, &c.Acknowledgement); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "mailbox.created", "mailbox", id, map[string]any{"address": c.Address}); err != nil {
			return err
		}
		m, err = findMailbox(ctx, tx, "id = $1", id)
		return err
	})
	return m, err
}

// UpdateMailbox needs PermManageSettings.
func (s *MailboxService) UpdateMailbox(ctx context.Context, id int64, u *tend.MailboxUpdate) (*tend.Mailbox, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var m *tend.Mailbox
	err = s.db.write(ctx, func(tx *Tx) error {
		if _, err := findMailbox(ctx, tx, "id = $1", id); err != nil {
			return err
		}
		if u.TeamID != nil && *u.TeamID != 0 {
			if err := checkTeam(ctx, tx, *u.TeamID); err != nil {
				return err
			}
		}
		var a args
		sets := []string{"updated_at = " + a.add(tx.now)}
		if u.Address != nil {
			sets = append(sets, "address = "+a.add(*u.Address))
		}
		if u.Name != nil {
			sets = append(sets, "name = "+a.add(*u.Name))
		}
		if u.TeamID != nil {
			sets = append(sets, "team_id = "+a.add(tend.OptionalID(*u.TeamID)))
		}
		_, err := tx.exec(ctx, `UPDATE mailboxes SET `+strings.Join(sets, ", ")+` WHERE id = `+a.add(id), a...)
		if isUniqueViolation(err) {
			return tend.FieldError(tend.ECONFLICT, "address", "%s is a mailbox already", *u.Address)
		} else if err != nil {
			return fmt.Errorf("update mailbox: %w", err)
		}
		if u.IMAP != nil {
			if err := s.setIMAP(ctx, tx, id, u.IMAP); err != nil {
				return err
			}
		}
		if err := setMailboxTexts(ctx, tx, id, u.Signature, u.Acknowledgement); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "mailbox.updated", "mailbox", id, map[string]any{"address": u.Address, "imap": u.IMAP != nil}); err != nil {
			return err
		}
		m, err = findMailbox(ctx, tx, "id = $1", id)
		return err
	})
	return m, err
}

// setIMAP stores a mailbox's IMAP account; an empty host stops polling. A
// new host, account or folder starts reading it afresh, and a new host or
// account forgets how polling the old one went. The stored secret
// is kept only for the same account (tend.IMAPInput.NeedsSecret); a change
// of where it would be sent without a new one is EINVALID.
func (s *MailboxService) setIMAP(ctx context.Context, tx *Tx, id int64, in *tend.IMAPInput) error {
	if in == nil {
		return nil
	}
	if in.Host == "" {
		_, err := tx.exec(ctx, `UPDATE mailboxes SET imap_host = '', imap_secret = '', imap_uidvalidity = 0, imap_last_uid = 0,
			imap_last_error = '', imap_last_error_at = NULL, imap_last_success_at = NULL WHERE id = $1`, id)
		return err
	}
	was, err := findMailbox(ctx, tx, "id = $1", id)
	if err != nil {
		return err
	}
	var stored string
	if err := tx.queryRow(ctx, `SELECT imap_secret FROM mailboxes WHERE id = $1`, id).Scan(&stored); err != nil {
		return err
	}
	if in.NeedsSecret(was.IMAP, stored != "") {
		what := "password or token"
		if was.IMAP != nil && stored != "" {
			what = "password or token again: the stored one is only sent to the server, port, security, user and sign-in method it was given for"
		}
		return tend.FieldError(tend.EINVALID, "imap.secret", "give the account's %s", what)
	}
	secret := ""
	if in.Secret != "" {
		if s.Secrets == nil {
			return errors.New("set IMAP account: no secret key to seal its password with")
		}
		secret = s.Secrets.Seal(in.Secret)
	}
	_, err = tx.exec(ctx, `UPDATE mailboxes SET
		imap_uidvalidity = CASE WHEN LOWER(imap_host) = $2 AND imap_username = $5 AND imap_folder = $7 THEN imap_uidvalidity ELSE 0 END,
		imap_last_uid = CASE WHEN LOWER(imap_host) = $2 AND imap_username = $5 AND imap_folder = $7 THEN imap_last_uid ELSE 0 END,
		imap_last_error = CASE WHEN LOWER(imap_host) = $2 AND imap_username = $5 THEN imap_last_error ELSE '' END,
		imap_last_error_at = CASE WHEN LOWER(imap_host) = $2 AND imap_username = $5 THEN imap_last_error_at ELSE NULL END,
		imap_last_success_at = CASE WHEN LOWER(imap_host) = $2 AND imap_username = $5 THEN imap_last_success_at ELSE NULL END,
		imap_host = $2, imap_port = $3, imap_security = $4, imap_username = $5, imap_auth = $6, imap_folder = $7,
		imap_done_folder = $8, imap_secret = CASE WHEN $9 = '' THEN imap_secret ELSE $9 END
		WHERE id = $1`, id, in.Host, in.Port, in.Security, in.Username, in.Auth, in.Folder, in.DoneFolder, secret)
	return err
}

// IMAPAccount returns a mailbox's IMAP settings with the secret opened, for
// the poller.
func (s *MailboxService) IMAPAccount(ctx context.Context, id int64) (*tend.Mailbox, string, error) {
	var m *tend.Mailbox
	var sealed string
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if m, err = findMailbox(ctx, q, "id = $1", id); err != nil {
			return err
		}
		return q.queryRow(ctx, `SELECT imap_secret FROM mailboxes WHERE id = $1`, id).Scan(&sealed)
	})
	if err != nil || sealed == "" {
		return m, "", err
	}
	if s.Secrets == nil {
		return m, "", errors.New("no secret key to open the IMAP password with")
	}
	secret, err := s.Secrets.Open(sealed)
	return m, secret, err
}

// RecordIMAPPoll records how a poll of a mailbox went: the folder's
// UIDVALIDITY and the last UID delivered, or the error that stopped it.
func (s *MailboxService) RecordIMAPPoll(ctx context.Context, id int64, uidValidity, lastUID uint32, pollErr error) error {
	return s.db.write(ctx, func(tx *Tx) error {
		if pollErr != nil {
			msg := pollErr.Error()
			if len(msg) > 1000 {
				msg = msg[:1000]
			}
			_, err := tx.exec(ctx, `UPDATE mailboxes SET imap_last_error = $2, imap_last_error_at = $3 WHERE id = $1`,
				id, strings.ToValidUTF8(msg, "?"), tx.now)
			return err
		}
		_, err := tx.exec(ctx, `UPDATE mailboxes SET imap_uidvalidity = $2, imap_last_uid = $3, imap_last_success_at = $4,
			imap_last_error = '' WHERE id = $1`, id, int64(uidValidity), int64(lastUID), tx.now)
		return err
	})
}

// defaultMailbox returns the mailbox that mail about a ticket goes out
// from when the ticket came in another way: the oldest one, or nil.
func defaultMailbox(ctx context.Context, tx *Tx) (*tend.Mailbox, error) {
	m, err := scanMailbox(tx.queryRow(ctx, `SELECT `+mailboxColumns+` FROM mailboxes ORDER BY id LIMIT 1`))
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	return m, err
}

// mailboxFor returns the mailbox of a ticket, or the default one.
func mailboxFor(ctx context.Context, tx *Tx, t *tend.Ticket) (*tend.Mailbox, error) {
	if t.MailboxID != nil {
		m, err := findMailbox(ctx, tx, "id = $1", *t.MailboxID)
		if err == nil || tend.ErrorCode(err) != tend.ENOTFOUND {
			return m, err
		}
	}
	return defaultMailbox(ctx, tx)
}

// setMailboxTexts sets the mailbox's signature and acknowledgement; nil
// leaves one as it is.
func setMailboxTexts(ctx context.Context, tx *Tx, id int64, signature, acknowledgement *string) error {
	if signature == nil && acknowledgement == nil {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO mailbox_texts (mailbox_id, updated_at) VALUES ($1, $2)
		ON CONFLICT (mailbox_id) DO NOTHING`, id, tx.now); err != nil {
		return err
	}
	var a args
	sets := []string{"updated_at = " + a.add(tx.now)}
	if signature != nil {
		sets = append(sets, "signature = "+a.add(*signature))
	}
	if acknowledgement != nil {
		sets = append(sets, "acknowledgement = "+a.add(*acknowledgement))
	}
	_, err := tx.exec(ctx, `UPDATE mailbox_texts SET `+strings.Join(sets, ", ")+` WHERE mailbox_id = `+a.add(id), a...)
	return err
}
