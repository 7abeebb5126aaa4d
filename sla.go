package tend

import (
	"context"
	"slices"
	"strings"
	"time"
)

// TargetKind names one promise a service-level policy makes.
type TargetKind string

const (
	// TargetFirstResponse: a person from staff answers a new ticket.
	TargetFirstResponse TargetKind = "first_response"
	// TargetNextResponse: each customer message after the first answer
	// is answered in turn.
	TargetNextResponse TargetKind = "next_response"
	// TargetPeriodicUpdate: while the ticket waits on us, the customer
	// hears from us at least this often.
	TargetPeriodicUpdate TargetKind = "periodic_update"
	// TargetResolution: the ticket is solved.
	TargetResolution TargetKind = "resolution"
	// TargetAssignment: a new ticket has an owner.
	TargetAssignment TargetKind = "assignment"
)

// TargetKinds lists every target, in the order pages show them.
var TargetKinds = []TargetKind{TargetFirstResponse, TargetNextResponse, TargetPeriodicUpdate, TargetResolution, TargetAssignment}

// Label is how people read the target.
func (k TargetKind) Label() string {
	return strings.ReplaceAll(strings.ToUpper(string(k[:1]))+string(k[1:]), "_", " ")
}

// MaxTargetMinutes is the longest target: a year of business minutes.
const MaxTargetMinutes = 525600

// MaxConditionValues bounds each list of a policy's conditions.
const MaxConditionValues = 500

// Targets are a policy's promises in business minutes; nil is no such
// promise.
type Targets struct {
	FirstResponse  *int `json:"first_response"`
	NextResponse   *int `json:"next_response"`
	PeriodicUpdate *int `json:"periodic_update"`
	Resolution     *int `json:"resolution"`
	Assignment     *int `json:"assignment"`
}

// Minutes returns the length of target k, or nil.
func (t *Targets) Minutes(k TargetKind) *int {
	switch k {
	case TargetFirstResponse:
		return t.FirstResponse
	case TargetNextResponse:
		return t.NextResponse
	case TargetPeriodicUpdate:
		return t.PeriodicUpdate
	case TargetResolution:
		return t.Resolution
	case TargetAssignment:
		return t.Assignment
	}
	return nil
}

func (t *Targets) length(k TargetKind) time.Duration {
	if m := t.Minutes(k); m != nil {
		return time.Duration(*m) * time.Minute
	}
	return 0
}

// PolicyConditions choose the tickets a policy covers: every list that is
// not empty must hold the ticket's value (for tags, one of its tags; for
// fields, each named field's value).
type PolicyConditions struct {
	Priorities      []Priority          `json:"priorities"`
	Tiers           []Tier              `json:"tiers"`
	OrganizationIDs []int64             `json:"organization_ids"`
	Channels        []Channel           `json:"channels"`
	TeamIDs         []int64             `json:"team_ids"`
	Tags            []string            `json:"tags"`
	Fields          map[string][]string `json:"fields"`
}

