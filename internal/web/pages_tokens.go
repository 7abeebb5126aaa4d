package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/tendhq/tend"
)

// Settings → API tokens: tokens for scripts and other systems, their
// secrets shown once.

type tokensPage struct {
	basePage
	Active  []tokenRow
	Revoked []tokenRow
	Agents  []*tend.Agent // who a new token may be for
	Form    tokenForm
	Created *newTokenNotice
	Notice  string
	Error   string
}

type tokenRow struct {
	*tend.Token
	Owner string
}

type tokenForm struct {
	Name    string
	AgentID int64
	Fields  map[string]string
}

// newTokenNotice is a token just made, with its secret, shown this once.
type newTokenNotice struct {
	Name, Owner, Secret string
}

var tokenNotices = map[string]string{"revoked": "The token was revoked; requests with it are refused from now on."}

func (s *Server) tokensSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "API tokens")
	if !ok {
		return
	}
	page := tokensPage{basePage: s.base(w, r, "API tokens", agent), Form: tokenForm{AgentID: agent.ID},
		Notice: tokenNotices[r.URL.Query().Get("done")]}
	s.renderTokens(w, r, ctx, http.StatusOK, &page)
}

// renderTokens lists every agent's tokens, newest first, and renders the
// page.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, ctx context.Context, status int, page *tokensPage) {
	agents, err := s.allAgents(ctx)
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	var rows []tokenRow
	for _, a := range agents {
		tokens, err := s.Tokens.FindTokens(ctx, a.ID)
		if err != nil {
			s.pageError(w, r, page.Agent, err)
			return
		}
		for _, t := range tokens {
			rows = append(rows, tokenRow{Token: t, Owner: a.Name})
		}
		if a.Active {
			page.Agents = append(page.Agents, a)
		}
	}
	slices.SortFunc(rows, func(a, b tokenRow) int { return cmp.Compare(b.ID, a.ID) })
	page.Active, page.Revoked = nil, nil
	for _, row := range rows {
		if row.RevokedAt == nil {
			page.Active = append(page.Active, row)
		} else {
			page.Revoked = append(page.Revoked, row)
		}
	}
	slices.SortFunc(page.Agents, func(a, b *tend.Agent) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	s.render(w, status, "tokens", page)
}

// createTokenForm makes a token and shows its secret in the answer to the
// post: the only time anyone sees it.
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "API tokens")
	if !ok {
		return
	}
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	ids := newFormIDs(r)
	form.AgentID = ids.one("agent_id", "a staff member")
	page := tokensPage{basePage: s.base(w, r, "API tokens", agent), Form: form}
	var tok *tend.Token
	var secret string
	if form.AgentID == 0 {
		// The API reads no choice as the caller; the form always offers
		// one, so a form without it was not made by this page.
		ids.problems.Add("agent_id", "choose who the token acts as")
	}
	err := ids.err()
	if err == nil {
		tok, secret, err = s.Tokens.CreateToken(ctx, &tend.TokenCreate{AgentID: form.AgentID, Name: form.Name})
	}
	if err != nil {
		page.Error, page.Form.Fields = formProblem(err, "name", "agent_id"), tend.ErrorFields(err)
		s.renderTokens(w, r, ctx, httpStatus(err), &page)
		return
	}
	owner := agent.Name
	if tok.AgentID != agent.ID {
		if a, err := s.Agents.FindAgentByID(ctx, tok.AgentID); err == nil {
			owner = a.Name
		}
	}
	page.Created = &newTokenNotice{Name: tok.Name, Owner: owner, Secret: secret}
	page.Form = tokenForm{AgentID: agent.ID}
	s.renderTokens(w, r, ctx, http.StatusOK, &page)
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "API tokens")
	if !ok {
		return
	}
	id, err := pathID(r, "token")
	if err == nil {
		err = s.Tokens.RevokeToken(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/settings/tokens")
		return
	}
	http.Redirect(w, r, "/settings/tokens?done=revoked", http.StatusSeeOther)
}
