package demo

import "github.com/tendhq/tend"

// supportScenarios are orders, deliveries, returns and accounts.
var supportScenarios = []scenario{
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"shipping", "where-is-my-order"},
		subjects: []string{"Where is my order?", "Order {order} hasn't arrived", "Still waiting for my delivery"},
		opening: "I ordered a Hub and two Plugs ten days ago (order {order}). The tracking page has said " +
			"\"in transit\" since last Tuesday and nothing has moved. Can you tell me where it is?",
		ask:    "Could you confirm the delivery address on the order, including the flat or house number? The courier sometimes holds parcels when part of the address is missing.",
		answer: "It's the address on my account, but the flat number might be missing now that I look. It should be Flat 4.",
		hold:   "I've opened an investigation with the courier for order {order}. They usually come back within two working days; I'll update you the moment they do.",
		note:   "Courier portal shows the parcel scanned at the regional depot, then nothing. Opened trace with the courier, reference in their portal.",
		fix: "Good news: the courier found your parcel at their depot and it's out for delivery today. If it hasn't " +
			"reached you by tomorrow evening, reply here and I'll send a replacement straight away.",
		reopen: "The parcel still hasn't come, and the tracking now says \"returned to sender\".",
		refix:  "I'm sorry, that's not good enough from our courier. I've sent a replacement order by express delivery at no cost; you'll get tracking by email within the hour.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"damaged", "replacement"},
		subjects: []string{"Doorbell arrived cracked", "Damaged item in my order", "Broken on arrival"},
		opening: "My Doorbell arrived today and the front cover is cracked right across the camera. The box " +
			"looked fine from outside. Order {order}.",
		ask:    "I'm sorry it arrived like that. Could you send a photo of the crack and of the label on the back of the unit, so I can log it with the warehouse?",
		answer: "Photos sent from my phone a minute ago. The serial on the label is {serial}.",
		hold:   "I've asked the warehouse for a replacement, but the Doorbell is out of stock until their next delivery on Thursday. I've reserved one for you and will confirm when it ships.",
		note:   "Third cracked Doorbell this month from the same batch. Mentioned it to {lead} so the warehouse can check the packaging.",
		fix:    "A replacement Doorbell is on its way, with a prepaid label for the damaged one. No need to wait: set up the new one first and send the old one back when it suits you.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"wrong-item", "returns"},
		subjects: []string{"Wrong camera delivered", "Received the indoor Cam instead of the outdoor one"},
		opening: "I ordered the outdoor Cam for the garden but the box contains the indoor model. I haven't " +
			"opened the inner packaging. Order {order}.",
		ask:    "Thanks for not unpacking it, that makes the swap quicker. Could you confirm the model printed on the side of the box, and whether you still want the outdoor Cam?",
		answer: "The side of the box says Cam Indoor. Yes, I still want the outdoor one please.",
		hold:   "I've asked the warehouse to send the outdoor Cam and a returns label for the indoor one. They're checking stock of the outdoor model and will confirm by tomorrow.",
		note:   "Picking error at the warehouse. Logged it on their error sheet; no charge to the customer either way.",
		fix:    "The outdoor Cam has shipped and should arrive within two working days. A prepaid returns label for the indoor Cam is attached to the shipping email; drop it at any parcel shop.",
	},
	{
		team: support, priority: tend.PriorityLow, tags: []string{"returns"},
		subjects: []string{"I'd like to return my Thermo", "Return request", "How do I send this back?"},
		opening: "The Thermo doesn't suit our old boiler after all and I'd like to return it. It's been about two " +
			"weeks. What do I need to do?",
		ask:    "No problem, you're within the 30-day return window. Could you tell me the order number and whether the Thermo has been installed on the wall at any point?",
		answer: "Order {order}. It was on the wall for a day, then I took it down and put it back in the box.",
		note:   "Ordered within the last 30 days, so it qualifies. Having been installed once doesn't change that under the returns policy.",
		fix:    "I've set up the return. The attached instructions explain how to pack it and where to drop it off; your refund will go back to your card within five working days of it reaching us.",
		guide: &file{"return-instructions.txt", "Returning a Halcyra device\n\n" +
			"1. Reset the device to factory settings (hold the button for 10 seconds until the light blinks white).\n" +
			"2. Remove it from your account in the app: Settings > Devices > Remove.\n" +
			"3. Pack it with its cables in the original box if you still have it.\n" +
			"4. Print the prepaid label from the email we sent and stick it over any old labels.\n" +
			"5. Drop it at any parcel shop. Keep the receipt until your refund arrives.\n"},
	},
	{
		team: support, priority: tend.PriorityHigh, tags: []string{"shipping", "address-change"},
		subjects: []string{"Change delivery address", "Wrong address on my order!", "Please update my shipping address"},
		opening: "I've just realised my order {order} is going to my old address. I moved last month and " +
			"updated the address on my account, but the order still shows the old one. Can you change it before it ships?",
		ask:    "Let's catch it in time. Could you confirm the full new address, with postcode, and a phone number the courier can use?",
		answer: "12 Orchard Close, flat 2, postcode on my account profile now. Phone number is on the account too.",
		note:   "Order not picked yet, so the warehouse can still change the address if we tell them today.",
		fix:    "Done: the warehouse has updated the address on order {order} before packing it, and the tracking email will show the new address. Thanks for letting us know quickly.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"account", "login"},
		subjects: []string{"Password reset email never arrives", "Can't log in to the app", "Locked out of my account"},
		opening: "I've asked for a password reset three times and no email has arrived, not even in spam. I " +
			"can't get into the app to see my cameras.",
		ask:    "Sorry about that. Could you confirm the email address you signed up with? Sometimes an account was created with an older or work address.",
		answer: "Ah, it might be my old work address. I'm not sure which one I used back then.",
		note:   "There's a second account with a typo in the domain of its address, holding devices bought on this customer's card. Probably theirs; fix it once they confirm.",
		fix:    "I found your account: it was registered with a small typo in the address. I've corrected it and sent a fresh reset link, which is valid for one hour.",
		reopen: "The link said it had expired when I clicked it. I only got to it after two hours.",
		refix:  "Sorry, that's the one-hour limit catching you out. I've sent a new link just now; it will work for the next hour. If that's awkward, reply with a good time and I'll send it then.",
	},
	{
		team: support, priority: tend.PriorityLow, tags: []string{"account", "moving-house"},
		subjects: []string{"Moving house: leaving devices for the new owners", "Transfer devices to new owner"},
		opening: "We're selling the house and leaving the Thermo and Doorbell behind for the buyers. How do I " +
			"hand them over without giving them access to my account?",
		ask:    "Good question to ask before moving day. Are you keeping a Halcyra Plus subscription for the devices you take with you, or should it end?",
		answer: "We'll take the Cam with us and keep Plus for that. Just the Thermo and Doorbell stay.",
		note:   "Only needs the remove-and-reset steps; nothing changes on billing unless they drop Plus.",
		fix: "Here's the cleanest way: in the app go to Settings > Devices, choose the Thermo and then the " +
			"Doorbell, and tap \"Remove and reset\". Your history stays with you, and the new owners can add them " +
			"to their own account. Any subscription stays with you for the devices you take along.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"privacy", "account-deletion"},
		subjects: []string{"Please delete my account and data", "Data deletion request"},
		opening: "I no longer use my Halcyra devices and I'd like my account and all recorded video deleted, " +
			"please. Please confirm when it's done.",
		ask:    "We can do that. To make sure the request comes from the account owner, could you reply from the address on the account and confirm the name of one device on it?",
		answer: "I'm writing from the account address. One of the devices is called \"Hallway\".",
		hold:   "Your request is confirmed. Deletion runs in a nightly job, and video held in backups is removed within 14 days; I'll confirm once it has finished.",
		note:   "Deletion request: confirm identity first (mail from the account address plus a device name), then queue it. Backups expire by themselves within 14 days.",
		fix:    "Your account, devices and all recorded video have now been deleted. You'll get one last email confirming this, and nothing after it.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"warranty", "replacement"},
		subjects: []string{"Thermo stopped working after a year", "Warranty claim", "Is this covered by warranty?"},
		opening: "My Thermo's screen went blank last week and it won't turn back on. I bought it about 14 " +
			"months ago. Is it still under warranty?",
		ask:    "Yes, every Halcyra device has a two-year warranty. Could you send the serial number from the back plate and confirm you've tried a reset by holding the button for 10 seconds?",
		answer: "Serial is {serial}. Holding the button does nothing at all, the screen stays dark.",
		hold:   "I've raised a warranty replacement with the warehouse. It needs sign-off from the returns team, which usually takes a day or two; I'll let you know as soon as it's approved.",
		note:   "Bought 14 months ago, so within warranty. If a reset doesn't bring the screen back, replace it rather than troubleshoot.",
		fix:    "Your warranty replacement has shipped. It keeps your schedule if you choose \"Replace a device\" during setup. Please send the old one back with the enclosed label within 30 days.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"sales", "bulk-order"}, business: true, limit: 3,
		orgs:     []string{"Kestrel Row Lettings", "Harbourside Apartments", "Willowmere Holiday Cottages"},
		subjects: []string{"Quote for 30 Thermos", "Bulk order for our buildings", "Pricing for a larger order"},
		opening: "At {org} we're fitting out another property and would like a quote for about 30 Thermos and 30 " +
			"Locks, delivered in one go. Do you offer volume pricing?",
		ask:    "We do. Could you confirm the exact quantities, the delivery address, and whether you'd like installation guides printed in the boxes or just the online ones?",
		answer: "30 of each, delivered to our site office. Online guides are fine.",
		hold:   "I've passed the details to our business sales team, who prepare volume quotes. They aim to send it within two working days, and I'll keep this ticket open until you have it.",
		note:   "Volume discount tier 2 applies from 25 units. Business sales prepare the quote.",
		fix:    "Your quote is attached. It's valid for 30 days; reply to this ticket to accept it and we'll arrange delivery.",
		guide: &file{"quote-volume-order.txt", "Halcyra volume quote\n\n" +
			"Thermo x 30 at tier 2 price\nLock x 30 at tier 2 price\nDelivery: one consignment, free\n" +
			"Valid for 30 days from the date of this message.\nPayment: invoice, 30 days.\n"},
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"account", "business-account"}, business: true, limit: 4,
		subjects: []string{"Add a colleague to our business account", "New staff member needs access"},
		opening: "A new facilities coordinator has joined {org} and needs to manage the locks and heating on " +
			"our business account, but not the cameras. How do we add her?",
		ask:    "Happy to help. Could you send her name and work email address? I'll set her up without camera access.",
		answer: "Her name is Jo, and her work address is jo at our usual domain.",
		note:   "Requester is an admin on the business account, so we can add her as a restricted member (no camera access).",
		fix:    "I've invited her with access to locks and heating only. She'll get an email to set her password; once she has, she'll see those devices in the app.",
	},
	{
		team: support, priority: tend.PriorityLow, tags: []string{"missing-part"},
		subjects: []string{"Mounting bracket missing from the box", "Screws missing", "Parts missing from my Doorbell"},
		opening: "Unboxing the Doorbell now and there's no mounting bracket or screws in the box. Is there a " +
			"way to get them without returning the whole thing?",
		ask:    "Of course, no need to return anything. Could you confirm your order number so I can send the parts to the right address?",
		answer: "It's {order}. Same address as the order.",
		note:   "Spare mounting kits are in stock at the warehouse and go by letter post; no return needed.",
		fix:    "I've sent a mounting kit (bracket, screws and wall plugs) by letter post; it should arrive in two or three days. Sorry for the hassle.",
	},
	{
		team: support, priority: tend.PriorityNormal, tags: []string{"orders", "delayed"},
		subjects: []string{"Order stuck on \"processing\"", "Why hasn't my order shipped yet?"},
		opening: "My order {order} has said \"processing\" for a week now. Other shops ship in a day. Is " +
			"something wrong with it?",
		ask:    "Sorry for the wait. Could you check whether you've received an email from us asking to verify the payment? A few orders are held for a quick check.",
		answer: "I found it in spam, and I've clicked the link to confirm just now.",
		hold:   "Thanks. The payment check has passed, and the order is now waiting on the warehouse, which is working through a backlog after a stock delivery. I've asked them to prioritise it.",
		note:   "Order held by the payment check; the verification email went out but was never clicked.",
		fix:    "Your order {order} has shipped today. You'll get the tracking link by email shortly.",
	},
	{
		team: support, priority: tend.PriorityLow, tags: []string{"gift", "account"},
		subjects: []string{"Setting up a Hub I'm giving as a present", "Gift: can I set it up for my mum?"},
		opening: "I've bought a Hub and a Thermo for my mother. Can I set them up on her account from my phone, " +
			"so she doesn't have to?",
		ask:    "That's a lovely present. Does your mother have her own email address she'd like to use for the account? The devices should belong to her account, with you invited to help manage it.",
		answer: "Yes, she has one. I'll be with her when we set it up.",
		note:   "The household-member invite fits here; nothing to change on our side.",
		fix:    "The easiest way: create the account with her email on your phone, add the devices, then in Settings > Household invite yourself with your own address. You'll both be able to adjust the heating.",
	},
}
