package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tendhq/tend"
)

// Live updates: open pages follow changes over Server-Sent Events. A
// ticket change reaches every open page (lists refresh, counts follow, an
// open ticket shows the new message); presence (who has a ticket open,
// who is writing a reply) reaches the pages of that ticket. Tend runs one
// server per database, so changes are told in-process.

// liveEvent is one message to open pages.
type liveEvent struct {
	Type     string `json:"type"` // "ticket", "presence" or "notification"
	TicketID int64  `json:"ticket_id"`
	// For "notification": the agent it is for, whose pages alone hear it.
	AgentID int64 `json:"-"`
	// For "ticket": what happened, and the message it added.
	Kind      string `json:"kind,omitempty"`
	MessageID int64  `json:"message_id,omitempty"`
	// For "presence": the agents on the ticket.
	Present []presentAgent `json:"present,omitempty"`
}

type presentAgent struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Typing bool   `json:"typing"`
}

// hub fans events out to the open pages.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}

	// presence is, by ticket, who has it open and until when that holds
	// without news from their page.
	presence map[int64]map[int64]*presence
}

type presence struct {
	name   string
	typing bool
	until  time.Time
}

// presenceTTL is how long a page counts as open without a heartbeat;
// pages send one every 10 seconds.
const presenceTTL = 25 * time.Second

type subscriber struct {
	ticketID int64 // 0: every ticket's changes, no presence
	agentID  int64
	ch       chan liveEvent
	// recheck says that sessions of the agent ended: before it writes
	// anything more, the stream checks that its own session is still live.
	recheck chan struct{}
}

func newHub() *hub {
	return &hub{subs: map[*subscriber]struct{}{}, presence: map[int64]map[int64]*presence{}}
}

func (h *hub) subscribe(agentID, ticketID int64) *subscriber {
	s := &subscriber{ticketID: ticketID, agentID: agentID, ch: make(chan liveEvent, 64), recheck: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// publish sends e to the pages it concerns. A page too slow to take it
// misses it; its next event, or its reconnect, brings it up to date.
func (h *hub) publish(e liveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishLocked(e)
}

// publishLocked is publish with h.mu held. Sends never block, so holding
// the lock keeps events in the order their changes were made.
func (h *hub) publishLocked(e liveEvent) {
	for s := range h.subs {
		if e.Type == "presence" && s.ticketID != e.TicketID || e.Type == "notification" && s.agentID != e.AgentID {
			continue
		}
		select {
		case s.ch <- e:
		default:
		}
	}
}

// sessionsEnded tells the streams of an agent that sessions of theirs
// ended. It holds the lock that publishing holds, so an event published
// after it returns reaches a stream only after the stream has seen this.
func (h *hub) sessionsEnded(agentID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.agentID == agentID {
			select {
			case s.recheck <- struct{}{}:
			default:
			}
		}
	}
}

// ticketChanged tells open pages that a ticket changed.
func (h *hub) ticketChanged(c tend.TicketChange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishLocked(liveEvent{Type: "ticket", TicketID: c.TicketID, Kind: string(c.Kind), MessageID: c.MessageID})
	// And the agents it gave a notification, so that their bells ring.
	for _, agent := range c.Notified {
		h.publishLocked(liveEvent{Type: "notification", TicketID: c.TicketID, AgentID: agent})
	}
}

// setPresence records that agent has the ticket open (typing or not), or
// has left it, and tells the ticket's pages when that changes who is
// there.
func (h *hub) setPresence(ticketID int64, agent *tend.Agent, state string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	on := h.presence[ticketID]
	if on == nil {
		on = map[int64]*presence{}
		h.presence[ticketID] = on
	}
	before, was := on[agent.ID]
	changed := !was
	switch state {
	case "left":
		delete(on, agent.ID)
		changed = was
	default:
		typing := state == "typing"
		changed = changed || before.typing != typing
		on[agent.ID] = &presence{name: agent.Name, typing: typing, until: time.Now().Add(presenceTTL)}
	}
	if len(on) == 0 {
		delete(h.presence, ticketID)
	}
	if changed {
		h.publishLocked(liveEvent{Type: "presence", TicketID: ticketID, Present: h.presentLocked(ticketID)})
	}
}

// present returns who has the ticket open, by name.
func (h *hub) present(ticketID int64) []presentAgent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.presentLocked(ticketID)
}

