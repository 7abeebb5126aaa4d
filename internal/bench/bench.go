// Package bench measures a running Tend over its HTTP API, as clients and
// agents use it: creating tickets under concurrency, then reading lists and
// searching over the data that made.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to measure.
type Config struct {
	URL      string // the server's base URL
	Token    string // an API token
	Clients  int    // concurrent clients while loading
	Tickets  int    // tickets to create
	Messages int    // messages in all, the tickets' first messages included
	Lists    int    // list pages to read
	Searches int    // searches to run
	Texts    *Texts
	Log      io.Writer
}

// Latencies summarises a set of request times.
type Latencies struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

func summarise(d []time.Duration) Latencies {
	if len(d) == 0 {
		return Latencies{}
	}
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(float64(len(d))*p))] }
	return Latencies{N: len(d), P50: at(.50), P95: at(.95), P99: at(.99), Max: d[len(d)-1]}
}

func (l Latencies) String() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }
	return fmt.Sprintf("p50 %s ms, p95 %s ms, p99 %s ms, max %s ms (n=%d)", ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max), l.N)
}

// Throughput is the outcome of a load phase.
type Throughput struct {
	Done    int
	Elapsed time.Duration
	Latency Latencies
}

// PerSecond returns operations per second.
func (t Throughput) PerSecond() float64 { return float64(t.Done) / t.Elapsed.Seconds() }

// client talks to the API.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(base, token string, conns int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	return &client{base: base, token: token, http: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// do sends a request and decodes a 2xx answer into out; any other status
// is an error.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// load runs n operations on workers goroutines and times each.
func load(ctx context.Context, n, workers int, op func(ctx context.Context, i int, r *rand.Rand) error) (Throughput, error) {
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	lat := make([]time.Duration, n)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := op(ctx, i, r); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Throughput{}, firstErr
	}
	return Throughput{Done: n, Elapsed: time.Since(start), Latency: summarise(lat)}, nil
}

// Report holds every figure of a run.
type Report struct {
	Create, Messages, Updates Throughput
	ListFirst, ListDeep       Latencies
	Search, SearchCommon      Latencies
	// SearchMix is tendload's mix from SearchClients clients at once, and
	// SearchMixFresh the same before PostgreSQL's statistics are brought
	// up to date.
	SearchMix, SearchMixFresh Latencies
}

// SearchClients is how many clients search at once in the mixed search,
// as in ../shared/bench/side-by-side.
const SearchClients = 4

var statusMix = []struct {
	status string
	share  float64
}{{"new", .05}, {"open", .20}, {"pending", .10}, {"on_hold", .05}, {"solved", .40}, {"closed", .20}}

// Load fills the server: tickets, then replies and notes spread over them,
// then status changes to a realistic mix. It returns the throughput of
// each phase; the first is the creation figure.
func Load(ctx context.Context, cfg Config, rep *Report) error {
	c := newClient(cfg.URL, cfg.Token, cfg.Clients)
	var err error
	fmt.Fprintf(cfg.Log, "creating %d tickets with %d clients...\n", cfg.Tickets, cfg.Clients)
	ids := make([]int64, cfg.Tickets)
	rep.Create, err = load(ctx, cfg.Tickets, cfg.Clients, func(ctx context.Context, i int, r *rand.Rand) error {
		var t struct {
			ID int64 `json:"id"`
		}
		err := c.do(ctx, "POST", "/api/v1/tickets", map[string]any{
			"subject":  cfg.Texts.Subject(r),
			"customer": map[string]string{"email": fmt.Sprintf("customer%d@bench.example", r.IntN(cfg.Tickets/3+1))},
			"body":     cfg.Texts.Body(r),
			"priority": []string{"low", "normal", "normal", "normal", "high", "urgent"}[r.IntN(6)],
		}, &t)
		ids[i] = t.ID
		return err
	})
	if err != nil {
		return fmt.Errorf("create tickets: %w", err)
	}
	fmt.Fprintf(cfg.Log, "  %.0f tickets/s; %s\n", rep.Create.PerSecond(), rep.Create.Latency)

	extra := max(0, cfg.Messages-cfg.Tickets)
	fmt.Fprintf(cfg.Log, "adding %d replies and notes...\n", extra)
	rep.Messages, err = load(ctx, extra, cfg.Clients, func(ctx context.Context, i int, r *rand.Rand) error {
		kind := "reply"
		if r.IntN(4) == 0 {
			kind = "note"
		}
		id := ids[r.IntN(len(ids))]
		return c.do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]any{"body": cfg.Texts.Body(r), "kind": kind}, nil)
	})
	if err != nil {
		return fmt.Errorf("add messages: %w", err)
	}
	fmt.Fprintf(cfg.Log, "  %.0f messages/s; %s\n", rep.Messages.PerSecond(), rep.Messages.Latency)

	// Ticket i takes the status whose share of the mix it falls in.
	target := make([]string, len(ids))
	for i := range ids {
		x, acc := float64(i)/float64(len(ids)), 0.0
		for _, m := range statusMix {
			if acc += m.share; x < acc {
				target[i] = m.status
				break
			}
		}
	}
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(target), func(i, j int) { target[i], target[j] = target[j], target[i] })
	fmt.Fprintf(cfg.Log, "moving tickets to a mix of statuses...\n")
	rep.Updates, err = load(ctx, len(ids), cfg.Clients, func(ctx context.Context, i int, r *rand.Rand) error {
		path := fmt.Sprintf("/api/v1/tickets/%d", ids[i])
		switch target[i] {
		case "new":
			return nil
		case "closed":
			if err := c.do(ctx, "PATCH", path, map[string]any{"status": "solved"}, nil); err != nil {
				return err
			}
		}
		return c.do(ctx, "PATCH", path, map[string]any{"status": target[i]}, nil)
	})
	if err != nil {
		return fmt.Errorf("update tickets: %w", err)
	}
	fmt.Fprintf(cfg.Log, "  %.0f tickets/s; %s\n", rep.Updates.PerSecond(), rep.Updates.Latency)
	return nil
}

