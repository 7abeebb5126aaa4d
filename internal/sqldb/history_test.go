package sqldb_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// History rows written before payloads had types, in the shape that code
// wrote them, still read as the typed payload of their kind.
func TestHistoryRowsOfTheOldShapeRead(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	rows := []struct {
		kind string
		data string
		want tend.EventData
	}{
		{"created", `{"channel":"email","customer_id":4,"message_id":9,"number":1000,"priority":"normal","status":"new","subject":"Printer","tags":["a"],"team_id":null}`,
			tend.TicketCreated{Number: 1000, Subject: "Printer", Status: tend.StatusNew, Priority: tend.PriorityNormal, Channel: tend.ChannelEmail,
				CustomerID: 4, Tags: []string{"a"}, MessageID: 9}},
		{"status_changed", `{"from":"new","to":"open"}`, tend.StatusChanged{From: tend.StatusNew, To: tend.StatusOpen}},
		{"priority_changed", `{"from":"normal","to":"high"}`, tend.PriorityChanged{From: tend.PriorityNormal, To: tend.PriorityHigh}},
		{"owner_changed", `{"from":null,"to":3}`, tend.OwnerChanged{To: id(3)}},
		{"team_changed", `{"from":2,"to":null}`, tend.TeamChanged{From: id(2)}},
		{"tags_changed", `{"added":["vip"],"removed":["old"]}`, tend.TagsChanged{Added: []string{"vip"}, Removed: []string{"old"}}},
		{"subject_changed", `{"from":"a","to":"b"}`, tend.SubjectChanged{From: "a", To: "b"}},
		{"message_added", `{"attachments":1,"author_id":3,"author_type":"agent","kind":"reply","message_id":5}`,
			tend.MessageAdded{MessageID: 5, Kind: tend.KindReply, AuthorType: tend.AuthorAgent, AuthorID: id(3), Attachments: 1}},
		{"message_added", `{"attachments":0,"author_id":4,"author_type":"customer","channel":"email","kind":"reply","message_id":6}`,
			tend.MessageAdded{MessageID: 6, Kind: tend.KindReply, AuthorType: tend.AuthorCustomer, AuthorID: id(4), Channel: tend.ChannelEmail}},
		{"reopened", `{"reopen_count":2}`, tend.Reopened{ReopenCount: 2}},
		{"bounced", `{"message_id":5,"permanent":true,"reason":"550 unknown","recipients":["ann@example.com"]}`,
			tend.Bounced{MessageID: id(5), Permanent: true, Reason: "550 unknown", Recipients: []string{"ann@example.com"}}},
		{"auto_reply", `{"from":"ann@example.com","reason":"vacation","subject":"Away"}`,
			tend.AutoReplied{Reason: "vacation", From: "ann@example.com", Subject: "Away"}},
		{"delivery_failed", `{"message_id":5,"outbound_id":2,"reason":"refused","to":"ann@example.com"}`,
			tend.DeliveryFailed{OutboundID: 2, MessageID: id(5), Reason: "refused", To: "ann@example.com"}},
		{"participants", `{"added":["cc@example.com","dd@example.com"]}`, tend.ParticipantsAdded{Added: []string{"cc@example.com", "dd@example.com"}}},
		{"follow_up_created", `{"number":1001,"ticket_id":2}`, tend.FollowUpCreated{TicketID: 2, Number: 1001}},
		{"a_kind_from_a_newer_version", `{"x":1}`, tend.UnknownEvent{Kind: "a_kind_from_a_newer_version", Raw: []byte(`{"x":1}`)}},
		{"reopened", `{"reopen_count":"twice"}`, tend.UnknownEvent{Kind: "reopened", Raw: []byte(`{"reopen_count":"twice"}`)}},
	}
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqldbtest.DSN(t, engine)
			db, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			e := newEnv(t, db)
			tk := e.mustTicket(t, system, "Old history", "old@example.com", "Hello.")
			exec := sqldbtest.Exec(t, engine, dsn)
			for _, r := range rows {
				stmt := `INSERT INTO ticket_events (ticket_id, kind, actor_type, actor_id, data, created_at)
					SELECT ticket_id, '` + r.kind + `', 'system', NULL, '` + strings.ReplaceAll(r.data, "'", "''") + `', created_at
					FROM ticket_events WHERE id = (SELECT MIN(id) FROM ticket_events WHERE ticket_id = ` + strconv.FormatInt(tk.ID, 10) + `)`
				if err := exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			events, _, err := e.tickets.FindTicketEvents(system, tk.ID, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			old := events[len(events)-len(rows):]
			for i, r := range rows {
				got := old[i].Data
				if u, ok := got.(tend.UnknownEvent); ok {
					u.Raw = []byte(strings.ReplaceAll(string(u.Raw), " ", "")) // PostgreSQL's JSON spacing
					got = u
				}
				if !reflect.DeepEqual(got, r.want) {
					t.Errorf("%s %s read as %#v, want %#v", r.kind, r.data, got, r.want)
				}
			}
		})
	}
}
