package mailin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Stored is one mail in a file: a whole mail file, or a stretch of an
// mbox.
type Stored struct {
	Name string    // the file, and within an mbox the mail's place: "archive.mbox#12"
	Date time.Time // from its Date header; zero when it has none
	path string
	// offset and size bound the mail in an mbox; size -1 is the whole file.
	offset, size int64
}

// Read returns the mail as it was received.
func (s Stored) Read() ([]byte, error) {
	if s.size < 0 {
		return os.ReadFile(s.path)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw := make([]byte, s.size)
	if _, err := f.ReadAt(raw, s.offset); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Name, err)
	}
	return unquoteMbox(raw), nil
}

// Find lists the mail at path, oldest first: a single mail file, an mbox,
// a Maildir (its cur/ and new/ folders), or a folder holding any of
// these. Mail with no readable date keeps its place after the mail before
// it, so that an answer is never delivered before what it answers when
// both are dated.
func Find(path string) ([]Stored, error) {
	var found []Stored
	if err := find(path, &found); err != nil {
		return nil, err
	}
	var last time.Time
	for i := range found {
		if found[i].Date.IsZero() {
			found[i].Date = last
		}
		last = found[i].Date
	}
	slices.SortStableFunc(found, func(a, b Stored) int { return a.Date.Compare(b.Date) })
	return found, nil
}

func find(path string, found *[]Stored) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return findInFile(path, found)
	}
	if isMaildir(path) {
		for _, sub := range []string{"cur", "new"} {
			if err := findInFolder(filepath.Join(path, sub), false, found); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	return findInFolder(path, true, found)
}

// findInFolder finds the mail in a folder's files, in name order; Maildir
// names begin with the time of delivery. Hidden files are skipped, and
// subfolders only searched when deep is set.
func findInFolder(dir string, deep bool, found *[]Stored) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || (e.IsDir() && !deep) {
			continue
		}
		if err := find(filepath.Join(dir, e.Name()), found); err != nil {
			return err
		}
	}
	return nil
}

// isMaildir reports whether dir has the cur/ or new/ folder of a Maildir.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if info, err := os.Stat(filepath.Join(dir, sub)); err == nil && info.IsDir() {
			return true
		}
	}
	return false
}

func findInFile(path string, found *[]Stored) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	if head, _ := r.Peek(5); string(head) == "From " {
		return findInMbox(path, r, found)
	}
	*found = append(*found, Stored{Name: path, Date: headerDate(r), path: path, size: -1})
	return nil
}

// findInMbox finds the mails of an mbox. A mail starts after a "From "
// line at the top or after a blank line; the blank line before the next
// one belongs to the mbox, not the mail.
func findInMbox(path string, r *bufio.Reader, found *[]Stored) error {
	var (
		pos, start int64
		inMail     bool
		prevBlank  = true
		inHeader   bool
		header     bytes.Buffer
		blankSize  int64 // of the blank line just read
		first      = len(*found)
	)
	end := func(at int64) {
		if !inMail {
			return
		}
		size := at - start
		if prevBlank {
			size -= blankSize
		}
		*found = append(*found, Stored{Name: fmt.Sprintf("%s#%d", path, len(*found)-first+1), path: path,
			offset: start, size: max(size, 0), Date: headerDate(bufio.NewReader(bytes.NewReader(header.Bytes())))})
	}
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			blank := len(bytes.TrimRight(line, "\r\n")) == 0
			if prevBlank && bytes.HasPrefix(line, []byte("From ")) {
				end(pos)
				inMail, inHeader, start = true, true, pos+int64(len(line))
				header.Reset()
			} else if inHeader {
				if blank {
					inHeader = false
				} else if header.Len() < 256<<10 {
					header.Write(line)
				}
			}
			pos += int64(len(line))
			prevBlank = blank
			if blank {
				blankSize = int64(len(line))
			}
		}
		if err == io.EOF {
			end(pos)
			break
		} else if err != nil {
			return err
		}
	}
	return nil
}

// headerDate reads a mail's header and returns its Date, or zero.
func headerDate(r *bufio.Reader) time.Time {
	var header bytes.Buffer
	for header.Len() < 256<<10 {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
		header.Write(line)
		if err != nil {
			break
		}
	}
	header.WriteString("\n")
	m, err := mail.ReadMessage(&header)
	if err != nil {
		return time.Time{}
	}
	date, err := m.Header.Date()
	if err != nil {
		return time.Time{}
	}
	return date
}

// unquoteMbox undoes the quoting of lines that begin with "From " in an
// mbox: ">From " becomes "From ", ">>From " becomes ">From " (mboxrd).
func unquoteMbox(raw []byte) []byte {
	if !bytes.Contains(raw, []byte(">From ")) {
		return raw
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line = raw[:i+1]
		}
		raw = raw[len(line):]
		if rest := bytes.TrimLeft(line, ">"); len(rest) < len(line) && bytes.HasPrefix(rest, []byte("From ")) {
			line = line[1:]
		}
		out.Write(line)
	}
	return out.Bytes()
}
