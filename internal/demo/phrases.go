package demo

// Phrases shared by every scenario, so that the same request does not
// always read the same way.

var greetings = []string{"Hi,", "Hello,", "Hi there,", "Hello Halcyra team,", "Good morning,", "Hi support,"}

var signOffs = []string{"Thanks,\n", "Thank you,\n", "Best wishes,\n", "Cheers,\n", "Regards,\n", "Many thanks,\n"}

var agentSignOffs = []string{"Best regards,\n", "Kind regards,\n", "Thanks,\n", "All the best,\n", "Speak soon,\n"}

// acks are first answers that buy time without promising too much.
var acks = []string{
	"Thanks for getting in touch. I'm looking into this now and will come back to you today.",
	"Thank you for the details, they help a lot. I've picked this up and I'm checking a few things on our side; " +
		"you'll hear from me shortly.",
	"Thanks for writing in. I'm on it now and will update you as soon as I know more.",
	"Thanks for your patience. I've taken this over and I'm going through your account now.",
}

// chases are customers asking for news on a ticket nobody answered yet.
var chases = []string{
	"Just checking that this reached you. Could someone take a look when they can?",
	"Any news on this? It is still happening.",
	"Adding a detail I forgot: this started right after the last app update, if that helps.",
	"Sorry to chase, but I'd like to get this sorted before the weekend.",
	"Is there a phone number I can call about this instead? I haven't heard back yet.",
}

// accountNotes are a manager asking to be kept posted on a priority
// account's ticket, and urgentNotes on an urgent one.
var (
	accountNotes = []string{
		"Priority account. Please keep me posted on this one, and loop me in before promising anything beyond the usual policy.",
		"This one matters for their renewal next month. Happy to approve a goodwill gesture if it helps.",
		"Their account contact mentioned this on our monthly call. Update me when there's a plan.",
	}
	urgentNotes = []string{
		"Keeping an eye on this. If it isn't moving by tomorrow morning, escalate to me directly.",
		"Please update me before end of day, even if there's no news.",
		"Flagging this in the morning stand-up. Shout if you need someone from another team.",
	}
)

// moveNotes are a lead passing a ticket to the team it belongs to.
var moveNotes = []string{
	"This is a billing question, not a support one. Moving it to the Billing queue.",
	"Came in through the general form, but it's about a charge. Passing to Billing.",
	"Billing will need to handle this (refund/charge). Moving it over.",
}