// SLAPolicy is a set of promises for the tickets its conditions choose.
// Policies are tried in order of Position; the first that matches
// applies, and the default policy, always last, covers the rest.
type SLAPolicy struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	Position   int              `json:"position"`
	CalendarID int64            `json:"calendar_id"`
	Conditions PolicyConditions `json:"conditions"`
	Targets    Targets          `json:"targets"`
	Default    bool             `json:"default"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// SLAPolicyInput is a new policy, or the whole of an edited one.
type SLAPolicyInput struct {
	Name       string           `json:"name"`
	Position   int              `json:"position"`
	CalendarID int64            `json:"calendar_id"`
	Conditions PolicyConditions `json:"conditions"`
	Targets    Targets          `json:"targets"`
}

// SLAPolicyPatch changes a policy; nil fields are left as they are. A
// target set to null in Targets is removed: Targets replaces them all.
type SLAPolicyPatch struct {
	// UpdatedAt, when given, is the policy's updated_at as the caller read
	// it: a change made since by someone else is not overwritten (ESTALE).
	UpdatedAt  *time.Time        `json:"updated_at"`
	Name       *string           `json:"name"`
	Position   *int              `json:"position"`
	CalendarID *int64            `json:"calendar_id"`
	Conditions *PolicyConditions `json:"conditions"`
	Targets    *Targets          `json:"targets"`
}

// Apply returns the input that results from patching p.
func (pt *SLAPolicyPatch) Apply(p *SLAPolicy) SLAPolicyInput {
	in := SLAPolicyInput{Name: p.Name, Position: p.Position, CalendarID: p.CalendarID, Conditions: p.Conditions, Targets: p.Targets}
	if pt.Name != nil {
		in.Name = *pt.Name
	}
	if pt.Position != nil {
		in.Position = *pt.Position
	}
	if pt.CalendarID != nil {
		in.CalendarID = *pt.CalendarID
	}
	if pt.Conditions != nil {
		in.Conditions = *pt.Conditions
	}
	if pt.Targets != nil {
		in.Targets = *pt.Targets
	}
	return in
}

// Normalize trims the name and normalizes the tags and field values.
func (in *SLAPolicyInput) Normalize() {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	c := &in.Conditions
	for i, t := range c.Tags {
		c.Tags[i] = NormalizeTag(t)
	}
	for k, vs := range c.Fields {
		for i, v := range vs {
			vs[i] = strings.TrimSpace(v)
		}
		if k != strings.TrimSpace(k) {
			delete(c.Fields, k)
			c.Fields[strings.TrimSpace(k)] = vs
		}
	}
}

// Validate returns EINVALID naming each field that is wrong. That teams,
// organizations, fields and the calendar exist is checked where they are
// stored.
func (in *SLAPolicyInput) Validate() error {
	p := Problems{}
	validateName(p, "name", in.Name)
	if in.Position < 0 || in.Position > 10000 {
		p.Add("position", "must be 0 to 10000")
	}
	if in.CalendarID <= 0 {
		p.Add("calendar_id", "is required: the calendar whose business hours the targets count in")
	}
	any := false
	for _, k := range TargetKinds {
		m := in.Targets.Minutes(k)
		if m == nil {
			continue
		}
		any = true
		switch {
		case *m <= 0:
			p.Add("targets."+string(k), "must be a positive number of business minutes; leave it out for no such target")
		case *m > MaxTargetMinutes:
			p.Add("targets."+string(k), "must be at most %d minutes (a year)", MaxTargetMinutes)
		}
	}
	if !any {
		p.Add("targets", "give at least one target, in business minutes: first response, next response, periodic update, resolution or assignment")
	}
	c := &in.Conditions
	for _, pr := range c.Priorities {
		if !pr.Valid() {
			p.Add("conditions.priorities", "%q is not a priority: use low, normal, high or urgent", pr)
		}
	}
	for _, t := range c.Tiers {
		if !t.Valid() {
			p.Add("conditions.tiers", "%q is not a tier: use standard or priority", t)
		}
	}
	for _, ch := range c.Channels {
		if !ch.Valid() {
			p.Add("conditions.channels", "%q is not a channel", ch)
		}
	}
	for field, n := range map[string]int{"conditions.organization_ids": len(c.OrganizationIDs), "conditions.team_ids": len(c.TeamIDs),
		"conditions.fields": len(c.Fields), "conditions.priorities": len(c.Priorities), "conditions.tiers": len(c.Tiers),
		"conditions.channels": len(c.Channels)} {
		if n > MaxConditionValues {
			p.Add(field, "may hold at most %d values; a policy for more is better written the other way round", MaxConditionValues)
		}
	}
	for k, vs := range c.Fields {
		if len(vs) > MaxConditionValues {
			p.Add("conditions.fields."+k, "may hold at most %d values", MaxConditionValues)
		}
	}
	validateTags(p, "conditions.tags", c.Tags)
	for _, t := range c.Tags {
		if t == "" {
			p.Add("conditions.tags", "a tag may not be empty")
		}
	}
	for k, vs := range c.Fields {
		if len(vs) == 0 {
			p.Add("conditions.fields."+k, "give at least one value, or leave the field out")
		}
	}
	return p.Err()
}

// Matches reports whether the policy's conditions hold for t, whose
// organization has tier (empty when it has none).
func (c *PolicyConditions) Matches(t *Ticket, tier Tier) bool {
	if len(c.Priorities) > 0 && !slices.Contains(c.Priorities, t.Priority) {
		return false
	}
	if len(c.Tiers) > 0 && !slices.Contains(c.Tiers, tierOrStandard(tier)) {
		return false
	}
	if len(c.OrganizationIDs) > 0 && (t.OrganizationID == nil || !slices.Contains(c.OrganizationIDs, *t.OrganizationID)) {
		return false
	}
	if len(c.Channels) > 0 && !slices.Contains(c.Channels, t.Channel) {
		return false
	}
	if len(c.TeamIDs) > 0 && (t.TeamID == nil || !slices.Contains(c.TeamIDs, *t.TeamID)) {
		return false
	}
	if len(c.Tags) > 0 && !slices.ContainsFunc(c.Tags, func(tag string) bool { return slices.Contains(t.Tags, tag) }) {
		return false
	}
	for key, values := range c.Fields {
		v, ok := t.Fields[key]
		if !ok || !slices.ContainsFunc(values, func(want string) bool { return strings.EqualFold(want, v) }) {
			return false
		}
	}
	return true
}

// A customer without an organization is served as the standard tier.
func tierOrStandard(t Tier) Tier {
	if t == "" {
		return TierStandard
	}
	return t
}

// ChoosePolicy returns the first policy, in order, whose conditions hold
// for t; the default policy when none does.
func ChoosePolicy(policies []*SLAPolicy, t *Ticket, tier Tier) *SLAPolicy {
	var fallback *SLAPolicy
	for _, p := range policies {
		if p.Default {
			fallback = p
			continue
		}
		if p.Conditions.Matches(t, tier) {
			return p
		}
	}
	return fallback
}

// SortPolicies orders policies as they are tried: by position, then
// age; the default last.
func SortPolicies(policies []*SLAPolicy) {
	slices.SortStableFunc(policies, func(a, b *SLAPolicy) int {
		switch {
		case a.Default != b.Default:
			if a.Default {
				return 1
			}
			return -1
		case a.Position != b.Position:
			return a.Position - b.Position
		}
		return int(a.ID - b.ID)
	})
}

// SLAPolicyService manages the policies. Leads and above change them;
// all staff read them.
type SLAPolicyService interface {
	FindSLAPolicies(ctx context.Context) ([]*SLAPolicy, error)
	FindSLAPolicyByID(ctx context.Context, id int64) (*SLAPolicy, error)
	CreateSLAPolicy(ctx context.Context, in *SLAPolicyInput) (*SLAPolicy, error)
	// UpdateSLAPolicy changes a policy; the default policy keeps no
	// conditions.
	UpdateSLAPolicy(ctx context.Context, id int64, patch *SLAPolicyPatch) (*SLAPolicy, error)
	// DeleteSLAPolicy refuses the default policy, and a policy open
	// tickets are under.
	DeleteSLAPolicy(ctx context.Context, id int64) error
}

// TicketSLA is where a ticket stands against its policy's promises.
type TicketSLA struct {
	PolicyID int64 `json:"policy_id"`
	// Paused: the ticket waits on the customer, and no clock runs.
	Paused  bool        `json:"paused"`
	Targets []SLATarget `json:"targets"`
	// TimerAt is when the timer job last queued for the ticket is due;
	// the store's bookkeeping, not part of the promise.
	TimerAt *time.Time `json:"-"`
}

// SLATarget is one promise as it stands: running (DueAt set, neither met
// nor breached), met, or breached (and perhaps met later). DueAt is nil
// while the clock is paused.
type SLATarget struct {
	Kind       TargetKind `json:"kind"`
	DueAt      *time.Time `json:"due_at"`
	MetAt      *time.Time `json:"met_at"`
	BreachedAt *time.Time `json:"breached_at"`
	// WarnAt is when the target is at risk: when the share of it the
	// desk's setting names has been used.
	WarnAt *time.Time `json:"warn_at"`
	// Warned: the holder was told the target is at risk.
	Warned bool `json:"warned"`
	// Cycle counts the target's rounds: the nth customer message awaiting
	// a next response, the nth resolution after reopens.
	Cycle int `json:"cycle"`
	// Ended: the round stopped unmet (the ticket was solved, merged or put
	// in spam first). A breach stays shown, but asks nothing of anyone.
	Ended bool `json:"-"`
}

// Running reports whether the target's clock runs.
func (t *SLATarget) Running() bool { return t.DueAt != nil && t.MetAt == nil && t.BreachedAt == nil }

// AtRisk reports whether a running target has passed its warning point.
func (t *SLATarget) AtRisk(now time.Time) bool {
	return t.Running() && t.WarnAt != nil && !now.Before(*t.WarnAt)
}

// Target returns the ticket's target of kind k, or nil.
func (s *TicketSLA) Target(k TargetKind) *SLATarget {
	if s == nil {
		return nil
	}
	for i := range s.Targets {
		if s.Targets[i].Kind == k {
			return &s.Targets[i]
		}
	}
	return nil
}

// Deadline is what lists order by: the earliest deadline passed and not
// met, else the next deadline of a running target; nil when neither.
func (s *TicketSLA) Deadline() *time.Time {
	var at *time.Time
	if s == nil {
		return nil
	}
	for _, t := range s.Targets {
		this := t.DueAt
		switch {
		case t.BreachedAt != nil && t.MetAt == nil && !t.Ended:
			this = t.BreachedAt
		case !t.Running():
			continue
		}
		if this != nil && (at == nil || this.Before(*at)) {
			at = this
		}
	}
	return at
}

// RiskAt is when the ticket is, or becomes, at risk: the earliest warning
// point of a running target, or the deadline of a breached one not yet
// met; nil when neither.
func (s *TicketSLA) RiskAt() *time.Time {
	var at *time.Time
	if s == nil {
		return nil
	}
	for _, t := range s.Targets {
		var this *time.Time
		switch {
		case t.Running():
			this = t.WarnAt
		case t.BreachedAt != nil && t.MetAt == nil && !t.Ended:
			this = t.BreachedAt
		}
		if this != nil && (at == nil || this.Before(*at)) {
			at = this
		}
	}
	return at
}

// WakeAt is when the ticket's timer must next look at it: the next
// warning point not yet given, or deadline, of a running target; nil when
// none.
func (s *TicketSLA) WakeAt() *time.Time {
	var at *time.Time
	if s == nil {
		return nil
	}
	for _, t := range s.Targets {
		if !t.Running() {
			continue
		}
		this := t.DueAt
		if !t.Warned && t.WarnAt != nil {
			this = t.WarnAt
		}
		if at == nil || this.Before(*at) {
			at = this
		}
	}
	return at
}

// SLAWarning records that a target reached its warning point unmet.
type SLAWarning struct {
	Target TargetKind `json:"target"`
	Cycle  int        `json:"cycle"`
	DueAt  time.Time  `json:"due_at"`
}

// SLABreached records that a target's deadline passed unmet. It stays in
// the history when the target is met later.
type SLABreached struct {
	Target TargetKind `json:"target"`
	Cycle  int        `json:"cycle"`
	DueAt  time.Time  `json:"due_at"`
}

// SLARecomputed records that the deadlines were laid out again: another
// policy applies (FromPolicyID to PolicyID), or the calendar or policy
// changed. The names are the policies' when it was recorded, so that the
// history still names one deleted since.
type SLARecomputed struct {
	FromPolicyID *int64 `json:"from_policy_id"`
	FromPolicy   string `json:"from_policy,omitempty"`
	PolicyID     int64  `json:"policy_id"`
	Policy       string `json:"policy,omitempty"`
	Reason       string `json:"reason"`
}

func (SLAWarning) EventKind() EventKind { return EventSLAWarning }

// String is the target in words, as the history reads it: "first response".
func (k TargetKind) String() string { return strings.ReplaceAll(string(k), "_", " ") }

func (SLABreached) EventKind() EventKind   { return EventSLABreached }
func (SLARecomputed) EventKind() EventKind { return EventSLARecomputed }

// StaleEdit is the refusal of an edit made to a copy that someone else
// changed since it was read (a patch's UpdatedAt).
func StaleEdit(what string, read *time.Time, now time.Time) error {
	if read == nil || read.Equal(now) {
		return nil
	}
	return Errorf(ESTALE, "%s changed after this copy of it was opened (in another tab, by a second click on Save, or by someone else). Nothing was saved: open it again (in the API, read it again) to see it as it is now, then make your change.", upperFirst(what))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
