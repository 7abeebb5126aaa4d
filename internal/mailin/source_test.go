package mailin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend/internal/mailin"
)

func TestFindSplitsMboxesAndOrdersByDate(t *testing.T) {
	dir := t.TempDir()
	mbox := "From a@example.org Mon Mar  2 11:00:00 2026\r\nDate: Tue, 03 Mar 2026 09:00:00 +0000\r\nSubject: later\r\n\r\n" +
		">From here on, quoted.\r\n>>From stays quoted once.\r\nFrom inside a line is fine\r\n\r\n" +
		"From b@example.org Mon Mar  2 10:00:00 2026\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nSubject: earlier\r\n\r\nhi\r\n"
	os.WriteFile(filepath.Join(dir, "box"), []byte(mbox), 0o644)
	os.WriteFile(filepath.Join(dir, "undated.eml"), []byte("Subject: undated\n\nx\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.eml"), nil, 0o644)
	found, err := mailin.Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range found {
		names = append(names, filepath.Base(s.Name))
	}
	if strings.Join(names, " ") != "box#2 empty.eml undated.eml box#1" {
		t.Fatalf("found %v, want mail by date, undated files placed after the mail found before them", names)
	}
	if !found[0].Date.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("date = %v", found[0].Date)
	}
	later, err := found[3].Read()
	if err != nil {
		t.Fatal(err)
	}
	want := "Date: Tue, 03 Mar 2026 09:00:00 +0000\r\nSubject: later\r\n\r\nFrom here on, quoted.\r\n>From stays quoted once.\r\nFrom inside a line is fine\r\n"
	if string(later) != want {
		t.Errorf("first mail = %q\nwant %q", later, want)
	}
	if empty, err := found[1].Read(); err != nil || len(empty) != 0 {
		t.Errorf("empty file read as %q, %v", empty, err)
	}
	if _, err := mailin.Find(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path gave no error")
	}
}
