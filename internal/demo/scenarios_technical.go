package demo

import "github.com/tendhq/tend"

// technicalScenarios are devices that misbehave and how to set them up.
var technicalScenarios = []scenario{
	{
		team: technical, priority: tend.PriorityHigh, tags: []string{"hub", "connectivity"},
		subjects: []string{"Hub keeps going offline", "Hub disconnects every night", "Hub offline several times a day"},
		opening: "My Hub drops offline several times a day, and then the Plugs and the Thermo stop responding " +
			"until I unplug it. I've attached the diagnostics export from the app.",
		ask:    "Thanks for the export. Could you tell me how far the Hub is from your router, and whether it's near anything metal, like a radiator or a fuse box?",
		answer: "It's about two metres from the router, but on a shelf right next to the fuse box.",
		hold:   "The log shows the Hub restarting on a watchdog timeout, which matches a firmware fault our engineers are fixing. I've added your Hub ({serial}) to the fix and will let you know when it's released.",
		note:   "Diagnostics show watchdog resets every few hours. Matches the known firmware fault on recent Hub builds.",
		fix:    "Firmware 4.2.1 is now on your Hub and fixes the restarts we saw in your log. It may also help to keep the Hub away from metal, such as a fuse box or radiator. Let me know if it drops again.",
		reopen: "It went offline again last night, twice.",
		refix:  "Thanks for telling me. The new log shows Wi-Fi interference rather than the old fault. I've switched your Hub to the 5 GHz band remotely; it has stayed connected for the last hour.",
		attach: &file{"hub-diagnostics.txt", "Halcyra Hub diagnostics\n\nfirmware: 4.1.9\nuptime: 02:14:37\n" +
			"wifi: ch 6, rssi -71 dBm\nlast reset: watchdog\nresets (24h): 5\nzigbee devices: 4 (2 unreachable)\n"},
	},
	{
		team: technical, priority: tend.PriorityNormal, tags: []string{"thermo", "heating"},
		subjects: []string{"Thermo shows the wrong temperature", "House is cold but the Thermo says 21°", "Heating not coming on"},
		opening: "The Thermo says it's 21 degrees in the living room, but it's obviously colder than that, and " +
			"the heating never comes on in the evening.",
		ask:    "Let's find out why. Where is the Thermo mounted: is it near a lamp, a radiator, or in direct sunlight? And how old is the boiler, roughly?",
		answer: "It's above a table lamp we switch on every evening, now that you mention it. The boiler is about ten years old.",
		note:   "Reads warm while the room is cold: usually a heat source near the Thermo. Calibration offset as a stopgap.",
		fix:    "Something near the Thermo is most likely warming its sensor, such as a lamp, a radiator or sunshine, so it thinks the room is warm enough. The best fix is to move it about a metre from any heat source. Until then, set an offset of -2 degrees under Settings > Thermo > Calibration.",
		reopen: "We moved it, but now it turns the heating on and off every few minutes.",
		refix:  "That's the short-cycling protection being off for your older boiler. I've enabled \"boiler protection\" on your Thermo, so it keeps the heating on for at least ten minutes at a time.",
	},
	{
		team: technical, priority: tend.PriorityNormal, tags: []string{"doorbell", "notifications"},
		subjects: []string{"Doorbell notifications arrive late", "Phone doesn't ring when someone presses the Doorbell"},
		opening: "When someone rings the Doorbell, my phone only tells me a minute later, by which time the " +
			"courier has gone. The chime in the hall rings straight away.",
		ask:    "Which phone model do you have, and is battery saving turned on for the Halcyra app?",
		answer: "A phone from last year, and yes, battery saving is on for everything.",
		note:   "Chime on time, phone late: nearly always the phone's battery optimisation.",
		fix:    "Battery saving holds back notifications to save power. The attached checklist shows how to exempt the Halcyra app; after that, the ring reaches your phone within a second or two.",
		guide: &file{"notification-checklist.txt", "Getting Doorbell rings on time\n\n" +
			"1. Phone settings > Apps > Halcyra > Battery: choose \"Unrestricted\".\n" +
			"2. Allow notifications for the Halcyra app, including \"Doorbell rings\".\n" +
			"3. In the Halcyra app: Settings > Notifications > Doorbell: turn on \"High priority\".\n" +
			"4. Ring the Doorbell to test; the alert should arrive within two seconds.\n"},
	},
	{
		team: technical, priority: tend.PriorityUrgent, tags: []string{"lock", "locked-out"},
		subjects: []string{"Lock won't open, we're locked out", "URGENT: Lock not responding", "Can't unlock the front door"},
		opening: "The Lock on our front door isn't responding to the app or the keypad and we're standing " +
			"outside. The keypad lights up but nothing happens.",
		ask:    "Let's get you in first. Do you have the physical backup key that came in the box? It opens the Lock whatever the battery or network does.",
		answer: "Found it at a neighbour's, we're in. But the Lock still doesn't respond to the app.",
		hold:   "I'm glad you're in. The Lock's motor reports a fault, so I've booked a technician visit; our partner will call you to confirm a slot within a day. Please use the key until then.",
		note:   "Lock reports a motor fault. If the key gets them in but the motor stays stuck, book a technician with the installation partner.",
		fix:    "The motor was jammed by the door's strike plate being slightly out of line; that has been adjusted, and the Lock works from the app and keypad again. Keep the backup key somewhere you can reach from outside, such as with a neighbour.",
	},
	{
		team: technical, priority: tend.PriorityLow, tags: []string{"cam", "night-vision"},
		subjects: []string{"Cam night vision is blurry", "Night video is all white", "Cam picture washed out at night"},
		opening: "In the daytime my Cam picture is sharp, but at night the whole image is a white haze and I " +
			"can't see anything.",
		ask:    "Is the Cam looking out through a window? Night vision uses infrared light, which bounces straight back off glass.",
		answer: "Yes, it's on the windowsill facing the drive.",
		note:   "IR reflection off window glass; standard advice.",
		fix:    "If the Cam looks out through a window, that's the cause: the infrared light reflects off the glass. Either press the lens right up against the window, or turn night vision off and rely on the outside light. The outdoor Cam avoids this altogether.",
	},
	{
		team: technical, priority: tend.PriorityHigh, tags: []string{"firmware", "recovery"},
		subjects: []string{"Device stuck blinking orange after update", "Firmware update failed", "Update bricked my Plug?"},
		opening: "The app offered a firmware update last night, and since then the device just blinks orange " +
			"and doesn't show up in the app any more.",
		ask:    "A blinking orange light means the update stopped halfway. Which device is it, and does the light blink fast or slowly?",
		answer: "It's the Hub, and it blinks slowly, about once a second.",
		note:   "Orange blink after an update: slow means it can recover by itself, fast means it needs a recovery image from us.",
		fix:    "Good news: the device can recover by itself. Follow the attached steps; it takes about ten minutes, and your settings are kept.",
		reopen: "I followed the steps but it went back to blinking orange at the end.",
		refix:  "Thanks for trying. I've pushed the recovery image to your Hub from our side, which gets round the step that failed. It should come back online within fifteen minutes.",
		guide: &file{"recovery-steps.txt", "Recovering a device after a failed update\n\n" +
			"1. Unplug the device for 30 seconds.\n2. Hold the button while plugging it back in; keep holding for 5 seconds.\n" +
			"3. The light turns solid orange while it downloads the firmware again (up to 10 minutes).\n" +
			"4. When the light turns white, open the app; the device reappears with its settings.\n"},
	},
	{
		team: technical, priority: tend.PriorityNormal, tags: []string{"plug", "pairing"},
		subjects: []string{"Plug won't pair", "Can't add my new Plug", "Plug setup fails at the last step"},
		opening: "Setting up a new Plug, it gets to \"connecting to Wi-Fi\" and then fails every time. My " +
			"other Plugs work fine.",
		ask:    "Is your phone on the same Wi-Fi network the Plug should use, and is that a 2.4 GHz network? Plugs can't use 5 GHz.",
		answer: "The router has one name for both bands. My phone is probably on 5 GHz.",
		note:   "Setup failing at the Wi-Fi step is nearly always the phone being on 5 GHz.",
		fix:    "Plugs can only use 2.4 GHz, and with one network name for both bands, setup sometimes picks 5 GHz. Stand a little further from the router during setup (the phone then prefers 2.4 GHz), or turn on \"2.4 GHz setup mode\" in the app's Add device screen.",
		reopen: "It paired, but it drops off the network every evening now.",
		refix:  "Evenings are when your neighbours' Wi-Fi is busiest. I've moved your Plug to a quieter 2.4 GHz channel from our side; if your router picks channels automatically, setting it to channel 1 or 11 helps all your devices.",
	},
	{
		team: technical, priority: tend.PriorityHigh, tags: []string{"app", "android", "bug"},
		subjects: []string{"App crashes on start after update", "Halcyra app keeps closing", "App crash since yesterday"},
		opening: "Since yesterday's app update, the app closes as soon as I open it. I've restarted my phone and " +
			"reinstalled it. I can't see my cameras at all.",
		ask:    "Sorry about this. Which phone model and system version are you on? It helps our developers narrow down the crash.",
		answer: "It's a two-year-old phone, system up to date as of last week.",
		hold:   "Our developers have reproduced the crash on your phone model and have a fix in testing. It should reach the app store within a couple of days; I'll let you know as soon as it does.",
		note:   "Known crash in app 7.3.0 on some older phones. Fix in 7.3.1, linked to engineering's issue.",
		fix:    "Version 7.3.1 of the app is now available and fixes the crash. Please update from the app store. In the meantime, live view also works in the browser at our website.",
		reopen: "I updated to 7.3.1 but it still crashes when I open the Cam tab.",
		refix:  "Thanks for the detail, that was a second, rarer crash in the Cam tab. 7.3.2 fixes it and is available now. Sorry for the back and forth.",
	},
	{
		team: technical, priority: tend.PriorityLow, tags: []string{"cam", "motion-alerts"},
		subjects: []string{"Too many motion alerts", "Cam alerts every time the wind blows", "False alarms from the garden Cam"},
		opening: "My garden Cam sends me a motion alert every few minutes when it's windy, because of the " +
			"hedge. I've started ignoring them, which defeats the point.",
		ask:    "Let's calm it down. Do you have Halcyra Plus? Activity zones and person detection are part of it and help most here.",
		answer: "Yes, I have Plus.",
		note:   "Activity zones and person-only alerts should fix this, if they have Plus.",
		fix:    "With Halcyra Plus you can draw an activity zone that leaves out the hedge (Cam > Settings > Activity zones), and set alerts to \"people only\". You'll still have all motion recorded, but only get notified for people.",
		reopen: "Better, but at dusk I still get alerts from headlights on the road.",
		refix:  "Headlights sweeping across the picture look like movement. I've turned on \"ignore lighting changes\" for your Cam, which filters them out; it takes effect from tonight.",
	},
	{
		team: technical, priority: tend.PriorityUrgent, tags: []string{"cam", "outage", "network"}, business: true, limit: 3,
		orgs:     []string{"Brightmoor Coworking", "Saltmarsh Inn", "Harbourside Apartments", "Ashgrove Dental", "Quillfield Veterinary"},
		subjects: []string{"All our cameras are offline", "Every Cam in the building went offline", "Site-wide camera outage"},
		opening: "Every Cam at {org} went offline at the same time this morning. The internet works in the " +
			"office. I've attached a network test from our IT contractor.",
		ask:    "Thanks, the test helps. Did anything change on your network this morning, such as a new firewall, router or a security update?",
		answer: "Our IT contractor replaced the firewall overnight.",
		hold:   "I've sent your IT contractor the ports and addresses the Cams need. Once the firewall allows them, the Cams reconnect by themselves; I'm keeping this open until we see them online.",
		note:   "Network test shows port 8883 (device messaging) blocked and everything else fine. Their firewall needs to allow it.",
		fix:    "The network test showed port 8883 blocked, and the Cams need it. Now that it's open on your firewall, all your Cams are back online and recording. I've added a note to your account so we check the firewall first if this happens again.",
		attach: &file{"network-test.txt", "Network test\n\nDNS: ok\nHTTPS (443) to device cloud: ok\n" +
			"MQTT (8883) to device cloud: TIMEOUT\nNTP (123): ok\nLatency: 18 ms\n"},
	},
	{
		team: technical, priority: tend.PriorityNormal, tags: []string{"voice-assistant", "integration"},
		subjects: []string{"Can't link to my voice assistant", "Voice control stopped working", "Integration says \"account not found\""},
		opening: "I'm trying to link my Halcyra account to my voice assistant so I can change the heating by " +
			"voice, but it keeps saying \"account not found\".",
		ask:    "Which email address do you use to sign in to the assistant's app, and is it the same one you use for Halcyra?",
		answer: "They're different: the assistant uses my personal address, Halcyra my work one.",
		note:   "Linking flow logs in with the wrong account if one is already signed in in the browser.",
		fix:    "The linking page signs in with whatever Halcyra account your browser remembers, which may not be the one your devices are on. Sign out of our website first, then start linking again and sign in with your Halcyra address.",
	},
	{
		team: technical, priority: tend.PriorityHigh, tags: []string{"lock", "guest-codes"}, business: true, limit: 3,
		orgs:     []string{"Willowmere Holiday Cottages", "Saltmarsh Inn", "Kestrel Row Lettings"},
		subjects: []string{"Guest codes not working on our Locks", "New keypad codes don't sync", "Guests can't get in with their code"},
		opening: "At {org} we set guest codes on the Locks before each arrival. Since Friday, new codes don't " +
			"work: the guests arrive and the keypad refuses them.",
		ask:    "Sorry, that's stressful with guests waiting. Are the Locks connected through a Hub, and does the app show them online?",
		answer: "Yes, through one Hub per cottage, and they all show as online.",
		hold:   "Your Locks receive codes but a sync job on our side has been failing for Locks on older firmware. Engineering are fixing it; meanwhile I've set today's codes from our side.",
		note:   "Code sync job failing for Locks on older firmware. Set codes manually for today's arrivals.",
		fix:    "The sync fault is fixed, and codes you set in the app reach the Locks within a minute again. I've checked all your Locks: each has the codes you set for this week.",
		reopen: "Tonight's guests at one cottage couldn't get in again. We had to drive over with a key.",
		refix:  "I'm very sorry. That Lock was still on old firmware, which the fix didn't reach. I've updated it remotely and confirmed that this week's codes are on it; I've also credited a month of Halcyra Plus for the trouble.",
	},
	{
		team: technical, priority: tend.PriorityLow, tags: []string{"hub", "question"},
		subjects: []string{"What happens in a power cut?", "Does the Hub have a backup battery?"},
		opening: "We get the odd power cut here. Does the Hub keep working without power, and will the Lock " +
			"still open?",
		ask:    "Good to plan for. Do you have the Lock and the Hub, or other devices too?",
		answer: "Hub, Lock, and two Cams.",
		note:   "General question; pointed to the power-cut article.",
		fix:    "The Hub has a backup battery that lasts about four hours, so the Lock keeps working from the app for that long. The Lock itself runs on its own batteries and the keypad works without the Hub at all. The Cams need mains power.",
	},
	{
		team: technical, priority: tend.PriorityNormal, tags: []string{"thermo", "schedule"},
		subjects: []string{"Heating schedule keeps resetting", "Thermo forgets my schedule", "Schedule goes back to default"},
		opening: "Every few days my heating schedule on the Thermo goes back to the default one. I set it again " +
			"and it happens again.",
		ask:    "Does anyone else in the household use the app, or a second phone? A schedule change from an old app version can overwrite yours.",
		answer: "My son has the app on his tablet, which he hardly ever updates.",
		note:   "Sounds like the known issue: app versions before 7.0 push the default schedule when opened. Check for a second device.",
		fix:    "Older versions of the app send the default schedule when they open. If anyone else in your household uses the app, on a phone or a tablet, please ask them to update it; after that your schedule will stay put.",
	},
	{
		team: technical, priority: tend.PriorityHigh, tags: []string{"cam", "cloud-video"},
		subjects: []string{"Recorded video missing", "Gaps in my cloud recordings", "Yesterday's recordings are gone"},
		opening: "I have Halcyra Plus but there are no recordings from yesterday afternoon, and I need them: " +
			"someone took a parcel from our doorstep.",
		ask:    "Sorry to hear about the parcel. Which Cam or Doorbell is it, and roughly what time window do you need?",
		answer: "The Doorbell, between 2 and 4 in the afternoon.",
		hold:   "Recordings from that window were delayed in upload during a storage problem on our side. Engineering are restoring them from the device's local buffer; I'll tell you as soon as they're back.",
		note:   "Upload backlog during yesterday's storage incident. Asked engineering to restore this device's buffer.",
		fix:    "The recordings from yesterday afternoon are restored and in your history now. You can download the clip from the event list to share it with the police if needed.",
	},
	{
		team: technical, priority: tend.PriorityUrgent, tags: []string{"safety", "plug"},
		subjects: []string{"Burning smell from Plug", "Plug got very hot", "Safety concern: Plug overheating"},
		opening: "One of my Plugs was hot to the touch this evening and there was a faint burning smell. I've " +
			"unplugged it. Is it safe to use the others?",
		ask:    "Thank you for unplugging it, that was exactly right. What was plugged into it, and could you send the serial number from its back?",
		answer: "A fan heater. The serial is {serial}.",
		hold:   "I've passed this to our product safety team, who look at every overheating report. Please don't use that Plug again; they'll be in touch within a day about collecting it.",
		note:   "Overheating report filed with product safety. They collect every such unit for inspection.",
		fix:    "Our safety team has collected the Plug and sent a replacement. Your other Plugs are safe to use; please keep heaters and other high-power devices off them, as the label says.",
	},
}
