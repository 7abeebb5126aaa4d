package demo

import "github.com/tendhq/tend"

// billingScenarios are charges, refunds, plans and invoices.
var billingScenarios = []scenario{
	{
		team: billing, priority: tend.PriorityHigh, tags: []string{"double-charge", "refund"},
		subjects: []string{"Charged twice for Halcyra Plus", "Double charge on my card", "Two payments taken this month"},
		opening: "I've been charged £6.99 twice this month for Halcyra Plus, two days apart. I only have one " +
			"subscription. Please refund the extra payment.",
		ask:    "I'm sorry about that. Could you tell me the last four digits of the card and the dates of both payments, so I can match them to our records?",
		answer: "Card ending 4417. The payments were on the 3rd and the 5th.",
		hold:   "I can see both payments. The second one came from a retry our payment provider made by mistake; I've asked them to reverse it, which they confirm within three working days.",
		note:   "Looks like the provider's retry fault this month: a timeout, then a second charge for the same renewal.",
		fix:    "The duplicate £6.99 has been refunded to your card. Depending on your bank it shows within three to five working days. Your subscription itself is unaffected.",
		reopen: "I've been charged twice again this month!",
		refix:  "You're right, and I'm sorry: the retry fault hit a second time. I've refunded the duplicate and added a free month to your subscription. Our provider has now fixed the cause.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"cancellation", "subscription"},
		subjects: []string{"Cancel my Halcyra Plus subscription", "Please cancel my subscription", "Stop my monthly plan"},
		opening:  "Please cancel my Halcyra Plus subscription. I'm not using the cloud video any more.",
		ask:      "I can do that for you. Just to check: cancelling removes your saved video history after 30 days. Would you like to download anything first, or shall I go ahead now?",
		answer:   "Go ahead, I don't need any of the recordings.",
		note:     "Customer is clear about cancelling, so no retention offer. Cancel at the end of the period.",
		fix:      "Your subscription is cancelled. You keep Plus until the end of the current month, and you won't be charged again. Your devices keep working as before, with live view.",
		reopen:   "I was charged again this month even though you said it was cancelled.",
		refix:    "You're right, I'm sorry. The cancellation was recorded but a renewal had already been queued. I've refunded this month's charge in full and checked that nothing else is scheduled.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"refund", "returns"},
		subjects: []string{"Refund not received", "Where is my refund?", "Returned item but no money back"},
		opening: "I returned my Cam three weeks ago (order {order}) and the tracking shows you received it, but " +
			"I still haven't had my refund.",
		ask:    "Sorry for the wait. Could you confirm whether you paid by card or with a gift card? Refunds to gift cards go back as account credit.",
		answer: "By card, the same one I always use.",
		hold:   "The warehouse has checked the Cam in, and the refund is now with our finance team, who process refunds in a weekly batch. It's in this Friday's run; I'll confirm when it has gone.",
		note:   "Return received 18 days ago but never marked as inspected. Chased the warehouse; refund released to finance.",
		fix:    "Your refund for order {order} has been sent to your card today. Banks usually show it within three to five working days. Sorry it took longer than it should have.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"invoice", "vat"}, business: true, limit: 4,
		subjects: []string{"VAT invoice needed", "Invoice with our company details", "Invoice for our accounts"},
		opening: "Our accountant needs a proper VAT invoice for last month's order, made out to {org} with " +
			"our registered address. The receipt email isn't enough.",
		ask:    "Certainly. Could you send the company's VAT number and registered address exactly as they should appear on the invoice?",
		answer: "Sent in the format our accountant uses; the VAT number is on our letterhead.",
		note:   "No VAT details on their account yet. Once we have them, make VAT invoices the default for the organization.",
		fix:    "I've issued a VAT invoice made out to {org} at your registered address and sent it to this address as a PDF. I've also set your account to receive VAT invoices automatically from now on.",
	},
	{
		team: billing, priority: tend.PriorityLow, tags: []string{"subscription", "plan-change"},
		subjects: []string{"Switch to the annual plan", "Monthly to yearly billing", "Can I pay yearly instead?"},
		opening: "I'd like to switch my Halcyra Plus from monthly to yearly billing, since it works out cheaper. " +
			"What happens to the month I've already paid for?",
		ask:    "Good choice. Would you like the yearly plan to start today, with the unused part of this month credited, or from your next renewal date?",
		answer: "Start today please.",
		note:   "Mid-month switch to annual: credit the unused days against the first year.",
		fix:    "Done: you're on the yearly plan from today. The unused part of this month was credited against the first year, so the charge you'll see is £69 minus that credit.",
	},
	{
		team: billing, priority: tend.PriorityHigh, tags: []string{"payment-failed", "subscription"},
		subjects: []string{"Payment failed and cloud video stopped", "My subscription was suspended", "Card declined"},
		opening: "The app says my Plus subscription is suspended because a payment failed. My card was replaced " +
			"by the bank and I've added the new one in the app. I don't want to lose the recordings from this week.",
		ask:    "Your recordings are safe: nothing is deleted for 30 days after a failed payment. Could you confirm the last four digits of the new card, so I retry the payment on the right one?",
		answer: "It ends in 0932.",
		note:   "Suspended after the old card failed. Needs a manual retry once the new card is on file.",
		fix:    "I've retried the payment on your new card and it went through. Plus is active again, and your recordings from this week are all there.",
	},
	{
		team: billing, priority: tend.PriorityLow, tags: []string{"pricing", "subscription"},
		subjects: []string{"Why did my subscription price go up?", "Price increase question"},
		opening:  "My Halcyra Plus renewal was more than last year. I didn't see any notice. Why has the price changed?",
		ask:      "I'm happy to look into this. Could you tell me roughly when you first subscribed? Some early subscribers had an introductory price for the first year.",
		answer:   "I signed up during a sale about a year ago.",
		note:     "Introductory price ended at renewal; notice email was sent 30 days before. Customer may not have seen it.",
		fix:      "You joined at an introductory price that applied to your first year, and the renewal moved to the standard price. We emailed a reminder a month before, but I understand it's easy to miss. If you'd prefer to cancel, I can refund this renewal in full.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"discount", "charity"}, business: true, limit: 1,
		orgs:     []string{"Riverbend Community Hall"},
		subjects: []string{"Charity pricing for our community hall", "Do you offer a non-profit discount?"},
		opening: "{org} is a registered charity run by volunteers. We use four Cams. Do you offer a discount on " +
			"Halcyra Plus for charities?",
		ask:    "We do have a charity rate. Could you send your charity registration number so we can check it?",
		answer: "It's printed on our website and on the letter I've just sent you by email.",
		hold:   "Thanks. Charity pricing needs approval from our billing manager, who reviews requests each week. I've put yours forward and will come back to you once it's approved.",
		note:   "Registration checked against the public register. Needs manager approval for the charity rate.",
		fix:    "Your charity pricing is approved: Halcyra Plus for all your Cams is now half price, starting from your next renewal. Thank you for the work you do.",
	},
	{
		team: billing, priority: tend.PriorityLow, tags: []string{"promo-code", "refund"},
		subjects: []string{"Discount code didn't apply", "Promo code not accepted at checkout"},
		opening: "I used the code from your newsletter at checkout but I paid full price for my Plug four-pack " +
			"(order {order}). Can you apply the discount?",
		ask:    "Sorry about that. Could you tell me the code you used, so I can check why it didn't apply?",
		answer: "It was the spring code from the newsletter, I copied it straight from the email.",
		note:   "Code was valid but doesn't combine with bundle prices, and checkout didn't say so. A goodwill refund of the difference is fine.",
		fix:    "The code didn't combine with the bundle price, which our checkout should have told you. I've refunded the difference to your card as a goodwill gesture.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"invoice", "consolidation"}, business: true, limit: 2,
		orgs:     []string{"Brightmoor Coworking", "Kestrel Row Lettings", "Harbourside Apartments"},
		subjects: []string{"One invoice for all our sites", "Consolidate our subscriptions", "Too many separate invoices"},
		opening: "{org} gets a separate invoice for every site's subscription, which is a headache for our " +
			"accounts team. Can we get a single monthly invoice instead?",
		ask:    "We can set up consolidated billing. Could you confirm which accounts should be combined, and which address should receive the invoice?",
		answer: "All of the sites on our domain, please, and invoices to our accounts address.",
		hold:   "I've asked our finance team to set up consolidated billing. It takes effect from the start of the next billing month, and they'll confirm the set-up with me first.",
		note:   "Several accounts on the organization's domain; finance can consolidate them from the next billing month.",
		fix:    "Consolidated billing is set up. From next month you'll receive one invoice covering all your sites, with a line per site so you can still see who uses what.",
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"unknown-charge"},
		subjects: []string{"I don't recognise this charge", "Unknown HALCYRA charge on my statement"},
		opening: "There's a charge on my bank statement marked HALCYRA*PLUS and I don't have a subscription " +
			"as far as I know. An excerpt of the statement is attached.",
		ask:    "I'll look into it. Could you check whether anyone else in your household might have signed up, perhaps with a different email address?",
		answer: "My partner says he started a trial for the garden camera and forgot about it.",
		note:   "The charge comes from a Plus trial on another account at the same address, paid with this card.",
		fix:    "I've traced it: the charge is for a Halcyra Plus subscription that began as a free trial on another account, at your address, paid with this card. If it's a household member's and they'd like to keep it, nothing changes; if not, they can cancel in the app, or reply here and I'll cancel it and refund this month.",
		attach: &file{"statement-excerpt.txt", "Statement excerpt (card ending 2290)\n\n" +
			"03  SUPERMARKET            42.17\n04  HALCYRA*PLUS            6.99\n06  FUEL STATION            55.00\n"},
	},
	{
		team: billing, priority: tend.PriorityNormal, tags: []string{"trial", "refund"},
		subjects: []string{"Charged when my free trial ended", "Trial turned into a paid plan without warning"},
		opening: "My free trial of Halcyra Plus ended and I was charged straight away. I never meant to keep it. " +
			"Can I have my money back?",
		ask:    "I'm sorry it caught you out. Would you like me to cancel the subscription as well as refund the charge?",
		answer: "Yes please, cancel and refund.",
		note:   "First charge after trial, within 14 days: full refund per policy.",
		fix:    "I've cancelled your subscription and refunded the charge in full. You can still use live view on your devices; only the cloud history stops.",
	},
}