// Read measures, from one client, list pages (the first page of open
// tickets, newest activity first, and pages further down through their
// cursors) and two-word searches.
func Read(ctx context.Context, cfg Config, rep *Report) error {
	c := newClient(cfg.URL, cfg.Token, 1)
	r := rand.New(rand.NewPCG(3, 4))
	type page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor *string           `json:"next_cursor"`
	}
	timed := func(path string, out any) (time.Duration, error) {
		t0 := time.Now()
		err := c.do(ctx, "GET", path, nil, out)
		return time.Since(t0), err
	}
	// Warm up connections and caches as a working server would be.
	for range 20 {
		if _, err := timed("/api/v1/tickets?status=open&limit=50", nil); err != nil {
			return err
		}
	}
	var first, deep []time.Duration
	for len(first) < cfg.Lists {
		var p page
		d, err := timed("/api/v1/tickets?status=open&limit=50", &p)
		if err != nil {
			return err
		}
		first = append(first, d)
		if len(p.Items) != 50 {
			return fmt.Errorf("list: %d open tickets on the first page, want 50", len(p.Items))
		}
		for hops := r.IntN(5); hops > 0 && p.NextCursor != nil; hops-- {
			d, err := timed("/api/v1/tickets?status=open&limit=50&cursor="+url.QueryEscape(*p.NextCursor), &p)
			if err != nil {
				return err
			}
			deep = append(deep, d)
		}
	}
	rep.ListFirst, rep.ListDeep = summarise(first), summarise(deep)
	fmt.Fprintf(cfg.Log, "list, first page of open tickets: %s\n", rep.ListFirst)
	fmt.Fprintf(cfg.Log, "list, later pages by cursor:      %s\n", rep.ListDeep)

	search := func(query func(*rand.Rand) string) (Latencies, int, error) {
		var lat []time.Duration
		found := 0
		for range cfg.Searches {
			var res page
			d, err := timed("/api/v1/search?q="+url.QueryEscape(query(r)), &res)
			if err != nil {
				return Latencies{}, 0, err
			}
			lat = append(lat, d)
			if len(res.Items) > 0 {
				found++
			}
		}
		return summarise(lat), found, nil
	}
	var found int
	var err error
	if rep.Search, found, err = search(cfg.Texts.Query); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "search, two random corpus words:  %s; %d of %d found tickets\n", rep.Search, found, cfg.Searches)
	if rep.SearchCommon, found, err = search(cfg.Texts.CommonQuery); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "search, two words from a sentence: %s; %d of %d found tickets\n", rep.SearchCommon, found, cfg.Searches)
	if rep.SearchMix, err = SearchMix(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "search, a word and a sentence's last word, %d clients: %s\n", SearchClients, rep.SearchMix)
	return nil
}

// SearchMix times cfg.Searches searches of a word of a corpus sentence
// and its last word from SearchClients clients at once, as tendload does.
func SearchMix(ctx context.Context, cfg Config) (Latencies, error) {
	c := newClient(cfg.URL, cfg.Token, SearchClients)
	t, err := load(ctx, cfg.Searches, SearchClients, func(ctx context.Context, i int, r *rand.Rand) error {
		return c.do(ctx, "GET", "/api/v1/search?q="+url.QueryEscape(cfg.Texts.SentenceQuery(r)), nil, nil)
	})
	return t.Latency, err
}

// RSS returns the resident memory of process pid, from /proc.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
