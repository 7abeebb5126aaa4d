package smtpd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// benchMix returns the mail the inbound benchmark sends: every mail of
// the corpora beside the project that is not a bounce, and one bounce in
// eight of sisimai's, so that people writing in outweigh mailer daemons
// as they do at a help desk.
func benchMix(b *testing.B) [][]byte {
	root := filepath.Join("..", "..", "..", "shared", "corpora")
	if _, err := os.Stat(root); err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("mail corpora missing at %s", root)
		}
		b.Skipf("mail corpora missing at %s (../shared/corpora beside the project)", root)
	}
	var mix [][]byte
	bounces := 0
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".eml") || strings.HasSuffix(path, ".raw")) {
			return err
		}
		if strings.Contains(path, "sisimai") {
			if bounces++; bounces%8 != 0 {
				return nil
			}
		}
		raw, err := os.ReadFile(path)
		if err == nil && len(raw) < 1<<20 {
			mix = append(mix, raw)
		}
		return err
	})
	return mix
}

var messageIDHeader = regexp.MustCompile(`(?im)^message-id:[^\n]*\n`)

// unique gives a corpus mail a new Message-ID, so that each one sent is
// delivered, not recognised as sent before.
func unique(raw []byte, n int) []byte {
	raw = messageIDHeader.ReplaceAll(raw, nil)
	return append([]byte(fmt.Sprintf("Message-ID: <bench-%d@sender.example>\r\n", n)), raw...)
}

// BenchmarkSMTPInbound sends a mix of corpus mail from 8 concurrent
// loopback connections to the listener, each mail committed before its
// 250, and reports mails per second and the 99th percentile of the time
// from DATA to 250.
func BenchmarkSMTPInbound(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			mix := benchMix(b)
			l := listen(b, sqldbtest.Open(b, engine), 32<<20, nil)
			const conns = 8
			var mu sync.Mutex
			var latencies []time.Duration
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client, err := smtp.Dial(l.addr)
					if err != nil {
						b.Error(err)
						return
					}
					defer client.Close()
					var mine []time.Duration
					for i := c; i < b.N; i += conns {
						data := unique(mix[i%len(mix)], i)
						if err := client.Mail("sender@sender.example", nil); err != nil {
							b.Error(err)
							return
						}
						if err := client.Rcpt("support@acme.example", nil); err != nil {
							b.Error(err)
							return
						}
						start := time.Now()
						w, err := client.Data()
						if err == nil {
							_, err = w.Write(data)
						}
						if err == nil {
							err = w.Close()
						}
						if err != nil {
							b.Errorf("mail %d: %v", i, err)
							return
						}
						mine = append(mine, time.Since(start))
					}
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(latencies)
			if len(latencies) > 0 {
				b.ReportMetric(float64(len(latencies))/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
			}
		})
	}
}
