package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tendhq/tend"
)

// FieldService implements tend.FieldService. A ticket's values are
// written by its change path (change.update, change.commit).
type FieldService struct {
	db *DB
}

// NewFieldService returns the field service of db.
func NewFieldService(db *DB) *FieldService { return &FieldService{db: db} }

var _ tend.FieldService = (*FieldService)(nil)

const fieldColumns = `id, key, label, type, choices, required, position, created_at, updated_at`

func scanField(r row) (*tend.Field, error) {
	f := &tend.Field{}
	var typ, choices string
	if err := r.Scan(&f.ID, &f.Key, &f.Label, &typ, &choices, &f.Required, &f.Position, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, err
	}
	f.Type = tend.FieldType(typ)
	if err := json.Unmarshal([]byte(choices), &f.Choices); err != nil {
		return nil, fmt.Errorf("field %d choices: %w", f.ID, err)
	}
	if f.Choices == nil {
		f.Choices = []string{}
	}
	return f, nil
}

// findFields reads every field in the order the ticket page shows them.
func findFields(ctx context.Context, q *Tx) ([]*tend.Field, error) {
	return queryAll(ctx, q, scanField, `SELECT `+fieldColumns+` FROM fields ORDER BY position, label, id`)
}

func fieldNotFound(id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "Field with id %d does not exist.", id)
}

// FindFields returns every field, in the order the ticket page shows them.
func (s *FieldService) FindFields(ctx context.Context) ([]*tend.Field, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var list []*tend.Field
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = findFields(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find fields: %w", err)
	}
	return list, nil
}

// FindFieldByID returns one field.
func (s *FieldService) FindFieldByID(ctx context.Context, id int64) (*tend.Field, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var f *tend.Field
	err := s.db.read(ctx, func(q *Tx) (err error) {
		f, err = findField(ctx, q, id)
		return err
	})
	return f, err
}

