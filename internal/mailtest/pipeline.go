package mailtest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
)

// Pipeline is the inbound pipeline over a real database and blob folder,
// with outbound mail queued as River jobs that nothing works.
type Pipeline struct {
	Tickets  *sqldb.TicketService
	Inbound  *sqldb.InboundService
	Outbound *sqldb.OutboundService // what the sender reads, signing return paths as Inbound checks them
	Receiver *mailin.Receiver
}

// NewPipeline builds the inbound pipeline of a desk on db.
func NewPipeline(tb testing.TB, db *sqldb.DB) *Pipeline {
	tb.Helper()
	blobs, err := blob.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	queue, err := jobs.Open(context.Background(), db, jobs.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tickets := sqldb.NewTicketService(db, blobs)
	tickets.Outbox = sqldb.NewOutbox(db, queue)
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	inbound := sqldb.NewInboundService(db, tickets, tickets.Outbox)
	inbound.Signer = box
	outbound := sqldb.NewOutboundService(db)
	outbound.Signer = box
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Pipeline{Tickets: tickets, Inbound: inbound, Outbound: outbound,
		Receiver: &mailin.Receiver{Inbound: inbound, Blobs: blobs, Logger: quiet}}
}
