package sqldb_test

import (
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestTimeZones(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		agent := e.mustAgent(t, "bo", tend.RoleAgent)
		other := e.mustAgent(t, "cy", tend.RoleAgent)

		t.Run("an agent sets their own", func(t *testing.T) {
			a, err := e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{TimeZone: ptr(" Europe/Berlin ")})
			if err != nil || a.TimeZone != "Europe/Berlin" {
				t.Fatalf("UpdateAgent = %+v, %v", a, err)
			}
			if a, err = e.agents.FindAgentByID(as(admin), agent.ID); err != nil || a.TimeZone != "Europe/Berlin" {
				t.Fatalf("FindAgentByID = %+v, %v", a, err)
			}
			list, _, err := e.agents.FindAgents(as(admin), tend.AgentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				if a.ID == agent.ID && a.TimeZone != "Europe/Berlin" {
					t.Errorf("listed %+v", a)
				}
			}
		})
		t.Run("and clears it", func(t *testing.T) {
			a, err := e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{TimeZone: ptr("")})
			if err != nil || a.TimeZone != "" {
				t.Fatalf("UpdateAgent = %+v, %v", a, err)
			}
		})
		t.Run("but not another's", func(t *testing.T) {
			_, err := e.agents.UpdateAgent(as(agent), other.ID, &tend.AgentUpdate{TimeZone: ptr("Asia/Tokyo")})
			wantCode(t, err, tend.EFORBIDDEN)
			a, err := e.agents.UpdateAgent(as(admin), other.ID, &tend.AgentUpdate{TimeZone: ptr("Asia/Tokyo")})
			if err != nil || a.TimeZone != "Asia/Tokyo" {
				t.Fatalf("admin's UpdateAgent = %+v, %v", a, err)
			}
		})
		t.Run("an unknown zone is refused", func(t *testing.T) {
			for _, zone := range []string{"Mars/Olympus", "Local", "../etc/localtime"} {
				_, err := e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{TimeZone: ptr(zone)})
				wantCode(t, err, tend.EINVALID)
				if tend.ErrorFields(err)["time_zone"] == "" {
					t.Errorf("%q: %v does not name time_zone", zone, err)
				}
			}
		})
		t.Run("customers have one too", func(t *testing.T) {
			tk := e.mustTicket(t, as(admin), "Hello", "zoe@example.com", "Hi")
			c, err := e.customers.UpdateCustomer(as(agent), tk.CustomerID, &tend.CustomerUpdate{TimeZone: ptr("America/New_York")})
			if err != nil || c.TimeZone != "America/New_York" {
				t.Fatalf("UpdateCustomer = %+v, %v", c, err)
			}
			if c, err = e.customers.FindCustomerByID(as(agent), tk.CustomerID); err != nil || c.TimeZone != "America/New_York" {
				t.Fatalf("FindCustomerByID = %+v, %v", c, err)
			}
			_, err = e.customers.UpdateCustomer(as(agent), tk.CustomerID, &tend.CustomerUpdate{TimeZone: ptr("Nowhere")})
			wantCode(t, err, tend.EINVALID)
			if tend.ErrorFields(err)["time_zone"] == "" {
				t.Errorf("%v does not name time_zone", err)
			}
		})
	})
}