func findField(ctx context.Context, q *Tx, id int64) (*tend.Field, error) {
	f, err := scanField(q.queryRow(ctx, `SELECT `+fieldColumns+` FROM fields WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, fieldNotFound(id)
	}
	return f, err
}

// CreateField defines a field. Its key must be new.
func (s *FieldService) CreateField(ctx context.Context, in *tend.FieldInput) (*tend.Field, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var f *tend.Field
	err = s.db.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM fields`).Scan(&n); err != nil {
			return err
		}
		if n >= tend.MaxFields {
			return tend.Errorf(tend.ECONFLICT, "This desk has %d fields, the most it may have; delete one first.", n)
		}
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO fields (key, label, type, choices, required, position, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			in.Key, in.Label, string(in.Type), choiceText(in.Choices), in.Required, in.Position, tx.now).Scan(&id)
		if isUniqueViolation(err) {
			return tend.FieldError(tend.ECONFLICT, "key", "another field has the key %s", in.Key)
		} else if err != nil {
			return fmt.Errorf("create field: %w", err)
		}
		if err := tx.audit(ctx, p, "field.created", "field", id, map[string]any{"key": in.Key, "type": in.Type}); err != nil {
			return err
		}
		f, err = findField(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// UpdateField changes a field's label, choices, requirement and position.
// Its key and type stay: the values tickets hold are of that type, and
// scripts and saved views name the key. A choice that tickets hold
// cannot be taken away until they hold another.
func (s *FieldService) UpdateField(ctx context.Context, id int64, patch *tend.FieldPatch) (*tend.Field, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	var f *tend.Field
	err = s.db.write(ctx, func(tx *Tx) error {
		old, err := findField(ctx, tx, id)
		if err != nil {
			return err
		}
		in := patch.Apply(old)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		switch {
		case in.Key != old.Key:
			return tend.FieldError(tend.EINVALID, "key", "a field's key cannot change; it is %s", old.Key)
		case in.Type != old.Type:
			return tend.FieldError(tend.EINVALID, "type", "a field's type cannot change; it is %s. Make a new field instead", old.Type)
		}
		for _, c := range old.Choices {
			if slices.Contains(in.Choices, c) {
				continue
			}
			var held int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ticket_field_values WHERE field_id = $1 AND value = $2`,
				id, c).Scan(&held); err != nil {
				return err
			}
			if held > 0 {
				return tend.FieldError(tend.ECONFLICT, "choices",
					"%d tickets have %s %q; change them first, or keep the choice", held, old.Label, c)
			}
		}
		if in.Label == old.Label && slices.Equal(in.Choices, old.Choices) && in.Required == old.Required && in.Position == old.Position {
			f = old // nothing to change, nor to record
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE fields SET label = $2, choices = $3, required = $4, position = $5, updated_at = $6
			WHERE id = $1`, id, in.Label, choiceText(in.Choices), in.Required, in.Position, tx.now); err != nil {
			return fmt.Errorf("update field: %w", err)
		}
		if err := tx.audit(ctx, p, "field.updated", "field", id, map[string]any{"key": old.Key, "label": in.Label,
			"required": in.Required}); err != nil {
			return err
		}
		f, err = findField(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// DeleteField deletes a field and its values; tickets' histories keep
// what the values were.
func (s *FieldService) DeleteField(ctx context.Context, id int64) error {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		old, err := findField(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM ticket_field_values WHERE field_id = $1`, id); err != nil {
			return fmt.Errorf("delete field values: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM fields WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete field: %w", err)
		}
		return tx.audit(ctx, p, "field.deleted", "field", id, map[string]any{"key": old.Key, "label": old.Label})
	})
}

func choiceText(choices []string) string {
	if choices == nil {
		choices = []string{}
	}
	b, _ := json.Marshal(choices)
	return string(b)
}

// loadFieldValues fills the custom fields of tickets. A desk without
// fields reads only that it has none (every list does this, and the
// values' query with a page of ids costs half a millisecond on SQLite).
func loadFieldValues(ctx context.Context, q *Tx, tickets ...*tend.Ticket) error {
	if len(tickets) == 0 {
		return nil
	}
	fields, err := findFields(ctx, q)
	if err != nil {
		return err
	}
	return loadValuesOf(ctx, q, fields, tickets...)
}

// loadValuesOf fills the custom fields of tickets with their values of
// fields, read already.
func loadValuesOf(ctx context.Context, q *Tx, fields []*tend.Field, tickets ...*tend.Ticket) error {
	for _, t := range tickets {
		t.Fields = map[string]string{}
	}
	if len(fields) == 0 {
		return nil
	}
	keys := make(map[int64]string, len(fields))
	for _, f := range fields {
		keys[f.ID] = f.Key
	}
	byID := make(map[int64]*tend.Ticket, len(tickets))
	ids := make([]int64, 0, len(tickets))
	for _, t := range tickets {
		byID[t.ID] = t
		ids = append(ids, t.ID)
	}
	var a args
	type value struct {
		ticketID, fieldID int64
		value             string
	}
	values, err := queryAll(ctx, q, func(r row) (v value, err error) {
		return v, r.Scan(&v.ticketID, &v.fieldID, &v.value)
	}, `SELECT ticket_id, field_id, value FROM ticket_field_values WHERE ticket_id IN (`+list(&a, ids)+`)`, a...)
	if err != nil {
		return fmt.Errorf("load field values: %w", err)
	}
	for _, v := range values {
		byID[v.ticketID].Fields[keys[v.fieldID]] = v.value
	}
	return nil
}

// saveFieldValues writes back the values of t that differ from was's.
func saveFieldValues(ctx context.Context, tx *Tx, fields []*tend.Field, t *tend.Ticket, was map[string]string) error {
	if maps.Equal(t.Fields, was) {
		return nil
	}
	var err error
	for _, f := range fields {
		now, then := t.Fields[f.Key], was[f.Key]
		switch {
		case now == then:
		case now == "":
			_, err = tx.exec(ctx, `DELETE FROM ticket_field_values WHERE ticket_id = $1 AND field_id = $2`, t.ID, f.ID)
		case then == "":
			_, err = tx.exec(ctx, `INSERT INTO ticket_field_values (ticket_id, field_id, value) VALUES ($1, $2, $3)`,
				t.ID, f.ID, now)
		default:
			_, err = tx.exec(ctx, `UPDATE ticket_field_values SET value = $3 WHERE ticket_id = $1 AND field_id = $2`,
				t.ID, f.ID, now)
		}
		if err != nil {
			return fmt.Errorf("save field %s: %w", f.Key, err)
		}
	}
	return nil
}

// storedFieldFilter checks a list's field filter against the fields and
// returns it with its values written as stored (12.50 finds 12.5).
func (db *DB) storedFieldFilter(ctx context.Context, filter map[string]string) (map[string]string, error) {
	if len(filter) == 0 {
		return filter, nil
	}
	var fields []*tend.Field
	if err := db.read(ctx, func(q *Tx) (err error) {
		fields, err = findFields(ctx, q)
		return err
	}); err != nil {
		return nil, fmt.Errorf("find fields: %w", err)
	}
	p := tend.Problems{}
	stored := make(map[string]string, len(filter))
	var err error
	for key, v := range filter {
		i := slices.IndexFunc(fields, func(f *tend.Field) bool { return f.Key == key })
		if i < 0 {
			p.Add("field."+key, "is not a field of this desk")
			continue
		}
		if stored[key], err = fields[i].Value(v); err != nil {
			p.Add("field."+key, "%v", err)
		}
	}
	return stored, p.Err()
}

// fieldWhere returns the conditions that select the tickets whose fields
// have the values of a stored filter.
func fieldWhere(a *args, filter map[string]string) []string {
	var where []string
	for _, key := range slices.Sorted(maps.Keys(filter)) {
		where = append(where, "t.id IN (SELECT v.ticket_id FROM ticket_field_values v JOIN fields f ON f.id = v.field_id"+
			" WHERE f.key = "+a.add(key)+" AND v.value = "+a.add(filter[key])+")")
	}
	return where
}
