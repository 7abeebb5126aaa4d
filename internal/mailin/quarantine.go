package mailin

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
)

// The way back from the quarantine: an admin downloads a mail as it
// arrived.

// Raw returns the record of inbound mail id and the mail as it was
// received, which the caller must close. Any inbound mail may be read, not
// only quarantined mail. It needs PermManageSettings, checked by the
// service; it returns ENOTFOUND if there is no such mail or its kept copy
// is missing.
func (r *Receiver) Raw(ctx context.Context, id int64) (*tend.InboundRecord, io.ReadSeekCloser, error) {
	rec, err := r.Inbound.FindInboundByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := r.open(rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, f, nil
}

// open opens the kept copy of rec's mail.
func (r *Receiver) open(rec *tend.InboundRecord) (io.ReadSeekCloser, error) {
	f, err := r.Blobs.Get(rec.RawSHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, tend.Errorf(tend.ENOTFOUND, "The kept copy of inbound mail %d is missing from the data folder.", rec.ID)
	} else if err != nil {
		return nil, fmt.Errorf("read kept mail: %w", err)
	}
	return f, nil
}
