package secret_test

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tendhq/tend/internal/secret"
)

func TestSealOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	key, err := secret.LoadKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := secret.LoadKey("", path)
	if err != nil || string(again) != string(key) {
		t.Fatalf("the key file is not read back: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	box, _ := secret.New(key)
	sealed := box.Seal("imap password")
	if sealed == "imap password" || sealed == box.Seal("imap password") {
		t.Fatalf("sealing is not encrypting with a fresh nonce: %q", sealed)
	}
	if plain, err := box.Open(sealed); err != nil || plain != "imap password" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	other, _ := secret.New(make([]byte, secret.KeySize))
	if _, err := other.Open(sealed); !errors.Is(err, secret.ErrCannotOpen) {
		t.Fatalf("another key opened it: %v", err)
	}
	if _, err := secret.LoadKey("not base64!", ""); err == nil {
		t.Fatal("a malformed TEND_SECRET_KEY was accepted")
	}
}

// Servers and commands started together on a new data folder must all end
// up with the one key that was written, never a half-written file.
func TestLoadKeyConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	keys := make([][]byte, 16)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = secret.LoadKey("", path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatalf("LoadKey %d: %v", i, errs[i])
		}
		if string(keys[i]) != string(keys[0]) {
			t.Fatalf("LoadKey %d got a different key than LoadKey 0", i)
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".secret-key-*"))
	if len(left) > 0 {
		t.Errorf("temporary key files left behind: %v", left)
	}
}

// A value stays readable across versions: 12 random nonce bytes, then the
// AES-GCM ciphertext and tag, in base64.
func TestSealedFormat(t *testing.T) {
	key := make([]byte, secret.KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := []byte("twelve bytes")
	stored := base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte("imap password"), nil))
	box, _ := secret.New(key)
	if plain, err := box.Open(stored); err != nil || plain != "imap password" {
		t.Fatalf("a value in the stored format opens as %q, %v", plain, err)
	}
}

// A key file others may read is made the owner's alone when it is loaded.
func TestLoadKeyMakesTheFilePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if _, err := secret.LoadKey("", path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := secret.LoadKey("", path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file has mode %v (%v), want 600", fi.Mode().Perm(), err)
	}
}

func TestSign(t *testing.T) {
	key := make([]byte, secret.KeySize)
	a, _ := secret.New(key)
	key[0] = 1
	b, _ := secret.New(key)
	sig := a.Sign("bounce", "42")
	if len(sig) != 16 || strings.ToLower(sig) != sig || strings.ContainsAny(sig, "=+/") {
		t.Fatalf("Sign = %q: want 16 lower-case letters and digits", sig)
	}
	if a.Sign("bounce", "42") != sig {
		t.Error("the same value signs differently")
	}
	for what, other := range map[string]string{"another value": a.Sign("bounce", "43"), "another purpose": a.Sign("reply", "42"),
		"another key": b.Sign("bounce", "42"), "purpose and value run together": a.Sign("bounce4", "2")} {
		if other == sig {
			t.Errorf("%s gives the same signature", what)
		}
	}
}
