package blob_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tendhq/tend/internal/blob"
)

func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("invoice 2026-11 for order 4411")
	sum, err := s.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	if sum != hex.EncodeToString(want[:]) {
		t.Fatalf("sum = %s, want the SHA-256 of the content", sum)
	}
	again, err := s.Put(data)
	if err != nil || again != sum {
		t.Fatalf("second Put = %s, %v", again, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("stored %d files for one content, want 1: %v", len(files), files)
	}
	f, err := s.Get(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != string(data) {
		t.Fatalf("Get returned %q", got)
	}
	for _, bad := range []string{"", "../../etc/passwd", sum[:63] + "x", "0000000000000000000000000000000000000000000000000000000000000000"} {
		if _, err := s.Get(bad); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(files[0])); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// Files stored under the earlier two-level layout are still found.
func TestGetReadsTheEarlierLayout(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("an attachment from before")
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	os.MkdirAll(filepath.Join(dir, sum[:2], sum[2:4]), 0o700)
	if err := os.WriteFile(filepath.Join(dir, sum[:2], sum[2:4], sum), data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := s.Get(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if again, err := s.Put(data); string(got) != string(data) || err != nil || again != sum {
		t.Fatalf("Get = %q; Put again = %s, %v", got, again, err)
	}
	if _, err := os.Stat(filepath.Join(dir, sum[:2], sum)); err == nil {
		t.Error("Put stored a second copy of content the store had")
	}
}
