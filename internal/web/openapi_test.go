package web

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tendhq/tend"
)

// These tests keep openapi.json (the document the server embeds and
// serves) in step with the code: its routes, the fields of its wire types,
// its enums, and its internal references.

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// openAPISchema returns components.schemas[name], or nil.
func openAPISchema(doc map[string]any, name string) map[string]any {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	schema, _ := schemas[name].(map[string]any)
	return schema
}

// jsonFieldNames returns the names encoding/json uses for the fields of
// struct type t: the json tag's name, else the Go name. Unexported fields
// and "-" are skipped; omitempty fields count.
func jsonFieldNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() || tag == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			names = append(names, jsonFieldNames(f.Type)...)
			continue
		case name == "":
			name = f.Name
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// notIn returns the elements of a that are not in b.
func notIn(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestOpenAPIVersion(t *testing.T) {
	doc := loadOpenAPI(t)
	if got := doc["openapi"]; got != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", got)
	}
}

func TestOpenAPIPathsMatchRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	var inCode []string
	for _, rt := range (&Server{}).apiRoutes() {
		inCode = append(inCode, strings.ToUpper(rt.method)+" "+rt.path)
	}
	httpMethods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	paths, _ := doc["paths"].(map[string]any)
	var inDoc []string
	for path, item := range paths {
		for key := range item.(map[string]any) {
			if slices.Contains(httpMethods, strings.ToLower(key)) {
				inDoc = append(inDoc, strings.ToUpper(key)+" "+path)
			}
		}
	}
	sort.Strings(inCode)
	sort.Strings(inDoc)
	for _, r := range notIn(inCode, inDoc) {
		t.Errorf("route %s is in apiRoutes but not in openapi.json", r)
	}
	for _, r := range notIn(inDoc, inCode) {
		t.Errorf("operation %s is in openapi.json but not in apiRoutes", r)
	}
}

