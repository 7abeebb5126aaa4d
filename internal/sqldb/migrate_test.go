package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Migration 0012 makes SQLite's tickets table again to widen a CHECK
// constraint: every ticket, its messages, tags, history, links,
// notifications and full-text index must come through, and foreign keys
// hold afterwards. The rows are written by today's code, so the database
// has every other migration (those after 0012 only add tables).
func TestMigrationWalkInKeepsTickets(t *testing.T) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqldbtest.DSN(t, engine)
			ctx := context.Background()
			old, err := sqldb.OpenMigratedWithout(ctx, dsn, "0012_walk_in")
			if err != nil {
				t.Fatal(err)
			}
			old.PasswordParams = sqldbtest.Cheap
			e := newEnv(t, old)
			agent := e.mustAgent(t, "ann", tend.RoleAgent)
			actx := as(agent)
			first, err := e.tickets.CreateTicket(actx, &tend.TicketCreate{Subject: "Printer jams daily",
				Customer: tend.CustomerRef{Email: "bob@example.com", Name: "Bob"}, Body: "The tray sticks.",
				Channel: tend.ChannelPhone, Tags: []string{"printer", "hardware"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.tickets.AddMessage(actx, first.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Asked for the model."}); err != nil {
				t.Fatal(err)
			}
			second := e.mustTicket(t, actx, "Toner smudges", "bob@example.com", "Grey streaks.")
			if _, err := e.tickets.LinkTickets(actx, first.ID, second.ID); err != nil {
				t.Fatal(err)
			}
			bo := e.mustAgent(t, "bo", tend.RoleAgent)
			if _, err := e.tickets.UpdateTicket(actx, second.ID, &tend.TicketUpdate{OwnerID: &bo.ID}); err != nil {
				t.Fatal(err)
			}
			_, err = e.tickets.CreateTicket(actx, &tend.TicketCreate{Subject: "At the desk",
				Customer: tend.CustomerRef{Email: "bob@example.com"}, Body: "Hi", Channel: tend.ChannelWalkIn})
			if err == nil {
				t.Fatal("the old schema took a walk-in ticket; the test does not test the migration")
			}
			var before []string
			if engine == sqldb.SQLite {
				if before, err = sqldb.SQLiteSchemaOf(old, "tickets"); err != nil || len(before) < 10 {
					t.Fatalf("indexes and triggers of tickets: %v, %v", before, err)
				}
			}
			old.Close()

			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("migrate with rows: %v", err)
			}
			defer db.Close()
			db.PasswordParams = sqldbtest.Cheap
			if engine == sqldb.SQLite {
				after, err := sqldb.SQLiteSchemaOf(db, "tickets")
				if err != nil || !slices.Equal(after, before) {
					t.Errorf("indexes and triggers of tickets changed:\nbefore %q\nafter  %q", before, after)
				}
			}
			e = newEnv(t, db)
			got, err := e.tickets.FindTicketByID(actx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Number != first.Number || got.Subject != first.Subject || got.Channel != tend.ChannelPhone ||
				!slices.Equal(got.Tags, []string{"hardware", "printer"}) || len(got.Messages) != 2 ||
				len(got.Links) != 1 || got.Links[0].ID != second.ID || got.Version != 2 {
				t.Errorf("after the migration: %+v", got)
			}
			told, _, _, err := sqldb.NewNotificationService(db).FindNotifications(as(bo), tend.NotificationFilter{})
			if err != nil || len(told) != 1 || told[0].TicketID != second.ID {
				t.Errorf("bo's notifications after the migration: %+v, %v", told, err)
			}
			events, _, err := e.tickets.FindTicketEvents(actx, first.ID, "", 0)
			if err != nil || len(events) < 3 {
				t.Errorf("history after the migration: %v, %v", events, err)
			}
			tagged, _, err := e.tickets.FindTickets(actx, tend.TicketFilter{Tag: "printer"})
			if err != nil || len(tagged) != 1 {
				t.Errorf("by tag: %v, %v", tagged, err)
			}
			found, _, err := e.tickets.FindTickets(actx, tend.TicketFilter{Q: "printer"})
			if err != nil || len(found) != 1 || found[0].ID != first.ID {
				t.Errorf("search for the old subject: %v, %v", found, err)
			}
			// The subject's triggers came back with the table.
			subject := "Paper feed broken"
			if _, err := e.tickets.UpdateTicket(actx, first.ID, &tend.TicketUpdate{Subject: &subject}); err != nil {
				t.Fatal(err)
			}
			found, _, err = e.tickets.FindTickets(actx, tend.TicketFilter{Q: "feed"})
			if err != nil || len(found) != 1 || found[0].ID != first.ID {
				t.Errorf("search for the new subject: %v, %v", found, err)
			}
			walkIn, err := e.tickets.CreateTicket(actx, &tend.TicketCreate{Subject: "At the desk",
				Customer: tend.CustomerRef{Email: "bob@example.com"}, Body: "Hi", Channel: tend.ChannelWalkIn})
			if err != nil || walkIn.Number <= second.Number {
				t.Fatalf("walk-in after the migration: %+v, %v", walkIn, err)
			}
			// The writer's foreign keys are on again.
			if on, err := sqldb.WriterForeignKeys(db); err != nil || !on {
				t.Errorf("foreign keys on the writer after the migration: %v, %v", on, err)
			}
		})
	}
}
