package sqldb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Writes that share a commit stay independent: one that fails or panics
// leaves no trace, and the others are kept.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "tend.db"))
	if err != nil {
		t.Fatal(err)
	}
	insert := func(tx *Tx, key string) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, 'x')`, key)
		return err
	}
	if err := db.write(ctx, func(tx *Tx) error { return insert(tx, "taken") }); err != nil {
		t.Fatal(err)
	}
	const n = 60
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.write(ctx, func(tx *Tx) error {
				if err := insert(tx, fmt.Sprint("k", i)); err != nil {
					return err
				}
				switch i % 6 {
				case 1:
					return errors.New("refused after writing")
				case 2:
					panic("boom")
				case 3:
					return insert(tx, "taken") // a duplicate key: the statement fails
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var count int
	if err := db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'`).Scan(&count)
	}); err != nil {
		t.Fatal(err)
	}
	if count != n/2 {
		t.Errorf("%d rows kept, want %d", count, n/2)
	}
	for i := range n {
		var want string
		switch i % 6 {
		case 1:
			want = "refused after writing"
		case 2:
			if panics[i] == nil {
				t.Errorf("write %d did not panic in its caller", i)
			}
			continue
		case 3:
			want = "unique violation"
		}
		got := ""
		if errs[i] != nil {
			got = errs[i].Error()
		}
		if (want == "") != (got == "") || (want != "" && !strings.Contains(got, want)) {
			t.Errorf("write %d: error %q, want %q", i, got, want)
		}
		if panics[i] != nil {
			t.Errorf("write %d panicked: %v", i, panics[i])
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.write(ctx, func(*Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}