func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]any{
		// What the API returns.
		"Ticket":               tend.Ticket{},
		"Message":              tend.Message{},
		"Attachment":           tend.Attachment{},
		"Customer":             tend.Customer{},
		"Organization":         tend.Organization{},
		"Agent":                tend.Agent{},
		"Team":                 tend.Team{},
		"Token":                tend.Token{},
		"CreatedToken":         createdToken{},
		"Event":                tend.Event{},
		"AuditEntry":           tend.AuditEntry{},
		"SearchHit":            tend.SearchHit{},
		"Settings":             tend.Settings{},
		"Problem":              problem{},
		"Mailbox":              tend.Mailbox{},
		"IMAP":                 tend.IMAP{},
		"InboundRecord":        tend.InboundRecord{},
		"Bounce":               tend.Bounce{},
		"MailAddress":          tend.MailAddress{},
		"FieldProblem":         fieldProblem{},
		"ReplyRecipients":      tend.ReplyRecipients{},
		"SuggestedParticipant": tend.SuggestedParticipant{},
		"BlockedSender":        tend.BlockedSender{},
		"Macro":                tend.Macro{},
		"MacroActions":         tend.MacroActions{},
		"MacroResult":          tend.MacroResult{},

		// History payloads, one per kind of event.
		"TicketCreated":         tend.TicketCreated{},
		"StatusChanged":         tend.StatusChanged{},
		"PriorityChanged":       tend.PriorityChanged{},
		"OwnerChanged":          tend.OwnerChanged{},
		"TeamChanged":           tend.TeamChanged{},
		"TagsChanged":           tend.TagsChanged{},
		"SubjectChanged":        tend.SubjectChanged{},
		"CustomerMerged":        tend.CustomerMerged{},
		"MessageAdded":          tend.MessageAdded{},
		"Reopened":              tend.Reopened{},
		"Bounced":               tend.Bounced{},
		"AutoReplied":           tend.AutoReplied{},
		"DeliveryFailed":        tend.DeliveryFailed{},
		"ParticipantsAdded":     tend.ParticipantsAdded{},
		"FollowUpCreated":       tend.FollowUpCreated{},
		"ParticipantsSuggested": tend.ParticipantsSuggested{},
		"SpamMarked":            tend.SpamMarked{},
		"ParticipantRemoved":    tend.ParticipantRemoved{},
		"FieldChanged":          tend.FieldChanged{},
		"Field":                 tend.Field{},
		"Calendar":              tend.Calendar{},
		"BusinessHours":         tend.BusinessHours{},
		"Holiday":               tend.Holiday{},
		"YearlyRule":            tend.YearlyRule{},
		"SLAPolicy":             tend.SLAPolicy{},
		"PolicyConditions":      tend.PolicyConditions{},
		"Targets":               tend.Targets{},

		// Lists.
		"TicketList":               page[*tend.Ticket]{},
		"SearchResults":            page[*tend.SearchHit]{},
		"EventList":                page[*tend.Event]{},
		"CustomerList":             page[*tend.Customer]{},
		"OrganizationList":         page[*tend.Organization]{},
		"AgentList":                page[*tend.Agent]{},
		"TeamList":                 page[*tend.Team]{},
		"TokenList":                page[*tend.Token]{},
		"AuditList":                page[*tend.AuditEntry]{},
		"MailboxList":              page[*tend.Mailbox]{},
		"InboundList":              page[*tend.InboundRecord]{},
		"SuggestedParticipantList": page[*tend.SuggestedParticipant]{},
		"BlockedSenderList":        page[*tend.BlockedSender]{},
		"MacroList":                page[*tend.Macro]{},
		"FieldList":                page[*tend.Field]{},
		"CalendarList":             page[*tend.Calendar]{},
		"SLAPolicyList":            page[*tend.SLAPolicy]{},

		// What the handlers decode.
		"TicketCreate":       tend.TicketCreate{},
		"CustomerRef":        tend.CustomerRef{},
		"AttachmentInput":    tend.AttachmentInput{},
		"TicketPatch":        ticketPatch{},
		"MessageCreate":      tend.MessageCreate{},
		"CustomerCreate":     tend.CustomerCreate{},
		"CustomerPatch":      customerPatch{},
		"OrganizationCreate": tend.OrganizationCreate{},
		"OrganizationPatch":  tend.OrganizationUpdate{},
		"AgentCreate":        tend.AgentCreate{},
		"AgentPatch":         tend.AgentUpdate{},
		"TeamCreate":         tend.TeamCreate{},
		"TeamPatch":          teamPatch{},
		"TokenCreate":        tend.TokenCreate{},
		"SettingsPatch":      settingsPatch{},
		"MailboxCreate":      tend.MailboxCreate{},
		"MailboxPatch":       mailboxPatch{},
		"SpamInput":          spamInput{},
		"ParticipantsInput":  participantsInput{},
		"BlockInput":         blockInput{},
		"IMAPInput":          tend.IMAPInput{},
		"MacroCreate":        tend.MacroCreate{},
		"MacroPatch":         tend.MacroUpdate{},
		"MacroApply":         tend.MacroApply{},
		"FieldInput":         tend.FieldInput{},
		"FieldPatch":         tend.FieldPatch{},
		"CalendarInput":      tend.CalendarInput{},
		"CalendarPatch":      tend.CalendarPatch{},
		"SLAPolicyInput":     tend.SLAPolicyInput{},
		"SLAPolicyPatch":     tend.SLAPolicyPatch{},
	}
	for name, v := range types {
		goType := reflect.TypeOf(v)
		schema := openAPISchema(doc, name)
		if schema == nil {
			t.Errorf("components.schemas.%s is missing (Go type %s)", name, goType)
			continue
		}
		props, _ := schema["properties"].(map[string]any)
		var inDoc []string
		for p := range props {
			inDoc = append(inDoc, p)
		}
		sort.Strings(inDoc)
		inGo := jsonFieldNames(goType)
		if missing := notIn(inGo, inDoc); len(missing) > 0 {
			t.Errorf("schema %s lacks properties %v of Go type %s", name, missing, goType)
		}
		if extra := notIn(inDoc, inGo); len(extra) > 0 {
			t.Errorf("schema %s has properties %v that Go type %s does not", name, extra, goType)
		}
	}
}

