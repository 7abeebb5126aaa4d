package tend

import (
	"slices"
	"testing"
)

func TestMentions(t *testing.T) {
	staff := []Mentionable{{1, "Ann", "ann@acme.example"}, {2, "Ann Lee", "alee@acme.example"}, {3, "Bo  Diaz", "bo@acme.example"}, {4, "Zoë", "zoe@acme.example"}}
	tests := []struct {
		text string
		want []int64
	}{
		{"@ann please look", []int64{1}},
		{"@Ann Lee can you take it?", []int64{2}},
		{"@ann, @alee and @bo diaz", []int64{1, 2, 3}},
		{"@bo", []int64{3}},
		{"@bob is not bo", nil},
		{"write to ann@acme.example", nil},
		{"(@ZOË)", []int64{4}},
		{"@zoe!", []int64{4}},
		{"@ann @ann @Ann", []int64{1}},
		{"no one", nil},
		{"@", nil},
		{"trailing @an", nil},
	}
	for _, tt := range tests {
		if got := Mentions(tt.text, staff); !slices.Equal(got, tt.want) {
			t.Errorf("Mentions(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestNoticesFor(t *testing.T) {
	ann, bo, cy := int64(1), int64(2), int64(3)
	agent := func(id int64) Principal { return Principal{AgentID: id, Role: RoleAgent} }
	system := Principal{System: true}
	staff := []Mentionable{{ann, "Ann", "ann@x.example"}, {bo, "Bo", "bo@x.example"}, {cy, "Cy", "cy@x.example"}}
	fromCustomer := MessageAdded{Kind: KindReply, AuthorType: AuthorCustomer}
	note := MessageAdded{Kind: KindNote, AuthorType: AuthorAgent}
	tests := []struct {
		name string
		c    ChangeFacts
		want []Notice
	}{
		{"Ann gives Bo the ticket", ChangeFacts{Actor: agent(ann), OwnerAfter: &bo, Events: []EventData{OwnerChanged{To: &bo}}},
			[]Notice{{bo, NotifyAssigned}}},
		{"Ann takes it herself", ChangeFacts{Actor: agent(ann), OwnerAfter: &ann, Events: []EventData{OwnerChanged{To: &ann}}}, nil},
		{"Ann takes Bo's ticket", ChangeFacts{Actor: agent(ann), OwnerBefore: &bo, OwnerAfter: &ann, Events: []EventData{OwnerChanged{From: &bo, To: &ann}}},
			[]Notice{{bo, NotifyChanged}}},
		{"Cy moves it from Ann to Bo", ChangeFacts{Actor: agent(cy), OwnerBefore: &ann, OwnerAfter: &bo, Events: []EventData{OwnerChanged{From: &ann, To: &bo}}},
			[]Notice{{bo, NotifyAssigned}, {ann, NotifyChanged}}},
		{"the customer writes on Bo's ticket Cy follows", ChangeFacts{Actor: system, OwnerBefore: &bo, OwnerAfter: &bo, Followers: []int64{cy}, Events: []EventData{fromCustomer}},
			[]Notice{{bo, NotifyCustomerReplied}, {cy, NotifyCustomerReplied}}},
		{"Ann notes @Bo on her own ticket that Bo follows", ChangeFacts{Actor: agent(ann), OwnerBefore: &ann, OwnerAfter: &ann, Followers: []int64{bo},
			Events: []EventData{note}, Notes: []string{"@bo can you check?"}, Staff: staff},
			[]Notice{{bo, NotifyMentioned}}},
		{"Ann mentions herself", ChangeFacts{Actor: agent(ann), Events: []EventData{note}, Notes: []string{"@ann remember"}, Staff: staff}, nil},
		{"Bo changes the priority of Ann's ticket", ChangeFacts{Actor: agent(bo), OwnerBefore: &ann, OwnerAfter: &ann, Events: []EventData{PriorityChanged{}}},
			[]Notice{{ann, NotifyChanged}}},
		{"Tend closes Ann's ticket", ChangeFacts{Actor: system, OwnerBefore: &ann, OwnerAfter: &ann, Events: []EventData{StatusChanged{}}}, nil},
		{"nothing changed", ChangeFacts{Actor: agent(bo), OwnerBefore: &ann, OwnerAfter: &ann}, nil},
		{"a follower who is the owner hears once", ChangeFacts{Actor: agent(bo), OwnerBefore: &ann, OwnerAfter: &ann, Followers: []int64{ann}, Events: []EventData{PriorityChanged{}}},
			[]Notice{{ann, NotifyChanged}}},
		{"a customer's note cannot mention", ChangeFacts{Actor: Principal{CustomerID: 9}, Events: []EventData{fromCustomer}, Notes: []string{"@bo"}, Staff: staff}, nil},
		{"Cy deactivates Ann and hands her ticket to Bo", ChangeFacts{Actor: agent(cy), OwnerBefore: &ann, OwnerAfter: &bo, HandOver: true,
			Events: []EventData{OwnerChanged{From: &ann, To: &bo}}},
			[]Notice{{bo, NotifyAssigned}}},
		{"a hand-over of a ticket Ann follows herself", ChangeFacts{Actor: agent(cy), OwnerBefore: &ann, OwnerAfter: &bo, HandOver: true, Followers: []int64{ann},
			Events: []EventData{OwnerChanged{From: &ann, To: &bo}}},
			[]Notice{{bo, NotifyAssigned}}},
	}
	for _, tt := range tests {
		if got := NoticesFor(tt.c); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMailsNotice(t *testing.T) {
	ann, bo := int64(1), int64(2)
	assign := ChangeFacts{OwnerBefore: &ann, OwnerAfter: &bo, Events: []EventData{OwnerChanged{From: &ann, To: &bo}}}
	handOver := assign
	handOver.HandOver = true
	tests := []struct {
		name   string
		c      ChangeFacts
		kind   NotificationKind
		chosen []NotificationKind
		want   bool
	}{
		{"a kind the agent chose", assign, NotifyAssigned, []NotificationKind{NotifyAssigned}, true},
		{"a kind the agent did not choose", assign, NotifyAssigned, []NotificationKind{NotifyChanged}, false},
		{"no mail chosen", assign, NotifyAssigned, nil, false},
		{"a hand-over is not mailed", handOver, NotifyAssigned, []NotificationKind{NotifyAssigned}, false},
		{"nor is a follower's change of a hand-over", handOver, NotifyChanged, NotificationKinds, false},
	}
	for _, tt := range tests {
		if got := MailsNotice(tt.c, tt.kind, tt.chosen); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
