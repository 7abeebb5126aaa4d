// Package secret seals values Tend must read back, such as the passwords
// of mail accounts it polls, so that a copy of the database alone does not
// give them away.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Box seals and opens values with AES-256-GCM.
type Box struct {
	aead    cipher.AEAD
	signing []byte // for Sign: derived, so that no value is ever sealed and signed with one key
}

// KeySize is the length of a key in bytes.
const KeySize = 32

// New returns a box for key, which must be KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// The nonce is random per value and travels in front of it.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	derive := hmac.New(sha256.New, key)
	derive.Write([]byte("tend signing key"))
	return &Box{aead: aead, signing: derive.Sum(nil)}, nil
}

// LoadKey returns the key in encoded (base64, as in TEND_SECRET_KEY) if it
// is set, or else the key in the file at path, creating the file with a
// new random key if it does not exist.
func LoadKey(encoded, path string) ([]byte, error) {
	if encoded != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("the secret key must be %d random bytes in base64 (openssl rand -base64 32)", KeySize)
		}
		return key, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		// A key file others may read (copied in by hand, say) is made the
		// owner's alone: it opens every stored password.
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, fi.Mode().Perm()&^0o077); err != nil {
				return nil, fmt.Errorf("make %s private: %w", path, err)
			}
		}
		return LoadKey(string(b), "")
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// The key is written to a temporary file and linked into place, so a
	// process starting at the same moment sees either no key or a whole
	// one; of two such processes, the first link wins and both use it.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return LoadKey("", path)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// Seal returns plaintext encrypted and encoded for storage; "" stays "".
func (b *Box) Seal(plaintext string) string {
	if plaintext == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b.aead.Seal(nil, nil, []byte(plaintext), nil))
}

// ErrCannotOpen means a sealed value was sealed with another key, or has
// been tampered with.
var ErrCannotOpen = errors.New("secret: cannot open: sealed with another key, or damaged")

// Open returns the plaintext of a value from Seal.
func (b *Box) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", ErrCannotOpen
	}
	plain, err := b.aead.Open(nil, nil, raw, nil)
	if err != nil {
		return "", ErrCannotOpen
	}
	return string(plain), nil
}

// Sign returns a signature of value for purpose that only a holder of the
// key can make: 80 bits of an HMAC-SHA256, in lower-case letters and
// digits, which survive in any mail address.
func (b *Box) Sign(purpose, value string) string {
	mac := hmac.New(sha256.New, b.signing)
	mac.Write([]byte(purpose))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	return strings.ToLower(base32.StdEncoding.EncodeToString(mac.Sum(nil)[:10]))
}
