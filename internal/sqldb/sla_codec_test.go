package sqldb

import (
	"reflect"
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestSLACodec(t *testing.T) {
	at := func(m int) *time.Time { v := time.Date(2026, 12, 1, 9, m, 0, 123000, time.UTC); return &v }
	for _, s := range []*tend.TicketSLA{
		{PolicyID: 1, Targets: []tend.SLATarget{}},
		{PolicyID: 7, Paused: true, Targets: []tend.SLATarget{{Kind: tend.TargetFirstResponse, Cycle: 1}}},
		{PolicyID: 12, Targets: []tend.SLATarget{
			{Kind: tend.TargetFirstResponse, Cycle: 1, DueAt: at(60), MetAt: at(90), BreachedAt: at(60)},
			{Kind: tend.TargetNextResponse, Cycle: 3, DueAt: at(30), WarnAt: at(20), Warned: true},
			{Kind: tend.TargetResolution, Cycle: 2, DueAt: at(240), WarnAt: at(200)},
		}},
		{PolicyID: 3, Targets: []tend.SLATarget{
			{Kind: tend.TargetFirstResponse, Cycle: 1, DueAt: at(60), BreachedAt: at(60), Ended: true},
			{Kind: tend.TargetAssignment, Cycle: 1, DueAt: at(15), BreachedAt: at(15), Warned: true, Ended: true},
		}},
	} {
		text := encodeSLA(s)
		got, err := decodeSLA(text)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("%q read back as %+v, %v; want %+v", text, got, err, s)
		}
	}
	for _, bad := range []string{"", "{}", `{"policy_id":1}`, "v2 1 0", "v1 x 0", "v1 1 0|first_response 1 0 - -", "v1 1 0|first_response 1 0 x - - -", "v1 1 0|first_response 1 y - - - -"} {
		if _, err := decodeSLA(bad); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}
