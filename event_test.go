package tend_test

import (
	"reflect"
	"testing"

	"github.com/tendhq/tend"
)

// Every kind decodes to its payload as a value, which is what the history
// page and other readers switch on; a pointer would fall through them
// and read as the kind's bare name.
func TestEveryKindDecodesToAValue(t *testing.T) {
	for _, kind := range tend.EventKinds {
		d, err := tend.DecodeEventData(kind, []byte("{}"))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if reflect.TypeOf(d).Kind() == reflect.Pointer {
			t.Errorf("%s decodes to %T, a pointer", kind, d)
		}
		if d.EventKind() != kind {
			t.Errorf("%s decodes to a %s", kind, d.EventKind())
		}
	}
}
