package sanitize_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/microcosm-cc/bluemonday"
	"github.com/tendhq/tend/internal/sanitize"
)

// htmlMail reads the HTML bodies of real replies in mailgun/talon's
// fixtures, as mail clients write them.
func htmlMail(b *testing.B) []string {
	b.Helper()
	files, _ := filepath.Glob("../../../shared/corpora/mailgun-talon/tests/fixtures/*.html")
	more, _ := filepath.Glob("../../../shared/corpora/mailgun-talon/tests/fixtures/html_replies/*.html")
	var bodies []string
	for _, f := range append(files, more...) {
		body, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, string(body))
	}
	if len(bodies) == 0 {
		b.Skip("no HTML mail: ../shared/corpora is missing")
	}
	return bodies
}

// Storing: bluemonday alone, and with the fragment written again.
func BenchmarkStore(b *testing.B) {
	bodies := htmlMail(b)
	b.Run("bluemonday UGC alone", func(b *testing.B) {
		p := bluemonday.UGCPolicy()
		for i := 0; b.Loop(); i++ {
			p.Sanitize(bodies[i%len(bodies)])
		}
	})
	b.Run("HTML", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sanitize.HTML(bodies[i%len(bodies)])
		}
	})
}

// Showing: the stored HTML written again, once per message shown.
func BenchmarkShow(b *testing.B) {
	var stored []string
	for _, body := range htmlMail(b) {
		stored = append(stored, sanitize.HTML(body))
	}
	for i := 0; b.Loop(); i++ {
		sanitize.Fragment(stored[i%len(stored)])
	}
}
