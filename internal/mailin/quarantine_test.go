package mailin_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// asAgent acts as the desk's agent, who may not touch the quarantine.
func (d *desk) asAgent() context.Context {
	return tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
}

func TestRawGivesBackTheMailAsReceived(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		raw := mail("fine@customer.example", "Fine", "A readable mail", "Message-ID: <raw1@customer.example>")
		rec := d.receive(raw)
		got, f, err := d.receiver.Raw(system, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if got.ID != rec.ID || !bytes.Equal(b, []byte(raw)) {
			t.Fatalf("raw of %d: record %d, bytes %q", rec.ID, got.ID, b)
		}
		if _, _, err := d.receiver.Raw(d.asAgent(), rec.ID); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent reading raw mail: %v", err)
		}
		if _, _, err := d.receiver.Raw(system, rec.ID+100); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Fatalf("raw of no mail: %v", err)
		}
	})
}
