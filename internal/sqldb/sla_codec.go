package sqldb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// A ticket's service levels are kept in ticket_sla.sla as a line of
// their own rather than JSON: every list reads fifty of them, and
// encoding/json took half the store's time to read a page.
//
//	v1 POLICY PAUSED|KIND CYCLE FLAGS DUE MET BREACHED WARN|…
//
// with PAUSED 0 or 1, FLAGS the sum of 1 (warned) and 2 (ended), and each
// time in Unix microseconds, or - for none.
const slaCodecVersion = "v1"

func encodeSLA(s *tend.TicketSLA) string {
	var b strings.Builder
	b.WriteString(slaCodecVersion)
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(s.PolicyID, 10))
	b.WriteString(flag(s.Paused))
	for _, t := range s.Targets {
		b.WriteByte('|')
		b.WriteString(string(t.Kind))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(t.Cycle))
		flags := 0
		if t.Warned {
			flags |= 1
		}
		if t.Ended {
			flags |= 2
		}
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(flags))
		for _, at := range []*time.Time{t.DueAt, t.MetAt, t.BreachedAt, t.WarnAt} {
			b.WriteByte(' ')
			if at == nil {
				b.WriteByte('-')
			} else {
				b.WriteString(strconv.FormatInt(at.UnixMicro(), 10))
			}
		}
	}
	return b.String()
}

func flag(on bool) string {
	if on {
		return " 1"
	}
	return " 0"
}

func decodeSLA(text string) (*tend.TicketSLA, error) {
	parts := strings.Split(text, "|")
	head := strings.Fields(parts[0])
	if len(head) != 3 || head[0] != slaCodecVersion {
		return nil, fmt.Errorf("service levels %q: not written by this version", text)
	}
	s := &tend.TicketSLA{Paused: head[2] == "1", Targets: make([]tend.SLATarget, 0, len(parts)-1)}
	var err error
	if s.PolicyID, err = strconv.ParseInt(head[1], 10, 64); err != nil {
		return nil, fmt.Errorf("service levels %q: %w", text, err)
	}
	for _, p := range parts[1:] {
		f := strings.Fields(p)
		if len(f) != 7 {
			return nil, fmt.Errorf("service levels %q: target %q", text, p)
		}
		t := tend.SLATarget{Kind: tend.TargetKind(f[0])}
		if t.Cycle, err = strconv.Atoi(f[1]); err != nil {
			return nil, fmt.Errorf("service levels %q: %w", text, err)
		}
		flags, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("service levels %q: %w", text, err)
		}
		t.Warned, t.Ended = flags&1 != 0, flags&2 != 0
		for i, at := range []**time.Time{&t.DueAt, &t.MetAt, &t.BreachedAt, &t.WarnAt} {
			if f[3+i] == "-" {
				continue
			}
			n, err := strconv.ParseInt(f[3+i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("service levels %q: %w", text, err)
			}
			v := time.UnixMicro(n).UTC()
			*at = &v
		}
		s.Targets = append(s.Targets, t)
	}
	return s, nil
}
