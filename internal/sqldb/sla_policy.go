package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// SLAPolicyService implements tend.SLAPolicyService. Every change to the
// policies asks, in its own transaction, for the open tickets' deadlines
// to be laid out again (queueSLARecompute).
type SLAPolicyService struct {
	db *DB
}

// NewSLAPolicyService returns the policy service of db.
func NewSLAPolicyService(db *DB) *SLAPolicyService { return &SLAPolicyService{db: db} }

var _ tend.SLAPolicyService = (*SLAPolicyService)(nil)

const slaPolicyColumns = `id, name, position, calendar_id, conditions, targets, is_default, created_at, updated_at`

func scanSLAPolicy(r row) (*tend.SLAPolicy, error) {
	p := &tend.SLAPolicy{}
	var cond, targets string
	if err := r.Scan(&p.ID, &p.Name, &p.Position, &p.CalendarID, &cond, &targets, &p.Default, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cond), &p.Conditions); err != nil {
		return nil, fmt.Errorf("policy %d conditions: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(targets), &p.Targets); err != nil {
		return nil, fmt.Errorf("policy %d targets: %w", p.ID, err)
	}
	fillConditions(&p.Conditions)
	return p, nil
}

// fillConditions gives empty lists for those not set, so the API shows
// [] and {}, never null.
func fillConditions(c *tend.PolicyConditions) {
	if c.Priorities == nil {
		c.Priorities = []tend.Priority{}
	}
	if c.Tiers == nil {
		c.Tiers = []tend.Tier{}
	}
	if c.OrganizationIDs == nil {
		c.OrganizationIDs = []int64{}
	}
	if c.Channels == nil {
		c.Channels = []tend.Channel{}
	}
	if c.TeamIDs == nil {
		c.TeamIDs = []int64{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if c.Fields == nil {
		c.Fields = map[string][]string{}
	}
}

// emptyConditions reports whether c matches every ticket.
func emptyConditions(c *tend.PolicyConditions) bool {
	return len(c.Priorities) == 0 && len(c.Tiers) == 0 && len(c.OrganizationIDs) == 0 && len(c.Channels) == 0 &&
		len(c.TeamIDs) == 0 && len(c.Tags) == 0 && len(c.Fields) == 0
}

// findSLAPolicies reads every policy in the order they are tried, the
// default last (tend.SortPolicies).
func findSLAPolicies(ctx context.Context, q *Tx) ([]*tend.SLAPolicy, error) {
	list, err := queryAll(ctx, q, scanSLAPolicy, `SELECT `+slaPolicyColumns+` FROM sla_policies`)
	if err != nil {
		return nil, fmt.Errorf("find policies: %w", err)
	}
	tend.SortPolicies(list)
	return list, nil
}

func slaPolicyNotFound(id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "Service-level policy with id %d does not exist.", id)
}

func findSLAPolicy(ctx context.Context, q *Tx, id int64) (*tend.SLAPolicy, error) {
	p, err := scanSLAPolicy(q.queryRow(ctx, `SELECT `+slaPolicyColumns+` FROM sla_policies WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, slaPolicyNotFound(id)
	}
	return p, err
}

// FindSLAPolicies returns every policy in the order they are tried.
func (s *SLAPolicyService) FindSLAPolicies(ctx context.Context) ([]*tend.SLAPolicy, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var list []*tend.SLAPolicy
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = findSLAPolicies(ctx, q)
		return err
	})
	return list, err
}

// FindSLAPolicyByID returns one policy; ENOTFOUND if none.
func (s *SLAPolicyService) FindSLAPolicyByID(ctx context.Context, id int64) (*tend.SLAPolicy, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var p *tend.SLAPolicy
	err := s.db.read(ctx, func(q *Tx) (err error) {
		p, err = findSLAPolicy(ctx, q, id)
		return err
	})
	return p, err
}

// CreateSLAPolicy makes a policy: EINVALID naming what is wrong (also
// when a calendar, team, organization or field it names does not exist),
// ECONFLICT when another has its name.
func (s *SLAPolicyService) CreateSLAPolicy(ctx context.Context, in *tend.SLAPolicyInput) (*tend.SLAPolicy, error) {
	who, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	var p *tend.SLAPolicy
	err = s.db.writeSLASetup(ctx, func(tx *Tx) error {
		if err := checkPolicy(ctx, tx, in); err != nil {
			return err
		}
		cond, targets, err := policyJSON(in)
		if err != nil {
			return err
		}
		var id int64
		err = tx.queryRow(ctx, `INSERT INTO sla_policies (name, position, calendar_id, conditions, targets, is_default, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			in.Name, in.Position, in.CalendarID, cond, targets, false, tx.now).Scan(&id)
		p, err = savedPolicy(ctx, tx, who, id, in.Name, "created", err)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// savedPolicy finishes the creation or update (done) of policy id, whose
// statement returned err: the open tickets' deadlines are laid out again,
// the audit log notes it, and the policy is read back.
func savedPolicy(ctx context.Context, tx *Tx, who tend.Principal, id int64, name, done string, err error) (*tend.SLAPolicy, error) {
	if isUniqueViolation(err) {
		return nil, policyNameTaken(name)
	} else if err != nil {
		return nil, fmt.Errorf("save policy: %w", err)
	}
	if err := queueSLARecompute(ctx, tx, "the policies changed"); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, who, "sla_policy."+done, "sla_policy", id, map[string]any{"name": name}); err != nil {
		return nil, err
	}
	return findSLAPolicy(ctx, tx, id)
}

func policyNameTaken(name string) error {
	return tend.FieldError(tend.ECONFLICT, "name", "another policy is named %s; choose another name", name)
}

func policyJSON(in *tend.SLAPolicyInput) (cond, targets string, err error) {
	c := in.Conditions
	fillConditions(&c)
	b, err := json.Marshal(c)
	if err != nil {
		return "", "", err
	}
	t, err := json.Marshal(in.Targets)
	return string(b), string(t), err
}

// UpdateSLAPolicy changes a policy. The default policy's conditions stay
// empty (EINVALID otherwise); errors as CreateSLAPolicy.
func (s *SLAPolicyService) UpdateSLAPolicy(ctx context.Context, id int64, patch *tend.SLAPolicyPatch) (*tend.SLAPolicy, error) {
	who, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return nil, err
	}
	var p *tend.SLAPolicy
	err = s.db.writeSLASetup(ctx, func(tx *Tx) error {
		old, err := findSLAPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tend.StaleEdit("policy "+old.Name, patch.UpdatedAt, old.UpdatedAt); err != nil {
			return err
		}
		in := patch.Apply(old)
		in.Normalize()
		if old.Default && !emptyConditions(&in.Conditions) {
			return tend.FieldError(tend.EINVALID, "conditions",
				"the default policy covers every ticket no other policy matches, so it has no conditions; make another policy for these tickets")
		}
		if err := checkPolicy(ctx, tx, &in); err != nil {
			return err
		}
		cond, targets, err := policyJSON(&in)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE sla_policies SET name = $2, position = $3, calendar_id = $4, conditions = $5, targets = $6,
			updated_at = $7 WHERE id = $1`, id, in.Name, in.Position, in.CalendarID, cond, targets, tx.now)
		p, err = savedPolicy(ctx, tx, who, id, in.Name, "updated", err)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeleteSLAPolicy deletes a policy. EFORBIDDEN for the default one;
// ECONFLICT, saying how many and which, while open tickets are under it.
func (s *SLAPolicyService) DeleteSLAPolicy(ctx context.Context, id int64) error {
	who, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return err
	}
	return s.db.writeSLASetup(ctx, func(tx *Tx) error {
		old, err := findSLAPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Default {
			return tend.Errorf(tend.EFORBIDDEN, "%s is the default policy, which covers every ticket no other policy matches, and cannot be deleted; change its targets instead.", old.Name)
		}
		if err := refuseOpenTickets(ctx, tx, old); err != nil {
			return err
		}
		// Solved tickets under it keep naming it, as their history does;
		// a reopen chooses their policy again.
		if _, err := tx.exec(ctx, `DELETE FROM sla_policies WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete policy: %w", err)
		}
		if err := queueSLARecompute(ctx, tx, "the policies changed"); err != nil {
			return err
		}
		return tx.audit(ctx, who, "sla_policy.deleted", "sla_policy", id, map[string]any{"name": old.Name})
	})
}

// refuseOpenTickets returns ECONFLICT while unsolved tickets are under p,
// naming up to 10 of them.
func refuseOpenTickets(ctx context.Context, tx *Tx, p *tend.SLAPolicy) error {
	var a args
	a.add(p.ID)
	statuses := make([]string, len(tend.UnsolvedStatuses))
	for i, st := range tend.UnsolvedStatuses {
		statuses[i] = string(st)
	}
	unsolved := list(&a, statuses)
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ticket_sla ts JOIN tickets t ON t.id = ts.ticket_id
		WHERE ts.policy_id = $1 AND t.status IN (`+unsolved+`)`, a...).Scan(&n); err != nil {
		return fmt.Errorf("count tickets of policy: %w", err)
	}
	if n == 0 {
		return nil
	}
	numbers, err := queryAll(ctx, tx, func(r row) (n int64, err error) { return n, r.Scan(&n) },
		`SELECT t.number FROM ticket_sla ts JOIN tickets t ON t.id = ts.ticket_id
		WHERE ts.policy_id = $1 AND t.status IN (`+unsolved+`) ORDER BY t.number LIMIT 10`, a...)
	if err != nil {
		return fmt.Errorf("tickets of policy: %w", err)
	}
	said := make([]string, len(numbers))
	for i, num := range numbers {
		said[i] = "#" + strconv.FormatInt(num, 10)
	}
	more := ""
	if n > len(numbers) {
		more = fmt.Sprintf(" and %d more", n-len(numbers))
	}
	return tend.Errorf(tend.ECONFLICT, "%d open %s %s under %s (%s%s); solve %s, or change the policies so that another applies to %[7]s, first (the open tickets are laid out again a few seconds after such a change).",
		n, plural(n, "ticket", "tickets"), plural(n, "is", "are"), p.Name, strings.Join(said, ", "), more, plural(n, "it", "them"))
}

// checkPolicy validates in and checks what it names against the
// database (its calendar, teams, organizations and custom fields), so
// that one refusal says all that is wrong, and writes each field's values
// as the field stores them.
func checkPolicy(ctx context.Context, tx *Tx, in *tend.SLAPolicyInput) error {
	p := tend.Problems{}
	maps.Copy(p, tend.ErrorFields(in.Validate()))
	var exists bool
	if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM calendars WHERE id = $1)`, in.CalendarID).Scan(&exists); err != nil {
		return fmt.Errorf("find calendar: %w", err)
	}
	if !exists {
		p.Add("calendar_id", "calendar %d does not exist", in.CalendarID)
	}
	c := &in.Conditions
	if err := checkIDs(ctx, tx, p, "conditions.team_ids", "team", "teams", c.TeamIDs); err != nil {
		return err
	}
	if err := checkIDs(ctx, tx, p, "conditions.organization_ids", "organization", "organizations", c.OrganizationIDs); err != nil {
		return err
	}
	if len(c.Fields) > 0 {
		fields, err := findFields(ctx, tx)
		if err != nil {
			return err
		}
		for _, key := range slices.Sorted(maps.Keys(c.Fields)) {
			name := "conditions.fields." + key
			i := slices.IndexFunc(fields, func(f *tend.Field) bool { return f.Key == key })
			if i < 0 {
				p.Add(name, "%s is not a field of this desk", key)
				continue
			}
			values := c.Fields[key]
			for j, v := range values {
				stored, err := fields[i].Value(v)
				switch {
				case err != nil:
					p.Add(name, "%v", err)
				case stored == "":
					p.Add(name, "a value may not be empty")
				default:
					values[j] = stored
				}
			}
		}
	}
	return p.Err()
}

// checkIDs adds to p the first of ids that is not a row of table.
func checkIDs(ctx context.Context, tx *Tx, p tend.Problems, field, noun, table string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var a args
	found, err := queryAll(ctx, tx, scanID, `SELECT id FROM `+table+` WHERE id IN (`+list(&a, ids)+`)`, a...)
	if err != nil {
		return fmt.Errorf("find %s: %w", table, err)
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			p.Add(field, "%s %d does not exist", noun, id)
			break
		}
	}
	return nil
}
