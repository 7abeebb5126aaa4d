package sqldb

import (
	"context"
	"crypto/subtle"
	"errors"
	"strconv"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
)

// SettingsService implements tend.SettingsService, tend.SetupService and
// tend.AuditService.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns the settings service of db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

var (
	_ tend.SettingsService = (*SettingsService)(nil)
	_ tend.SetupService    = (*SettingsService)(nil)
	_ tend.AuditService    = (*SettingsService)(nil)
)

// DefaultName is the help desk's name until an admin sets one.
const DefaultName = "Tend"

func getSetting(ctx context.Context, q *Tx, key string) (string, error) {
	var v string
	err := q.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, errNoRows) {
		return "", nil
	}
	return v, err
}

func setSetting(ctx context.Context, tx *Tx, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// FindSettings returns the settings; all staff may read them.
func (s *SettingsService) FindSettings(ctx context.Context) (*tend.Settings, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	st := &tend.Settings{}
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if st.Name, err = getSetting(ctx, q, "name"); err != nil {
			return err
		}
		if st.BaseURL, err = getSetting(ctx, q, "base_url"); err != nil {
			return err
		}
		share, err := warnShare(ctx, q)
		if err != nil {
			return err
		}
		st.SLAWarnPercent = int(share*100 + 0.5)
		st.AutoCloseDays, err = autoCloseDays(ctx, q)
		return err
	})
	if st.Name == "" {
		st.Name = DefaultName
	}
	return st, err
}

// UpdateSettings needs PermManageSettings.
func (s *SettingsService) UpdateSettings(ctx context.Context, st *tend.Settings) (*tend.Settings, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	st.Normalize()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	err = s.db.writeSLASetup(ctx, func(tx *Tx) error {
		if err := setSetting(ctx, tx, "name", st.Name); err != nil {
			return err
		}
		if err := setSetting(ctx, tx, "base_url", st.BaseURL); err != nil {
			return err
		}
		if err := setSetting(ctx, tx, "sla_warn_percent", strconv.Itoa(st.SLAWarnPercent)); err != nil {
			return err
		}
		if err := setSetting(ctx, tx, "auto_close_days", strconv.Itoa(st.AutoCloseDays)); err != nil {
			return err
		}
		return tx.audit(ctx, p, "settings.updated", "settings", 0, st)
	})
	return st, err
}

// NewSetupToken replaces any earlier setup token. It returns ECONFLICT once
// an active admin exists.
func (s *SettingsService) NewSetupToken(ctx context.Context) (string, error) {
	secret := newSecret()
	err := s.db.write(ctx, func(tx *Tx) error {
		if err := requireNoAdmin(ctx, tx); err != nil {
			return err
		}
		return setSetting(ctx, tx, "setup_token_hash", hashSecret(secret))
	})
	return secret, err
}

func requireNoAdmin(ctx context.Context, q *Tx) error {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active = TRUE`).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return tend.Errorf(tend.ECONFLICT, "Tend is set up already; sign in instead.")
	}
	return nil
}

func checkSetupToken(ctx context.Context, q *Tx, secret string) error {
	if err := requireNoAdmin(ctx, q); err != nil {
		return err
	}
	want, err := getSetting(ctx, q, "setup_token_hash")
	if err != nil {
		return err
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(hashSecret(secret))) != 1 {
		return tend.Errorf(tend.EUNAUTHORIZED, "This setup link is not valid. Restart Tend to print a new one.")
	}
	return nil
}

// CheckSetupToken returns EUNAUTHORIZED unless secret is the current setup
// token, and ECONFLICT once an admin exists.
func (s *SettingsService) CheckSetupToken(ctx context.Context, secret string) error {
	return s.db.read(ctx, func(q *Tx) error { return checkSetupToken(ctx, q, secret) })
}

// CompleteSetup creates the first admin and spends the token.
func (s *SettingsService) CompleteSetup(ctx context.Context, secret string, c *tend.AgentCreate) (*tend.Agent, error) {
	c.Role = tend.RoleAdmin
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Password == "" {
		return nil, tend.FieldError(tend.EINVALID, "password", "is required")
	}
	hash, err := password.Hash(c.Password, s.db.PasswordParams)
	if err != nil {
		return nil, err
	}
	var agent *tend.Agent
	err = s.db.write(ctx, func(tx *Tx) error {
		if err := checkSetupToken(ctx, tx, secret); err != nil {
			return err
		}
		// Spend the token; of two uses at once, only one deletes it.
		n, err := tx.exec(ctx, `DELETE FROM settings WHERE key = 'setup_token_hash' AND value = $1`, hashSecret(secret))
		if err != nil {
			return err
		} else if n != 1 {
			return tend.Errorf(tend.ECONFLICT, "Tend is set up already; sign in instead.")
		}
		agent, err = createAgent(ctx, tx, tend.Principal{System: true}, c, hash)
		return err
	})
	return agent, err
}

// FindAuditEntries returns the audit log, newest first. It needs
// PermReadAudit.
func (s *SettingsService) FindAuditEntries(ctx context.Context, cur string, limit int) ([]*tend.AuditEntry, string, error) {
	if _, err := tend.Require(ctx, tend.PermReadAudit); err != nil {
		return nil, "", err
	}
	var a args
	where := "1 = 1"
	if cur != "" {
		c, err := parseCursor(cur, false)
		if err != nil {
			return nil, "", err
		}
		where = "id < " + a.add(c.id)
	}
	limit = pageSize(limit)
	var entries []*tend.AuditEntry
	err := s.db.read(ctx, func(q *Tx) (err error) {
		entries, err = queryAll(ctx, q, scanAuditEntry, `SELECT id, actor_type, actor_id, action, subject_type, subject_id, data,
			created_at FROM audit_log WHERE `+where+` ORDER BY id DESC LIMIT `+a.add(limit+1), a...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	entries, next := pageOf(entries, limit, func(e *tend.AuditEntry) cursor { return cursor{id: e.ID} })
	return entries, next, nil
}

func scanAuditEntry(r row) (*tend.AuditEntry, error) {
	e := &tend.AuditEntry{}
	var actorType, data string
	err := r.Scan(&e.ID, &actorType, &e.ActorID, &e.Action, &e.SubjectType, &e.SubjectID, &data, &e.CreatedAt)
	e.ActorType, e.Data = tend.AuthorType(actorType), []byte(data)
	return e, err
}
