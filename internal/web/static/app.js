// Tend's workspace script. Every page works without it; it adds keyboard
// shortcuts, live updates over Server-Sent Events, presence on tickets and
// sending replies without a reload.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => { const el = $('input[name="csrf"]'); return el ? el.value : ""; };

  function post(url, fields) {
    const body = new URLSearchParams(Object.assign({ csrf: csrf() }, fields));
    return fetch(url, { method: "POST", body, credentials: "same-origin", keepalive: true });
  }

  // Keyboard: j/k move through a list, Enter opens, / searches, ? lists
  // the shortcuts, r and n start a reply or a note.
  function typing(e) {
    const t = e.target;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }
  let selected = -1;
  function rows() { return $$("table.tickets tbody tr.ticket-row"); }
  function select(i) {
    const list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((r, n) => r.classList.toggle("selected", n === selected));
    const link = $("td.subject a", list[selected]);
    link.focus({ preventScroll: true });
    list[selected].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }
    if (typing(e)) return;
    const dialog = $("#shortcuts");
    switch (e.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter": {
        const r = rows()[selected];
        if (r && document.activeElement === document.body) { location.href = $("td.subject a", r).href; }
        return;
      }
      case "/": { const q = $("#search-q"); if (q) { q.focus(); q.select(); } break; }
      case "?": if (dialog) dialog.open ? dialog.close() : dialog.showModal(); break;
      case "r": case "n": {
        const body = $("#body");
        if (!body) return;
        const kind = $(`#composer input[name="kind"][value="${e.key === "r" ? "reply" : "note"}"]`);
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
    if (row) {
      selected = rows().indexOf(row);
      rows().forEach((r) => r.classList.toggle("selected", r === row));
    }
  });

  // A long select (the owner of a ticket) gets a box that narrows its
  // options as one types.
  $$("select.searchable").forEach((select) => {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "narrow";
    box.placeholder = "Type to find…";
    box.setAttribute("aria-label", "Find in " + (select.labels[0] ? select.labels[0].textContent : "the list"));
    box.setAttribute("aria-controls", select.id);
    select.before(box);
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      let first = null;
      for (const o of select.options) {
        const show = !q || o.textContent.toLowerCase().includes(q);
        o.hidden = !show;
        if (show && !first && o.value) first = o;
      }
      if (first && q) select.value = first.value;
    });
  });

  // Live updates.
  const live = document.body.dataset.live;
  if (!live || !window.EventSource) return;

  function debounce(fn, ms) {
    let t = null;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  async function refreshCounts() {
    const res = await fetch("/tickets/counts", { credentials: "same-origin" });
    if (!res.ok) return;
    const counts = await res.json();
    $$("[data-count]").forEach((el) => {
      const n = counts[el.dataset.count];
      if (n !== undefined) el.textContent = n;
    });
  }

  async function refreshList() {
    const holder = $("#ticket-list");
    if (!holder) return;
    const url = new URL(location.href);
    url.searchParams.set("fragment", "list");
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) return;
    const before = new Set(rows().map((r) => $("td.subject a", r).getAttribute("href")));
    const keep = selected;
    holder.innerHTML = await res.text();
    rows().forEach((r) => {
      if (!before.has($("td.subject a", r).getAttribute("href"))) r.classList.add("fresh");
    });
    if (keep >= 0) {
      selected = keep;
      rows().forEach((r, n) => r.classList.toggle("selected", n === keep));
    }
  }

  const ticketID = live.startsWith("ticket=") ? live.slice(7) : "";
  const conversation = $("#conversation");
  const composer = $("#composer");
  const body = $("#body");

  async function refreshConversation() {
    if (!conversation) return;
    const url = new URL(location.href);
    url.search = "?fragment=conversation";
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) return;
    const seen = new Set($$(".msg", conversation).map((m) => m.dataset.id));
    conversation.innerHTML = await res.text();
    const fresh = $$(".msg", conversation).filter((m) => !seen.has(m.dataset.id));
    fresh.forEach((m) => m.classList.add("new"));
    // While an agent writes, a new customer message is pointed out; the
    // server asks to confirm if they send without having seen it.
    if (body && body.value.trim() && fresh.some((m) => m.dataset.author === "customer")) {
      notice("The customer wrote again while you were writing. Their new message is marked above.");
    }
  }

  function notice(text) {
    let el = $("#live-notice");
    if (!el) {
      el = document.createElement("p");
      el.id = "live-notice";
      el.className = "error";
      el.setAttribute("role", "alert");
      composer.before(el);
    }
    el.textContent = text;
  }

  function showPresence(present) {
    const el = $("#presence");
    if (!el) return;
    const me = Number(document.body.dataset.agent || 0);
    const others = (present || []).filter((p) => p.id !== me);
    el.textContent = others.map((p) => p.name + (p.typing ? " is writing a reply" : " is viewing this ticket")).join("; ");
  }

  const lists = debounce(() => { refreshList(); refreshCounts(); }, 50);
  const source = new EventSource("/live" + (ticketID ? "?ticket=" + ticketID : ""));
  // Marked for people's tools and for tests: this page follows changes.
  source.addEventListener("open", () => { document.body.dataset.following = "yes"; });
  source.addEventListener("error", () => { delete document.body.dataset.following; });
  source.addEventListener("ticket", (e) => {
    const ev = JSON.parse(e.data);
    if (ticketID && String(ev.ticket_id) === ticketID) refreshConversation();
    lists();
  });
  source.addEventListener("presence", (e) => showPresence(JSON.parse(e.data).present));

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
  if (body) {
    body.addEventListener("input", () => {
      lastKey = Date.now();
      if (state !== "typing") { state = "typing"; presence(); }
    });
  }
  window.addEventListener("pagehide", () => post("/presence/" + ticketID, { state: "left" }));

  // Sending without a reload: post the form as the browser would; on
  // success, show the new conversation and clear the composer. A refusal
  // (the customer wrote again, a problem with the text) saved nothing, so
  // the form is sent again the ordinary way, to show the server's page.
  if (composer) {
    composer.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = $("button[type=submit]", composer);
      button.disabled = true;
      try {
        const res = await fetch(composer.action, { method: "POST", body: new FormData(composer), credentials: "same-origin" });
        if (!res.ok || !res.redirected) { HTMLFormElement.prototype.submit.call(composer); return; }
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        for (const sel of ["#conversation", ".ticket-side", ".ticket-head .meta"]) {
          const from = $(sel, doc), to = $(sel);
          if (from && to) to.innerHTML = from.innerHTML;
        }
        $$(".notice, #live-notice, #composer-error").forEach((el) => el.remove());
        const done = $(".notice", doc);
        if (done) composer.before(done);
        const last = $('input[name="last_message_id"]', doc);
        if (last) $('input[name="last_message_id"]', composer).value = last.value;
        const confirm = $('input[name="confirm"]', composer);
        if (confirm) confirm.remove();
        composer.reset();
        history.replaceState(null, "", res.url);
        state = "viewing";
        presence();
      } catch (err) {
        notice("Sending failed: " + err.message + ". Your text is still here; try again.");
      } finally {
        button.disabled = false;
      }
    });
  }
})();
