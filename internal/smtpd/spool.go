package smtpd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// spoolPattern names the files of mail being received.
const spoolPattern = "smtp-*.eml"

// errSpool marks a failure to write the spool, as opposed to one of the
// connection the mail comes over.
var errSpool = errors.New("spool")

// openSpool creates the spool folder, readable by Tend alone, and removes
// the mail that a server before this one left in it.
func openSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create SMTP spool: %w", err)
	}
	left, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return err
	}
	for _, name := range left {
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("empty SMTP spool: %w", err)
		}
	}
	return nil
}

// heldInMemory is how much of a mail is kept in memory before it goes to
// the spool. Most mail is smaller and then never touches the disk, which
// saves a file made and removed per mail (a quarter of the listener's CPU
// time on the corpus mix); 100 sessions hold at most 12.5 MiB so.
const heldInMemory = 128 << 10

// spooled is a message as received: in memory when small, else in a file
// of the spool, for the caller to close and remove.
type spooled struct {
	data []byte
	file *os.File
	size int64
}

// spoolData reads the DATA of a message, into memory up to heldInMemory
// and into a new file in the spool beyond. The file is not synced: it only
// stands in for memory, and the 250 waits for the receiver's commit. It is
// returned, for the caller to close and remove, whenever it was created.
func (b *backend) spoolData(r io.Reader) (*spooled, error) {
	src := &readErr{r: r}
	var head bytes.Buffer
	n, err := io.CopyN(&head, src, heldInMemory+1)
	if err == io.EOF {
		return &spooled{data: head.Bytes(), size: n}, nil
	} else if err != nil {
		return nil, err // the connection's, or 552 for a message over the size limit
	}
	f, err := os.CreateTemp(b.spool, spoolPattern) // 0600
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSpool, err)
	}
	sp := &spooled{file: f}
	if _, err := f.Write(head.Bytes()); err != nil {
		return sp, fmt.Errorf("%w: %w", errSpool, err)
	}
	rest, err := io.Copy(f, src)
	if err != nil && src.err == nil {
		err = fmt.Errorf("%w: %w", errSpool, err)
	}
	sp.size = n + rest
	return sp, err
}

// readAt reads the message into p, which holds sp.size bytes.
func (sp *spooled) readAt(p []byte) error {
	if sp.file == nil {
		copy(p, sp.data)
		return nil
	}
	_, err := sp.file.ReadAt(p, 0)
	return err
}

// readErr keeps the error of its reader, to tell it from a write's.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
