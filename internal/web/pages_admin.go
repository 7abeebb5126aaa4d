package web

import (
	"context"
	"net/http"

	"github.com/tendhq/tend"
)

// Settings for admins: the routes and what their pages share. Agents,
// teams, API tokens and mail each have their own file.

func (s *Server) adminRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /settings/general", s.generalSettings)
	mux.Handle("POST /settings/general", forms(s.saveGeneralSettings))
	mux.HandleFunc("GET /settings/agents", s.agentsSettings)
	mux.Handle("POST /settings/agents", forms(s.inviteAgentForm))
	mux.Handle("POST /settings/agents/{id}/role", forms(s.agentRoleForm))
	mux.Handle("POST /settings/agents/{id}/invitation", forms(s.newInvitationForm))
	mux.HandleFunc("GET /settings/agents/{id}/deactivate", s.deactivateAgentPage)
	mux.Handle("POST /settings/agents/{id}/deactivate", forms(s.deactivateAgentForm))
	mux.Handle("POST /settings/agents/{id}/reactivate", forms(s.reactivateAgentForm))
	mux.HandleFunc("GET /invite", s.invitationPage)
	mux.Handle("POST /invite", forms(s.acceptInvitationForm))
	mux.HandleFunc("GET /settings/teams", s.teamsSettings)
	mux.Handle("POST /settings/teams", forms(s.createTeamForm))
	mux.HandleFunc("GET /settings/teams/{id}", s.teamEditPage)
	mux.Handle("POST /settings/teams/{id}", forms(s.updateTeamForm))
	mux.HandleFunc("GET /settings/tokens", s.tokensSettings)
	mux.Handle("POST /settings/tokens", forms(s.createTokenForm))
	mux.Handle("POST /settings/tokens/{id}/revoke", forms(s.revokeTokenForm))
}

// allAgents reads every agent, active or not, in id order.
func (s *Server) allAgents(ctx context.Context) ([]*tend.Agent, error) {
	var all []*tend.Agent
	f := tend.AgentFilter{Limit: tend.MaxPageSize}
	for {
		list, next, err := s.Agents.FindAgents(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if next == "" {
			return all, nil
		}
		f.Cursor = next
	}
}

// agentsByID indexes agents by id.
func agentsByID(agents []*tend.Agent) map[int64]*tend.Agent {
	m := make(map[int64]*tend.Agent, len(agents))
	for _, a := range agents {
		m[a.ID] = a
	}
	return m
}
