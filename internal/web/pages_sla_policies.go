package web

import (
	"context"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// The policy form: name, position, calendar, the targets in business
// minutes or hours, and the conditions.

type policyPage struct {
	basePage
	Policy   *tend.SLAPolicy // nil for a new one
	Form     policyForm
	Error    string
	Problems map[string]string
}

// policyForm is the form as typed, with the choices it offers.
type policyForm struct {
	Name, Position, Tags string
	Default              bool
	Calendars            []choice
	Targets              []targetRow
	Priorities, Tiers    []choice
	Channels, Teams      []choice
	Organizations        []choice
	Fields               []fieldCondition
}

type choice struct {
	Value, Label string
	Selected     bool
}

type targetRow struct {
	Kind         tend.TargetKind
	Name, Label  string // Name as the form names it
	Value, Unit  string
	Problem, Key string
}

// fieldCondition is a custom field's condition: the choices of a choice
// field, or values typed comma-separated for the others.
type fieldCondition struct {
	Key, Label string
	Options    []choice // a choice field's
	Text       string
	Problem    string
}

// policyValues are the form's values, before its choices are read.
type policyValues struct {
	Name, Position, CalendarID, Tags string
	Targets                          map[tend.TargetKind][2]string // value, unit
	Priorities, Tiers, Channels      []string
	TeamIDs, OrganizationIDs         []string
	Fields                           map[string][]string
}

func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

func policyValuesOf(p *tend.SLAPolicy) policyValues {
	v := policyValues{Name: p.Name, Position: strconv.Itoa(p.Position), CalendarID: strconv.FormatInt(p.CalendarID, 10),
		Tags: strings.Join(p.Conditions.Tags, ", "), Targets: map[tend.TargetKind][2]string{},
		Priorities: stringsOf(p.Conditions.Priorities), Tiers: stringsOf(p.Conditions.Tiers),
		TeamIDs: idStrings(p.Conditions.TeamIDs), OrganizationIDs: idStrings(p.Conditions.OrganizationIDs), Fields: p.Conditions.Fields}
	v.Channels = make([]string, len(p.Conditions.Channels))
	for i, c := range p.Conditions.Channels {
		v.Channels[i] = string(c)
	}
	for _, k := range tend.TargetKinds {
		if m := p.Targets.Minutes(k); m != nil {
			if *m%60 == 0 {
				v.Targets[k] = [2]string{strconv.Itoa(*m / 60), "hours"}
			} else {
				v.Targets[k] = [2]string{strconv.Itoa(*m), "minutes"}
			}
		}
	}
	return v
}

// readPolicyForm reads the form into values and an input; the error
// names each target that is not a number.
func readPolicyForm(r *http.Request, fields []*tend.Field) (policyValues, *tend.SLAPolicyInput, error) {
	f := r.PostForm
	v := policyValues{Name: f.Get("name"), Position: strings.TrimSpace(f.Get("position")), CalendarID: f.Get("calendar_id"),
		Tags: f.Get("tags"), Targets: map[tend.TargetKind][2]string{}, Priorities: f["priority"], Tiers: f["tier"],
		Channels: f["channel"], TeamIDs: f["team_id"], OrganizationIDs: f["organization_id"], Fields: map[string][]string{}}
	in := &tend.SLAPolicyInput{Name: v.Name}
	p := tend.Problems{}
	if v.Position != "" {
		n, err := strconv.Atoi(v.Position)
		if err != nil {
			p.Add("position", "must be a whole number, such as 1 or 10")
			n = -1 // which the policy's rules refuse too
		}
		in.Position = n
	}
	in.CalendarID, _ = strconv.ParseInt(v.CalendarID, 10, 64)
	for _, k := range tend.TargetKinds {
		value, unit := strings.TrimSpace(f.Get("target_"+string(k))), f.Get("unit_"+string(k))
		v.Targets[k] = [2]string{value, unit}
		if value == "" {
			continue
		}
		n, err := strconv.ParseFloat(value, 64)
		if unit == "hours" {
			n *= 60
		}
		if err != nil || n != math.Trunc(n) || math.IsInf(n, 0) {
			p.Add("targets."+string(k), "must be a whole number of business minutes, or of hours in steps of a minute, such as 90 or 1.5")
			n = -1 // which the policy's rules refuse too
		}
		m := int(max(min(n, math.MaxInt32), math.MinInt32))
		switch k {
		case tend.TargetFirstResponse:
			in.Targets.FirstResponse = &m
		case tend.TargetNextResponse:
			in.Targets.NextResponse = &m
		case tend.TargetPeriodicUpdate:
			in.Targets.PeriodicUpdate = &m
		case tend.TargetResolution:
			in.Targets.Resolution = &m
		case tend.TargetAssignment:
			in.Targets.Assignment = &m
		}
	}
	c := &in.Conditions
	for _, s := range v.Priorities {
		c.Priorities = append(c.Priorities, tend.Priority(s))
	}
	for _, s := range v.Tiers {
		c.Tiers = append(c.Tiers, tend.Tier(s))
	}
	for _, s := range v.Channels {
		c.Channels = append(c.Channels, tend.Channel(s))
	}
	for _, s := range v.TeamIDs {
		id, _ := strconv.ParseInt(s, 10, 64)
		c.TeamIDs = append(c.TeamIDs, id)
	}
	for _, s := range v.OrganizationIDs {
		id, _ := strconv.ParseInt(s, 10, 64)
		c.OrganizationIDs = append(c.OrganizationIDs, id)
	}
	c.Tags = splitTags(v.Tags) // as a ticket's tags are written: "VIP customer" is vip-customer
	for _, fd := range fields {
		var values []string
		for _, raw := range f["field_"+fd.Key] {
			if fd.Type == tend.FieldChoice {
				values = append(values, raw)
				continue
			}
			for _, part := range strings.Split(raw, ",") {
				if part = strings.TrimSpace(part); part != "" {
					values = append(values, part)
				}
			}
		}
		if len(values) > 0 {
			v.Fields[fd.Key] = values
			if c.Fields == nil {
				c.Fields = map[string][]string{}
			}
			c.Fields[fd.Key] = values
		}
	}
	return v, in, p.Err()
}

// policyFormOf builds the form of values, with the choices of the desk.
func (s *Server) policyFormOf(ctx context.Context, v policyValues, isDefault bool, problems map[string]string) (policyForm, []*tend.Field, error) {
	f := policyForm{Name: v.Name, Position: v.Position, Tags: v.Tags, Default: isDefault}
	cals, err := s.Calendars.FindCalendars(ctx)
	if err != nil {
		return f, nil, err
	}
	for _, c := range cals {
		id := strconv.FormatInt(c.ID, 10)
		f.Calendars = append(f.Calendars, choice{id, c.Name, id == v.CalendarID})
	}
	for _, k := range tend.TargetKinds {
		t := v.Targets[k]
		unit := t[1]
		if unit == "" {
			unit = "hours"
		}
		f.Targets = append(f.Targets, targetRow{Kind: k, Name: string(k), Label: k.Label(), Value: t[0], Unit: unit,
			Key: "targets." + string(k), Problem: problems["targets."+string(k)]})
	}
	for _, p := range tend.Priorities {
		f.Priorities = append(f.Priorities, choice{string(p), label(p), slices.Contains(v.Priorities, string(p))})
	}
	for _, t := range []tend.Tier{tend.TierStandard, tend.TierPriority} {
		f.Tiers = append(f.Tiers, choice{string(t), label(t), slices.Contains(v.Tiers, string(t))})
	}
	for _, c := range tend.Channels {
		f.Channels = append(f.Channels, choice{string(c), label(channelWord(c)), slices.Contains(v.Channels, string(c))})
	}
	teams, err := s.Teams.FindTeams(ctx)
	if err != nil {
		return f, nil, err
	}
	for _, t := range teams {
		id := strconv.FormatInt(t.ID, 10)
		f.Teams = append(f.Teams, choice{id, t.Name, slices.Contains(v.TeamIDs, id)})
	}
	for cursor := ""; ; {
		orgs, next, err := s.Organizations.FindOrganizations(ctx, tend.OrganizationFilter{Cursor: cursor, Limit: 100})
		if err != nil {
			return f, nil, err
		}
		for _, o := range orgs {
			id := strconv.FormatInt(o.ID, 10)
			f.Organizations = append(f.Organizations, choice{id, o.Name, slices.Contains(v.OrganizationIDs, id)})
		}
		if cursor = next; next == "" || len(f.Organizations) >= 1000 {
			break
		}
	}
	fields, err := s.Fields.FindFields(ctx)
	if err != nil {
		return f, nil, err
	}
	for _, fd := range fields {
		fc := fieldCondition{Key: fd.Key, Label: fd.Label, Problem: problems["conditions.fields."+fd.Key]}
		if fd.Type == tend.FieldChoice {
			for _, c := range fd.Choices {
				fc.Options = append(fc.Options, choice{c, c, slices.ContainsFunc(v.Fields[fd.Key], func(s string) bool { return strings.EqualFold(s, c) })})
			}
		} else {
			fc.Text = strings.Join(v.Fields[fd.Key], ", ")
		}
		f.Fields = append(f.Fields, fc)
	}
	return f, fields, nil
}

// policyShown are the fields the policy form shows problems beside.
func policyShown(problems map[string]string) []string {
	shown := []string{"name", "position", "calendar_id", "targets", "conditions", "conditions.priorities", "conditions.tiers",
		"conditions.channels", "conditions.team_ids", "conditions.organization_ids", "conditions.tags"}
	for field := range problems {
		if strings.HasPrefix(field, "targets.") || strings.HasPrefix(field, "conditions.fields.") {
			shown = append(shown, field)
		}
	}
	return shown
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, agent *tend.Agent, ctx context.Context, p *tend.SLAPolicy,
	v policyValues, status int, err error) {
	title := "New policy"
	if p != nil {
		title = p.Name
	}
	page := &policyPage{basePage: s.base(w, r, title, agent), Policy: p}
	if err != nil {
		page.Problems = tend.ErrorFields(err)
		page.Error = formProblem(err, policyShown(page.Problems)...)
	}
	form, _, ferr := s.policyFormOf(ctx, v, p != nil && p.Default, page.Problems)
	if ferr != nil {
		s.pageError(w, r, agent, ferr)
		return
	}
	page.Form = form
	s.render(w, status, "sla_policy", page)
}

// policyNew serves GET /settings/service-levels/policies/new.
func (s *Server) policyNew(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.serviceLevelPage(w, r, "New policy")
	if !ok {
		return
	}
	v := policyValues{Position: "10", CalendarID: "1", Targets: map[tend.TargetKind][2]string{
		tend.TargetFirstResponse: {"4", "hours"}, tend.TargetResolution: {"40", "hours"}}}
	s.renderPolicy(w, r, agent, ctx, nil, v, http.StatusOK, nil)
}

// policySave makes or changes a policy from the form.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request, p *tend.SLAPolicy) {
	agent, ctx, ok := s.serviceLevelForm(w, r, "Policy")
	if !ok {
		return
	}
	fields, err := s.Fields.FindFields(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	v, in, err := readPolicyForm(r, fields)
	done := "policy-created"
	// What the form could not read stands in the input as a value the
	// policy's rules refuse, so that the service checks the rest (and what
	// the policy names) and nothing is saved; the form's own words on a
	// field come first.
	formErr := err
	switch {
	case p == nil:
		_, err = s.SLAPolicies.CreateSLAPolicy(ctx, in)
	default:
		done = "policy-updated"
		patch := &tend.SLAPolicyPatch{UpdatedAt: formTime(r, "updated_at"), Name: &in.Name, Position: &in.Position,
			CalendarID: &in.CalendarID, Targets: &in.Targets}
		if !p.Default {
			patch.Conditions = &in.Conditions // the default's form has none
		}
		_, err = s.SLAPolicies.UpdateSLAPolicy(ctx, p.ID, patch)
	}
	if formErr != nil {
		err = withRuleProblems(formErr, err)
	}
	if err != nil {
		s.renderPolicy(w, r, agent, ctx, p, v, httpStatus(err), err)
		return
	}
	http.Redirect(w, r, "/settings/service-levels?done="+done, http.StatusSeeOther)
}

// withRuleProblems adds to the problems the form found those the
// policy's own rules find in what could be read, so that one answer says
// all that is wrong; a rule's word on a field the form already refused,
// or on its parent ("targets" beside "targets.resolution"), is left out.
func withRuleProblems(form, rules error) error {
	refused := tend.ErrorFields(form)
	p := tend.Problems{}
	maps.Copy(p, refused)
	for field, problem := range tend.ErrorFields(rules) {
		covered := false
		for f := range refused {
			covered = covered || f == field || strings.HasPrefix(f, field+".")
		}
		if !covered {
			p.Add(field, "%s", problem)
		}
	}
	return p.Err()
}

// policyCreate serves POST /settings/service-levels/policies.
func (s *Server) policyCreate(w http.ResponseWriter, r *http.Request) { s.policySave(w, r, nil) }

func (s *Server) policyByPath(w http.ResponseWriter, r *http.Request) (*tend.Agent, context.Context, *tend.SLAPolicy, bool) {
	agent, ctx, ok := s.serviceLevelPage(w, r, "Policy")
	if !ok {
		return nil, nil, nil, false
	}
	id, ok := s.idFromPath(w, r, agent, "policy")
	if !ok {
		return nil, nil, nil, false
	}
	p, err := s.SLAPolicies.FindSLAPolicyByID(ctx, id)
	if err != nil {
		s.pageError(w, r, agent, err)
		return nil, nil, nil, false
	}
	return agent, ctx, p, true
}

// policyEdit serves GET /settings/service-levels/policies/{id}.
func (s *Server) policyEdit(w http.ResponseWriter, r *http.Request) {
	if agent, ctx, p, ok := s.policyByPath(w, r); ok {
		s.renderPolicy(w, r, agent, ctx, p, policyValuesOf(p), http.StatusOK, nil)
	}
}

// policyUpdate serves POST /settings/service-levels/policies/{id}.
func (s *Server) policyUpdate(w http.ResponseWriter, r *http.Request) {
	if _, _, p, ok := s.policyByPath(w, r); ok {
		s.policySave(w, r, p)
	}
}

// policyDelete serves POST /settings/service-levels/policies/{id}/delete.
func (s *Server) policyDelete(w http.ResponseWriter, r *http.Request) {
	_, _, p, ok := s.policyByPath(w, r)
	if !ok {
		return
	}
	agent, ctx, ok := s.serviceLevelForm(w, r, p.Name)
	if !ok {
		return
	}
	if err := s.SLAPolicies.DeleteSLAPolicy(ctx, p.ID); err != nil {
		s.renderPolicy(w, r, agent, ctx, p, policyValuesOf(p), httpStatus(err), err)
		return
	}
	http.Redirect(w, r, "/settings/service-levels?done=policy-deleted", http.StatusSeeOther)
}
