// The new ticket form: find the customer as you type (the results come
// from /customers/suggest), and show the mailbox only for an email to
// the customer. Without the script the form still works: a customer is
// then found or added by the address typed.
(function () {
  const form = document.querySelector("form#new-ticket");
  if (!form) return;
  const id = form.querySelector("input#customer_id");
  const q = form.querySelector("input#customer-q");
  const results = form.querySelector("ul#customer-results");
  const chosen = form.querySelector("p#customer-chosen");
  const chosenLabel = form.querySelector("span#customer-chosen-label");
  const find = form.querySelector("div#customer-find");
  const mailbox = form.querySelector("div#mailbox-field");

  function showMailbox() {
    const ch = form.querySelector('input[name="channel"]:checked');
    mailbox.hidden = !ch || ch.value !== "email";
  }
  form.querySelectorAll('input[name="channel"]').forEach((r) => r.addEventListener("change", showMailbox));
  showMailbox();

  function choose(c) {
    id.value = String(c.id);
    chosenLabel.textContent = c.label;
    chosen.hidden = false;
    find.hidden = true;
    close();
    form.querySelector("input#subject").focus();
  }
  function close() {
    results.hidden = true;
    results.replaceChildren();
    q.setAttribute("aria-expanded", "false");
  }
  form.querySelector("button#customer-clear").addEventListener("click", () => {
    id.value = "";
    chosen.hidden = true;
    find.hidden = false;
    q.focus();
  });

  let asked = 0;
  let timer = 0;
  q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  async function search() {
    const text = q.value.trim();
    const n = ++asked;
    if (!text) { close(); return; }
    let list = [];
    try {
      const resp = await fetch("/customers/suggest?q=" + encodeURIComponent(text), { credentials: "same-origin" });
      if (!resp.ok) return;
      list = await resp.json();
    } catch (e) {
      return;
    }
    if (n !== asked) return; // a later search is on its way
    results.replaceChildren();
    if (!list.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "Nobody found: add them below.";
      results.appendChild(li);
    }
    list.forEach((c, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "customer-option-" + c.id;
      li.dataset.index = String(i);
      li.textContent = c.label;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(c); });
      results.appendChild(li);
    });
    results.hidden = false;
    q.setAttribute("aria-expanded", "true");
    results.list = list;
    move(list.length ? 0 : -1);
  }
  let active = -1;
  function move(i) {
    const items = Array.from(results.querySelectorAll('li[role="option"]'));
    active = Math.max(-1, Math.min(i, items.length - 1));
    items.forEach((li, n) => li.setAttribute("aria-selected", n === active ? "true" : "false"));
    if (active >= 0) q.setAttribute("aria-activedescendant", items[active].id);
    else q.removeAttribute("aria-activedescendant");
  }
  q.addEventListener("keydown", (e) => {
    if (results.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); move(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(active - 1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter") {
      e.preventDefault(); // choosing, not sending the form
      if (active >= 0 && results.list) choose(results.list[active]);
    }
  });
  q.addEventListener("blur", () => setTimeout(close, 100));
})();