func TestOpenAPIEnumsMatchGo(t *testing.T) {
	doc := loadOpenAPI(t)
	enums := map[string][]string{
		"Status":     enumStrings(tend.Statuses),
		"Priority":   enumStrings(tend.Priorities),
		"Channel":    enumStrings(tend.Channels),
		"Role":       enumStrings(tend.Roles),
		"MacroScope": enumStrings(tend.MacroScopes),
	}
	for name, want := range enums {
		schema := openAPISchema(doc, name)
		if schema == nil {
			t.Errorf("components.schemas.%s is missing", name)
			continue
		}
		var got []string
		values, _ := schema["enum"].([]any)
		for _, v := range values {
			got = append(got, fmt.Sprint(v))
		}
		if !slices.Equal(got, want) {
			t.Errorf("schema %s enum = %v, want %v", name, got, want)
		}
	}
	props, _ := openAPISchema(doc, "InboundRecord")["properties"].(map[string]any)
	outcome, _ := props["outcome"].(map[string]any)
	var got []string
	for _, v := range outcome["enum"].([]any) {
		got = append(got, fmt.Sprint(v))
	}
	if want := enumStrings(tend.InboundOutcomes); !slices.Equal(got, want) {
		t.Errorf("InboundRecord.outcome enum = %v, want %v", got, want)
	}
	// The orders of GET /tickets.
	list, _ := doc["paths"].(map[string]any)["/tickets"].(map[string]any)["get"].(map[string]any)
	got = nil
	for _, p := range list["parameters"].([]any) {
		if p, _ := p.(map[string]any); p["name"] == "sort" {
			for _, v := range p["schema"].(map[string]any)["enum"].([]any) {
				got = append(got, fmt.Sprint(v))
			}
		}
	}
	if want := enumStrings(tend.TicketSorts); !slices.Equal(got, want) {
		t.Errorf("GET /tickets sort enum = %v, want %v", got, want)
	}
}

// Event documents one payload per kind, and the payload it names for a
// kind is the Go type that kind decodes into.
func TestOpenAPIEventPayloadsByKind(t *testing.T) {
	doc := loadOpenAPI(t)
	event := openAPISchema(doc, "Event")
	byKind := map[string]string{}
	alternatives, _ := event["oneOf"].([]any)
	for _, a := range alternatives {
		props, _ := a.(map[string]any)["properties"].(map[string]any)
		kind, _ := props["kind"].(map[string]any)["const"].(string)
		ref, _ := props["data"].(map[string]any)["$ref"].(string)
		byKind[kind] = strings.TrimPrefix(ref, "#/components/schemas/")
	}
	enum, _ := openAPISchema(doc, "EventKind")["enum"].([]any)
	var inEnum []string
	for _, v := range enum {
		inEnum = append(inEnum, fmt.Sprint(v))
	}
	if want := enumStrings(tend.EventKinds); !slices.Equal(inEnum, want) {
		t.Errorf("EventKind enum = %v, want %v", inEnum, want)
	}
	for _, kind := range tend.EventKinds {
		data := tend.NewEventData(kind)
		want := reflect.TypeOf(data).Elem().Name()
		if byKind[string(kind)] != want {
			t.Errorf("Event.oneOf gives kind %s the payload %q, want %s", kind, byKind[string(kind)], want)
		}
	}
	if len(byKind) != len(tend.EventKinds) {
		t.Errorf("Event.oneOf has %d kinds, want %d", len(byKind), len(tend.EventKinds))
	}
}

func enumStrings[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && !refResolves(doc, ref) {
				t.Errorf("%s: $ref %q does not resolve", at, ref)
			}
			for k, child := range v {
				walk(child, at+"/"+k)
			}
		case []any:
			for i, child := range v {
				walk(child, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
}

// refResolves reports whether ref is a local JSON pointer, such as
// #/components/schemas/Ticket, to something in doc.
func refResolves(doc map[string]any, ref string) bool {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var node any = doc
	for _, part := range strings.Split(pointer, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// Every error code the server can answer with is documented, and only
// those.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	props, _ := openAPISchema(doc, "Problem")["properties"].(map[string]any)
	code, _ := props["code"].(map[string]any)
	var inDoc []string
	for _, v := range code["enum"].([]any) {
		inDoc = append(inDoc, fmt.Sprint(v))
	}
	var inCode []string
	for c := range statusOf {
		inCode = append(inCode, c)
	}
	sort.Strings(inDoc)
	sort.Strings(inCode)
	if !slices.Equal(inDoc, inCode) {
		t.Errorf("Problem.code enum = %v, want the codes of statusOf %v", inDoc, inCode)
	}
}
