package web

import (
	"crypto/rand"
	"sync"
	"time"
)

// A form of the ticket page that is refused (a reply held because the
// customer wrote again, a draft with a problem, details that clash with
// someone else's change) is kept here, and the post answers with a
// redirect to the ticket page naming it (?held=TOKEN). That page says why
// and shows the form as it was sent, and it can be reloaded: the address
// a browser shows after a post is the one a reload asks for again. Held
// forms live in memory, like presence, because one tend serve runs per
// database; they are forgotten after heldFor, or when Tend restarts.

// heldFor is how long a refused form is kept.
const heldFor = time.Hour

// maxHeldPerAgent bounds what one agent's refused forms hold in memory.
const maxHeldPerAgent = 20

// heldForm is a refused form of one agent on one ticket.
type heldForm struct {
	agentID, number int64
	at              time.Time
	// status is the answer's status: 409 for a reply held, 400 for a
	// problem with what was sent.
	status int
	// draft is the reply or note that was not sent, if the composer was
	// refused; newSince is the newest message the composer's page had
	// shown, when the customer wrote since.
	draft    *draft
	newSince int64
	// side is the edit of the details that was not saved, if the details
	// were refused.
	side     *sideEdit
	err      string
	problems map[string]string
}

// heldForms are the refused forms kept, by token.
type heldForms struct {
	mu    sync.Mutex
	forms map[string]*heldForm
}

// hold keeps f and returns its token. It forgets forms past heldFor,
// and the agent's oldest beyond maxHeldPerAgent.
func (h *heldForms) hold(f *heldForm) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.forms == nil {
		h.forms = map[string]*heldForm{}
	}
	f.at = time.Now()
	var oldest string
	n := 0
	for token, g := range h.forms {
		switch {
		case f.at.Sub(g.at) > heldFor:
			delete(h.forms, token)
		case g.agentID == f.agentID:
			n++
			if oldest == "" || g.at.Before(h.forms[oldest].at) {
				oldest = token
			}
		}
	}
	if n >= maxHeldPerAgent {
		delete(h.forms, oldest)
	}
	token := rand.Text()
	h.forms[token] = f
	return token
}

// find returns the form token names, if it is agentID's on ticket number
// and still kept.
func (h *heldForms) find(token string, agentID, number int64) *heldForm {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.forms[token]
	if f == nil || f.agentID != agentID || f.number != number || time.Since(f.at) > heldFor {
		return nil
	}
	return f
}

// drop forgets the form token names, once what it held was sent; only
// its agent's.
func (h *heldForms) drop(token string, agentID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.forms[token]; f != nil && f.agentID == agentID {
		delete(h.forms, token)
	}
}
