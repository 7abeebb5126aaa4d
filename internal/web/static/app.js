// Tend's workspace script. Every page works without it; it adds keyboard
// shortcuts, live updates over Server-Sent Events, presence on tickets and
// sending replies without a reload.
//
// Elements are looked up by tag and id together (form#composer, not
// #composer): mail shown in the page is HTML from strangers, and an
// element of theirs must never stand in for one of the page's own.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => { const el = $('form input[name="csrf"]'); return el ? el.value : ""; };

  // The browser's time zone, for the server to write times in until the
  // agent chooses one on their profile. Set on every page, so that a
  // laptop taken abroad follows along.
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone) && !document.cookie.split("; ").includes("tz=" + zone)) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: times stay in UTC */ }
  const zones = $("datalist#time-zones");
  if (zones && Intl.supportedValuesOf) {
    const have = new Set($$("option", zones).map((o) => o.value));
    for (const z of Intl.supportedValuesOf("timeZone")) {
      if (!have.has(z)) { const o = document.createElement("option"); o.value = z; zones.appendChild(o); }
    }
  }

  function post(url, fields) {
    const body = new URLSearchParams(Object.assign({ csrf: csrf() }, fields));
    return fetch(url, { method: "POST", body, credentials: "same-origin", keepalive: true });
  }

  // Keyboard: j/k move through a list, Enter opens, / searches, ? lists
  // the shortcuts, r and n start a reply or a note. Single keys can be
  // turned off in the list of shortcuts (for speech input).
  const keysOff = () => localStorage.getItem("tend-keys") === "off";
  const dialog = $("dialog#shortcuts");
  if (dialog) {
    const toggle = $('input[name="keys"]', dialog);
    toggle.checked = !keysOff();
    toggle.addEventListener("change", () => localStorage.setItem("tend-keys", toggle.checked ? "on" : "off"));
  }
  function typing(e) {
    const t = e.target;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }
  let selected = -1;
  function rows() { return $$("table.tickets tbody tr.ticket-row"); }
  function select(i, focus) {
    const list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((r, n) => r.classList.toggle("selected", n === selected));
    if (focus) {
      $("td.subject a", list[selected]).focus({ preventScroll: true });
      list[selected].scrollIntoView({ block: "nearest" });
    }
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }
    if (typing(e)) return;
    if (e.key === "?" && dialog) { dialog.open ? dialog.close() : dialog.showModal(); e.preventDefault(); return; }
    if (keysOff()) return;
    switch (e.key) {
      case "j": select(selected + 1, true); break;
      case "k": select(selected - 1, true); break;
      case "/": { const q = $("input#search-q"); if (q) { q.focus(); q.select(); } break; }
      case "r": case "n": {
        const body = $("form#composer textarea#body");
        if (!body) return;
        const kind = $(`form#composer input[name="kind"][value="${e.key === "r" ? "reply" : "note"}"]`);
        if (kind) kind.checked = true;
        body.focus();
        break;
      }
      default: return;
    }
    e.preventDefault();
  });
  document.addEventListener("focusin", (e) => {
    const row = e.target.closest && e.target.closest("tr.ticket-row");
    if (row) select(rows().indexOf(row), false);
  });

  // A long select (the owner of a ticket) gets a box that narrows its
  // options as one types; the choice stays the agent's.
  function enhanceSelects(root) {
    $$("select.searchable", root).forEach((sel) => {
      if (sel.previousElementSibling && sel.previousElementSibling.classList.contains("narrow")) return;
      const box = document.createElement("input");
      box.type = "search";
      box.className = "narrow";
      box.placeholder = "Type to narrow the list…";
      box.setAttribute("aria-label", "Narrow the list of " + (sel.labels[0] ? sel.labels[0].textContent : "choices"));
      box.setAttribute("aria-controls", sel.id);
      sel.before(box);
      box.addEventListener("input", () => {
        const q = box.value.trim().toLowerCase();
        for (const o of sel.options) o.hidden = o.selected ? false : Boolean(q) && !o.textContent.toLowerCase().includes(q);
      });
    });
  }
  enhanceSelects(document);

  // Deadlines in words ("due in 2 h 10 min") move on as time passes.
  // They count from the server's clock: the part of the page that shows
  // them says what its time was (data-now), and the script notes when it
  // first saw that part, so a page whose clock differs keeps the server's
  // count. spanWords says a span as the server's spanWords does.
  function spanWords(ms) {
    const m = Math.floor(Math.abs(ms) / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (m < 1) return "under a minute";
    if (m < 60) return m + " min";
    if (h < 24) return h + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
    return d + (d === 1 ? " day" : " days") + (h % 24 ? " " + (h % 24) + " h" : "");
  }
  function reword() {
    $$("[data-now]").forEach((part) => {
      if (!part.dataset.seen) part.dataset.seen = String(Date.now());
      // Whole seconds since: words just written stay as the server wrote them.
      const now = Date.parse(part.dataset.now) + Math.floor((Date.now() - Number(part.dataset.seen)) / 1000) * 1000;
      $$("time[data-rel]", part).forEach((el) => {
        const at = Date.parse(el.getAttribute("datetime"));
        const text = spanWords(el.dataset.rel === "in" ? Math.max(0, at - now) : Math.max(0, now - at));
        if (el.textContent !== text) el.textContent = text;
      });
    });
  }
  reword();
  setInterval(reword, 20000);
  // A page come back to (another tab, a laptop woken) is right at once.
  window.addEventListener("focus", reword);
  document.addEventListener("visibilitychange", reword);

  // Live updates.
  const live = document.body.dataset.live;
  if (!live || !window.EventSource) return;

  // throttle runs fn at most once every ms, and once more after the last
  // call, so that a burst of changes costs two refreshes, not one each.
  function throttle(fn, ms) {
    let last = 0, timer = null;
    return () => {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  // fragment reads a part of a page for a live refresh. A read cut off
  // (the page is leaving, or the server is restarting) is no error: the
  // next change refreshes again.
  async function fragment(url) {
    try {
      const res = await fetch(url, { credentials: "same-origin" });
      return res.ok ? await res.text() : null;
    } catch (err) {
      return null;
    }
  }

  async function refreshCounts() {
    if (!$("nav.views [data-count]")) return;
    const text = await fragment("/tickets/counts");
    if (text === null) return;
    const counts = JSON.parse(text);
    $$("nav.views [data-count]").forEach((el) => {
      const n = counts[el.dataset.count];
      if (n !== undefined) el.textContent = n;
    });
  }

  const listStatus = $("p#list-status");
  async function refreshList() {
    const holder = $("div#ticket-list");
    if (!holder) return;
    const url = new URL(location.href);
    url.searchParams.set("fragment", "list");
    const text = await fragment(url);
    if (text === null) return;
    const hrefOf = (r) => $("td.subject a", r).getAttribute("href");
    const before = new Set(rows().map(hrefOf));
    const chosen = selected >= 0 && rows()[selected] ? hrefOf(rows()[selected]) : null;
    const hadFocus = chosen && document.activeElement && document.activeElement.closest && document.activeElement.closest("tr.ticket-row");
    holder.innerHTML = text;
    reword();
    let fresh = 0;
    rows().forEach((r) => { if (!before.has(hrefOf(r))) { r.classList.add("fresh"); fresh++; } });
    selected = -1;
    if (chosen) {
      const i = rows().findIndex((r) => hrefOf(r) === chosen);
      if (i >= 0) select(i, Boolean(hadFocus));
    }
    if (listStatus && fresh) listStatus.textContent = fresh === 1 ? "1 ticket came in or changed." : fresh + " tickets came in or changed.";
  }

  const ticketID = live.startsWith("ticket=") ? live.slice(7) : "";
  const conversation = $("div#conversation");
  const composer = $("form#composer");
  // The composer's fields are looked up when needed: a held reply puts
  // the server's composer in place of this one.
  const draftBox = () => (composer ? composer.elements.body : null);
  // The ticket's own address, whatever the browser shows.
  const ticketPath = composer ? new URL(composer.action).pathname.replace(/\/messages$/, "") : location.pathname;
  const side = $("aside.ticket-side");
  let sideEdited = false;
  if (side) {
    side.addEventListener("input", () => { sideEdited = true; });
    side.addEventListener("change", () => { sideEdited = true; });
  }
  // sideChanges names the details the agent changed and has not saved:
  // the fields whose value differs from the one the form says its page
  // was loaded with.
  const sideNames = { owner_id: "owner", team_id: "team", priority: "priority", status: "status", tags: "tags" };
  const tagSet = (v) => v.split(",").map((t) => t.trim().toLowerCase().split(/\s+/).filter(Boolean).join("-"))
    .filter(Boolean).sort().filter((t, i, all) => all.indexOf(t) === i).join(",");
  function sideChanges() {
    const form = side ? $("form.controls", side) : null;
    if (!form) return [];
    // Custom fields are named fields.KEY and say their label.
    const custom = Array.from(form.elements).filter((el) => el.name && el.name.startsWith("fields.")).map((el) => el.name);
    return Object.keys(sideNames).concat(custom).filter((name) => {
      const el = form.elements[name], loaded = form.elements["loaded_" + name];
      if (!el || !loaded) return false;
      let now = el.value, was = loaded.value;
      if (name === "owner_id" && now === "") return false; // no owner chosen changes nothing
      if (name === "team_id") { now = now || "0"; was = was || "0"; }
      if (name === "tags") { now = tagSet(now); was = tagSet(was); }
      return now !== was;
    }).map((name) => sideNames[name] || form.elements[name].dataset.label);
  }
  const inWords = (list) => list.length < 2 ? list.join("") : list.slice(0, -1).join(", ") + " and " + list[list.length - 1];
  let notice = null;
  let shownConversation = conversation ? conversation.innerHTML : "";

  function warn(text) {
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "live-notice";
      notice.className = "error";
      notice.setAttribute("role", "alert");
      composer.before(notice);
    }
    notice.textContent = text;
  }

  // refreshTicket shows what changed on the open ticket: the conversation,
  // and (unless the agent is changing them) its details.
  async function refreshTicket() {
    if (!conversation) return;
    const text = await fragment(ticketPath + "?fragment=page");
    if (text === null) return;
    const doc = new DOMParser().parseFromString(text, "text/html");
    const seen = new Set($$("li.msg", conversation).map((m) => m.dataset.id));
    const next = $("div#conversation", doc);
    // Only what changed is replaced: a quote the agent unfolded, or a
    // list they are choosing from, stays as it is otherwise.
    if (next && next.innerHTML !== shownConversation) {
      shownConversation = next.innerHTML;
      conversation.innerHTML = next.innerHTML;
    }
    const fresh = $$("li.msg", conversation).filter((m) => !seen.has(m.dataset.id));
    fresh.forEach((m) => {
      m.classList.add("new");
      const label = document.createElement("span");
      label.className = "tag-new";
      label.textContent = "New";
      $("header", m).append(" ", label);
    });
    const meta = $("p.meta", doc);
    if (meta && $("p.meta")) $("p.meta").innerHTML = meta.innerHTML;
    const version = (root) => { const v = $('input[name="version"]', root); return v ? v.value : ""; };
    if (side && !sideEdited && !sideChanges().length) {
      const nextSide = $("aside.ticket-side", doc);
      if (nextSide && version(nextSide) !== version(side)) { side.innerHTML = nextSide.innerHTML; enhanceSelects(side); }
    }
    // The service levels follow every change, a timer's included, which
    // leaves the details as they were.
    const sla = side ? $("section#sla", side) : null, nextSLA = $("section#sla", doc);
    if (sla && nextSLA) sla.replaceWith(document.importNode(nextSLA, true));
    else if (side && nextSLA) side.prepend(document.importNode(nextSLA, true));
    else if (sla) sla.remove();
    reword();
    // While an agent writes, a new customer message is pointed out; the
    // server holds a reply sent without having seen it.
    const body = draftBox();
    if (body && body.value.trim() && fresh.some((m) => m.dataset.author === "customer")) {
      warn("The customer wrote again while you were writing. Their new message is marked above.");
    }
  }

  function showPresence(present) {
    const el = $("p#presence");
    if (!el) return;
    const me = Number(document.body.dataset.agent || 0);
    const others = (present || []).filter((p) => p.id !== me);
    el.textContent = others.map((p) => p.name + (p.typing ? " is writing a reply" : " is viewing this ticket")).join("; ");
  }

  const lists = throttle(refreshList, 300);
  const counts = throttle(refreshCounts, 1000);
  const ticketRefresh = throttle(refreshTicket, 300);
  let dropped = false;
  const source = new EventSource("/live" + (ticketID ? "?ticket=" + ticketID : ""));
  // Marked for people's tools and for tests: this page follows changes.
  source.addEventListener("open", () => {
    document.body.dataset.following = "yes";
    // After a drop, catch up with what happened meanwhile.
    if (dropped) { dropped = false; lists(); counts(); bell(); if (ticketID) ticketRefresh(); }
  });
  source.addEventListener("error", () => { dropped = true; delete document.body.dataset.following; });
  source.addEventListener("ticket", (e) => {
    const ev = JSON.parse(e.data);
    if (ticketID && String(ev.ticket_id) === ticketID) ticketRefresh();
    lists();
    counts();
  });
  source.addEventListener("presence", (e) => showPresence(JSON.parse(e.data).present));
  // The bell: a notification for this agent brings the count up to date.
  async function refreshBell() {
    const bell = $("a#bell"), count = $("a#bell span#bell-count"), n = $("a#bell span#bell-n");
    if (!bell || !count || !n) return;
    try {
      const res = await fetch("/notifications/unread", { credentials: "same-origin" });
      if (!res.ok) return;
      const unread = (await res.json()).unread;
      n.textContent = unread >= 100 ? "99+" : String(unread);
      count.hidden = unread === 0;
      if (unread > 0) bell.classList.add("rang");
    } catch (err) { /* the next notification tries again */ }
  }
  const bell = throttle(refreshBell, 300);
  source.addEventListener("notification", () => bell());

  if (!ticketID) return;

  // Presence: tell the server this page is open, and whether a reply is
  // being written, every 10 seconds and whenever that changes.
  let state = "viewing", lastKey = 0;
  const presence = () => post("/presence/" + ticketID, { state });
  presence();
  setInterval(() => {
    if (state === "typing" && Date.now() - lastKey > 8000) state = "viewing";
    presence();
  }, 10000);
  if (composer) {
    composer.addEventListener("input", (e) => {
      if (e.target !== draftBox()) return;
      lastKey = Date.now();
      if (state !== "typing") { state = "typing"; presence(); }
    });
  }
  window.addEventListener("pagehide", () => post("/presence/" + ticketID, { state: "left" }));

  // Sending without a reload. The form carries an idempotency key, so a
  // retry never adds the reply twice. The server answers with a redirect
  // to the ticket: ?done= when it was sent, ?held= when it was not (the
  // customer wrote again, a problem with the text), to a page that shows
  // the draft again with why, which takes this composer's place. Any
  // other answer saved nothing, and the form is sent the ordinary way to
  // show the server's page. A redirect elsewhere (signed out) keeps the
  // draft.
  // The details are saved without a reload too, so that a reply being
  // written stays. The answer's details, and its notice, take the place
  // of these: saved, or refused with why. Any other answer (the form
  // expired, signed out) is shown the ordinary way.
  if (side) {
    side.addEventListener("submit", async (e) => {
      const form = e.target;
      if (!form.matches || !form.matches("form.take, form.controls")) return;
      e.preventDefault();
      const body = new FormData(form);
      if (e.submitter && e.submitter.name) body.append(e.submitter.name, e.submitter.value);
      form.setAttribute("aria-busy", "true");
      try {
        const res = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
        if (!res.redirected) {
          if (e.submitter && e.submitter.name) {
            const pressed = document.createElement("input");
            pressed.type = "hidden";
            pressed.name = e.submitter.name;
            pressed.value = e.submitter.value;
            form.append(pressed);
          }
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const nextSide = $("aside.ticket-side", doc);
        if (!nextSide || new URL(res.url).pathname !== ticketPath) { location.assign(res.url); return; }
        side.innerHTML = nextSide.innerHTML;
        enhanceSelects(side);
        sideEdited = false;
        const meta = $("p.meta", doc);
        if (meta && $("p.meta")) $("p.meta").innerHTML = meta.innerHTML;
        $$("main p.notice, p#unsaved-details").forEach((el) => el.remove());
        const done = $("main p.notice", doc);
        if (done && conversation) conversation.before(document.importNode(done, true));
        history.replaceState(null, "", res.url);
      } catch (err) {
        warn("Saving failed: " + err.message + ". Your changes are still here; save again.");
      } finally {
        form.removeAttribute("aria-busy");
      }
    });
  }

  if (composer) {
    let sending = false, warnedFor = "";
    composer.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (sending) return;
      // Details changed and not saved would stay unsaved: say so before
      // sending, and send when Send is pressed again.
      const unsaved = sideChanges();
      if (unsaved.length && unsaved.join() !== warnedFor) {
        warnedFor = unsaved.join();
        let p = $("p#unsaved-details");
        if (!p) {
          p = document.createElement("p");
          p.id = "unsaved-details";
          p.className = "error";
          p.setAttribute("role", "alert");
          composer.before(p);
        }
        p.textContent = "You changed the " + inWords(unsaved) + " of this ticket, and they are not saved. " +
          "Save changes to keep them; press Send again to send your reply without saving them.";
        return;
      }
      warnedFor = "";
      sending = true;
      composer.setAttribute("aria-busy", "true");
      try {
        const res = await fetch(composer.action, { method: "POST", body: new FormData(composer), credentials: "same-origin" });
        if (!res.redirected) { HTMLFormElement.prototype.submit.call(composer); return; }
        const after = new URL(res.url);
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        if (after.pathname !== ticketPath || !$("div#conversation", doc) || !$("form#composer", doc)) {
          warn("You were signed out, so this was not sent. Sign in again in another tab, then send; your text is still here.");
          return;
        }
        shownConversation = $("div#conversation", doc).innerHTML;
        conversation.innerHTML = shownConversation;
        // The server's composer takes this one's place: the held draft
        // with why, or after sending an empty one with a new key, so that
        // nothing sent can be sent again (a held draft's warning, button
        // and text included).
        composer.innerHTML = $("form#composer", doc).innerHTML;
        if (notice) { notice.remove(); notice = null; }
        history.replaceState(null, "", res.url);
        if (after.searchParams.has("held")) {
          const box = draftBox();
          if (box) box.focus();
          return;
        }
        $$("p#unsaved-details").forEach((el) => el.remove());
        const meta = $("p.meta", doc);
        if (meta && $("p.meta")) $("p.meta").innerHTML = meta.innerHTML;
        // Details the agent changed and did not save stay as they are.
        const nextSide = $("aside.ticket-side", doc);
        if (side && nextSide && !sideChanges().length) {
          side.innerHTML = nextSide.innerHTML;
          enhanceSelects(side);
          sideEdited = false;
        }
        $$("main p.notice").forEach((el) => el.remove());
        const done = $("main p.notice", doc);
        const status = $("p#sent-status");
        if (done && status) status.textContent = done.textContent;
        state = "viewing";
        presence();
      } catch (err) {
        warn("Sending failed: " + err.message + ". Your text is still here; send again.");
      } finally {
        sending = false;
        composer.removeAttribute("aria-busy");
      }
    });
  }
})();
