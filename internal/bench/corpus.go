package bench

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Texts is a pool of real customer sentences that subjects and bodies are
// drawn from, so that the full-text index holds realistic words.
type Texts struct {
	lines []string
	words []string // words of four letters or more, for search queries
}

// LoadTexts reads customer utterances from the ticket corpora under dir:
// the BANKING77 CSV files and the NLU++ JSON folds. With no dir, or none of
// them there, it falls back to a small built-in pool.
func LoadTexts(dir string) (*Texts, error) {
	var lines []string
	if dir != "" {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch {
			case strings.HasSuffix(path, ".csv"):
				l, err := csvTexts(path)
				lines = append(lines, l...)
				return err
			case strings.Contains(path, "fold") && strings.HasSuffix(path, ".json"):
				l, err := jsonTexts(path)
				lines = append(lines, l...)
				return err
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if len(lines) == 0 {
		lines = builtinTexts
	}
	t := &Texts{lines: lines}
	seen := map[string]bool{}
	for _, l := range lines {
		for _, w := range strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r < 'a' || r > 'z' }) {
			if len(w) >= 4 && !seen[w] {
				seen[w] = true
				t.words = append(t.words, w)
			}
		}
	}
	return t, nil
}

// Len returns the number of sentences in the pool.
func (t *Texts) Len() int { return len(t.lines) }

func csvTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	var out []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		if len(rec) > 0 && rec[0] != "text" && rec[0] != "" {
			out = append(out, rec[0])
		}
	}
}

func jsonTexts(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var items []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, nil // not a fold of utterances
	}
	var out []string
	for _, it := range items {
		if it.Text != "" {
			out = append(out, it.Text)
		}
	}
	return out, nil
}

// Subject returns a short sentence, capitalised, as a ticket subject.
func (t *Texts) Subject(r *rand.Rand) string {
	for range 10 {
		s := t.lines[r.IntN(len(t.lines))]
		if len(s) <= 90 {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return t.lines[r.IntN(len(t.lines))]
}

// Body returns a few sentences as a message body.
func (t *Texts) Body(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = t.lines[r.IntN(len(t.lines))]
	}
	return strings.Join(parts, " ")
}

// Query returns two words that occur in the pool, as a search query.
func (t *Texts) Query(r *rand.Rand) string {
	return t.words[r.IntN(len(t.words))] + " " + t.words[r.IntN(len(t.words))]
}

// CommonQuery returns two words from one sentence, which therefore occur
// together: queries with many matches, the expensive kind.
func (t *Texts) CommonQuery(r *rand.Rand) string {
	for {
		var words []string
		for _, w := range strings.Fields(strings.ToLower(t.lines[r.IntN(len(t.lines))])) {
			w = strings.Trim(w, ".,?!'\"")
			if len(w) >= 4 {
				words = append(words, w)
			}
		}
		if len(words) >= 2 {
			i := r.IntN(len(words) - 1)
			return words[i] + " " + words[i+1]
		}
	}
}

// SentenceQuery returns a word of a sentence and the sentence's last word,
// letters only, as ../shared/bench/tendload searches: one of them is often
// a stop word, the other a common word, and now and then the pair is rare.
func (t *Texts) SentenceQuery(r *rand.Rand) string {
	letters := func(s string) string {
		return strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				return c
			}
			return -1
		}, s)
	}
	for {
		w := strings.Fields(t.lines[r.IntN(len(t.lines))])
		if len(w) < 2 {
			continue
		}
		first, last := letters(w[r.IntN(len(w)-1)]), letters(w[len(w)-1])
		if first != "" && last != "" {
			return first + " " + last
		}
	}
}

var builtinTexts = []string{
	"My card has not arrived yet and it has been two weeks",
	"I was charged twice for the same order",
	"How do I change the address on my account",
	"The app keeps crashing when I try to log in",
	"Please cancel my subscription at the end of this month",
	"I need a refund for the item that arrived broken",
	"Can you tell me why my transfer is still pending",
	"I forgot my password and the reset email never came",
	"The delivery was left at the wrong house",
	"Is it possible to upgrade my plan without losing my data",
}