func (h *hub) presentLocked(ticketID int64) []presentAgent {
	var out []presentAgent
	for id, p := range h.presence[ticketID] {
		if time.Now().Before(p.until) {
			out = append(out, presentAgent{ID: id, Name: p.name, Typing: p.typing})
		}
	}
	slices.SortFunc(out, func(a, b presentAgent) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// expire forgets pages that stopped sending heartbeats, and tells the
// tickets' other pages.
func (h *hub) expire(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ticketID, on := range h.presence {
		gone := false
		for id, p := range on {
			if now.After(p.until) {
				delete(on, id)
				gone = true
			}
		}
		if len(on) == 0 {
			delete(h.presence, ticketID)
		}
		if gone {
			h.publishLocked(liveEvent{Type: "presence", TicketID: ticketID, Present: h.presentLocked(ticketID)})
		}
	}
}

// liveStream serves the event stream of a page: GET /live, or
// /live?ticket=ID for a ticket page, which also receives presence.
//
// A stream ends with its session: when the session is signed out, when the
// agent is deactivated or sets a new password (their sessions end; see
// Server.SessionsEnded), and when the session expires.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request) {
	var ticketID int64
	if v := r.URL.Query().Get("ticket"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			http.Error(w, "ticket must be a ticket id.", http.StatusBadRequest)
			return
		}
		ticketID = id
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "Streaming is not supported here.", http.StatusInternalServerError)
		return
	}
	sess, ok := s.session(r)
	if !ok || !sess.Staff() {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	sub := s.live.subscribe(sess.Agent.ID, ticketID)
	defer s.live.unsubscribe(sub)
	// Subscribed first, then checked again: a session that ended between
	// the first check and the subscription would otherwise go unnoticed.
	again, ok := s.session(r)
	if !ok {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The browser reconnects on its own after a drop; 2 s keeps a restart
	// of the server short for the people watching.
	fmt.Fprint(w, "retry: 2000\n\n")
	if ticketID != 0 {
		writeEvent(w, liveEvent{Type: "presence", TicketID: ticketID, Present: s.live.present(ticketID)})
	}
	flusher.Flush()
	s.streamEvents(w, r, sub, again.Left)
}

// streamEvents writes sub's events to the stream until its session ends
// (the hub says when sessions of the agent end; the session expires), the
// page goes, or the server stops.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, sub *subscriber, timeLeft time.Duration) {
	expiry := time.NewTimer(timeLeft)
	defer expiry.Stop()
	keepAlive := time.NewTicker(cmp.Or(s.LiveKeepAlive, 20*time.Second))
	defer keepAlive.Stop()
	signedIn := func() bool { return s.sessionAgent(r) != nil }
	// A page that stops reading (a laptop closed) must not hold a
	// goroutine for ever: each write gets a deadline.
	// The deadline is set as each write begins: set once a loop, it passed
	// while the loop waited for the keep-alive, which then failed.
	rc := http.NewResponseController(w)
	timeout := cmp.Or(s.LiveWriteTimeout, 15*time.Second)
	deadline := func() { rc.SetWriteDeadline(time.Now().Add(timeout)) }
	for {
		select {
		case e := <-sub.ch:
			// Sessions that ended before e was published are told before
			// e reaches the stream (see hub.sessionsEnded).
			select {
			case <-sub.recheck:
				if !signedIn() {
					return
				}
			default:
			}
			deadline()
			writeEvent(w, e)
		case <-sub.recheck:
			if !signedIn() {
				return
			}
			continue
		case <-expiry.C:
			return
		case <-keepAlive.C:
			// A check of its own, for a session that ended in another
			// process (its hub knows nothing of this stream).
			if !signedIn() {
				return
			}
			deadline()
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-r.Context().Done():
			return
		case <-s.stopping:
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, e liveEvent) {
	b, _ := json.Marshal(e)
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b)
}
