package tend

import (
	"strings"
	"testing"
	"time"
)

// The mail of an invitation names who invited them and their teams when
// there are any, and is the same mail each time it is written.
func TestInvitationMailOf(t *testing.T) {
	made := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mb := &Mailbox{Address: "help@acme.example", Name: "Acme Help"}
	base := InvitationLetter{AgentID: 7, To: MailAddress{Name: "Nia Park", Email: "nia@staff.example"}, Secret: "s3cr-t",
		Desk: "Acme", Base: "https://help.acme.example/", Role: RoleAgent, CreatedAt: made, ExpiresAt: made.Add(InvitationTTL)}
	for _, c := range []struct {
		name      string
		change    func(*InvitationLetter)
		want, not []string
	}{
		{"plain", func(*InvitationLetter) {},
			[]string{"You are invited to Acme's help desk, as an agent.", "https://help.acme.example/invite?token=s3cr-t\n",
				"until 8 Mar 2026 09:00 UTC", "ask an admin for a new one"}, []string{"team"}},
		{"by an admin, into teams", func(l *InvitationLetter) {
			l.InvitedBy, l.Teams, l.Role = "Ada", []string{"Billing", "Sales"}, RoleLead
		}, []string{"Ada invited you to Acme's help desk, as a lead, in the teams Billing, Sales.", "ask Ada for a new one"}, nil},
		{"one team", func(l *InvitationLetter) { l.Teams = []string{"Billing"} }, []string{"in the team Billing."}, []string{"teams"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := base
			c.change(&l)
			o := InvitationMailOf(&l, mb, nil)
			if o.Subject != "You are invited to Acme's help desk" || o.FromAddress != "help@acme.example" || o.ReturnPath != "help@acme.example" ||
				o.To.Email != "nia@staff.example" || !o.AutoSubmitted || o.Kind != "invitation" || !o.Date.Equal(made) {
				t.Errorf("the mail = %+v", o)
			}
			for _, w := range c.want {
				if !strings.Contains(o.Text, w) {
					t.Errorf("the text lacks %q:\n%s", w, o.Text)
				}
			}
			for _, n := range c.not {
				if strings.Contains(o.Text, n) {
					t.Errorf("the text has %q:\n%s", n, o.Text)
				}
			}
			if again := InvitationMailOf(&l, mb, nil); again.MailMessageID != o.MailMessageID || !strings.HasSuffix(o.MailMessageID, "@acme.example") {
				t.Errorf("Message-IDs %q, %q", o.MailMessageID, again.MailMessageID)
			}
		})
	}
}
