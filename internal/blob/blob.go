// Package blob keeps attachment content on disk, addressed by its SHA-256,
// so that a file sent a hundred times is stored once.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Store is a folder of content-addressed files.
type Store struct {
	dir string
}

// Open returns the store in dir, creating it and its 256 fan-out folders
// if needed: creating a folder while mail streams in would wait on the
// file system's journal.
func Open(dir string) (*Store, error) {
	for i := range 256 {
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("%02x", i)), 0o700); err != nil {
			return nil, fmt.Errorf("open blob store: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// path spreads files over 256 folders by their first byte, as Git does
// with its objects: a million files make some 4,000 a folder.
func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum)
}

// oldPath is where stores written before the 256-folder layout keep a
// file.
func (s *Store) oldPath(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum[2:4], sum)
}

// Put stores data and returns its SHA-256 in hex. The file is synced to
// disk before Put returns, so a database row that refers to it never
// outlives it.
func (s *Store) Put(data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, nil
	}
	if _, err := os.Stat(s.oldPath(sum)); err == nil {
		return sum, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return sum, syncDir(filepath.Dir(dst))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ErrNotFound is returned by Get for content the store does not hold.
var ErrNotFound = errors.New("blob: not found")

// Get opens the content with the given SHA-256.
func (s *Store) Get(sum string) (io.ReadSeekCloser, error) {
	if len(sum) != 64 {
		return nil, ErrNotFound
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, ErrNotFound
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(s.oldPath(sum))
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}
