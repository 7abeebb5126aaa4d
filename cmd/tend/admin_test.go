package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setUpDesk makes the database of st as a first 'tend serve' does.
func setUpDesk(t *testing.T, st storage) {
	t.Helper()
	a, err := openApp(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// storageArgs returns the flags that point a command at st.
func storageArgs(st storage) []string {
	args := []string{"--data", st.data}
	if st.db != "" {
		args = append(args, "--db", st.db)
	}
	return args
}

// user create and token create work on a desk that tend serve set up; a
// wrong --data or --db is refused with the database named, and nothing
// is made there.
func TestUserAndTokenNeedADesk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		missing := filepath.Join(t.TempDir(), "typo")
		empty := t.TempDir()
		for _, data := range []string{missing, empty} {
			wrong := storage{data: data, db: st.db}
			for _, args := range [][]string{
				{"user", "create", "--email", "ana@example.com", "--name", "Ana", "--role", "admin", "--password-stdin"},
				{"token", "create", "--email", "ana@example.com", "--name", "ci"},
				{"mail", "import", "--mailbox", "support@example.com"},
			} {
				var out bytes.Buffer
				full := append(args, storageArgs(wrong)...)
				if args[0] == "mail" {
					full = append(full, filepath.Join(empty, "none.eml"))
				}
				err := run(context.Background(), full, strings.NewReader("a long password\n"), &out, io.Discard)
				if err == nil {
					t.Fatalf("%s with --data %s: no error; it printed %q", args[0], data, out.String())
				}
				if !strings.Contains(err.Error(), "no Tend database") || !strings.Contains(err.Error(), wrong.describe()) {
					t.Errorf("%s with --data %s: %v; want it to say there is no Tend database in %s", args[0], data, err, wrong.describe())
				}
			}
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Errorf("the missing data folder was made: %v", err)
		}
		if entries, _ := os.ReadDir(empty); len(entries) > 0 {
			t.Errorf("the empty data folder now holds %v", entries)
		}
		if st.db != "" {
			// The empty PostgreSQL schema was left empty: a desk set up
			// there afterwards takes the address.
			setUpDesk(t, st)
			args := append([]string{"user", "create", "--email", "ana@example.com", "--name", "Ana", "--role", "admin"}, storageArgs(st)...)
			if err := run(context.Background(), args, nil, io.Discard, io.Discard); err != nil {
				t.Fatalf("user create on the desk set up afterwards: %v", err)
			}
		}
	})
}

// token create for an address the desk does not know names the database
// it looked in, so that a wrong --data or --db shows.
func TestTokenForUnknownAddressNamesTheDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		setUpDesk(t, st)
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"token", "create", "--email", "nobody@example.com", "--name", "ci"}, storageArgs(st)...),
			nil, &out, io.Discard)
		if err == nil {
			t.Fatalf("no error; it printed %q", out.String())
		}
		if !strings.Contains(err.Error(), "nobody@example.com") || !strings.Contains(err.Error(), st.describe()) {
			t.Errorf("error %q; want it to name the address and %s", err, st.describe())
		}
		if out.Len() > 0 {
			t.Errorf("printed %q", out.String())
		}
	})
}

// describe names the database for messages: a SQLite file by its full
// path, a PostgreSQL URL without its password.
func TestDescribeStorage(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		st   storage
		want string
	}{
		{storage{data: "./tend-data"}, "SQLite " + filepath.Join(wd, "tend-data", "tend.db")},
		{storage{data: "/srv/tend"}, "SQLite /srv/tend/tend.db"},
		{storage{db: "postgres://tend:s3cret@db.internal:5432/tend"}, "PostgreSQL postgres://tend@db.internal:5432/tend"},
		{storage{db: "postgres://db.internal/tend?sslmode=require&password=s3cret"}, "PostgreSQL postgres://db.internal/tend?sslmode=require"},
		{storage{db: "postgresql://tend@db.internal/tend"}, "PostgreSQL postgresql://tend@db.internal/tend"},
	} {
		if got := tc.st.describe(); got != tc.want {
			t.Errorf("describe(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}
