package smtpd

import (
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

// spoolData copies the DATA of a message to a new file in the spool and
// returns it with the message's size. The file is returned, for the caller
// to close and remove, whenever it was created. It is not synced: it only
// stands in for memory, and the 250 waits for the receiver's commit.
func (b *backend) spoolData(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(b.spool, spoolPattern) // 0600
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", errSpool, err)
	}
	src := &readErr{r: r}
	n, err := io.Copy(f, src)
	if err != nil && src.err == nil {
		err = fmt.Errorf("%w: %w", errSpool, err)
	}
	return f, n, err
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
