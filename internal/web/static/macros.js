// The composer's macro picker. Macros (or Alt+M) opens it; typing
// narrows it, the arrow keys and Enter choose. The chosen macro's text,
// its placeholders filled for this ticket, goes into the reply where the
// cursor is, and the form names the macro, so that its actions apply in
// the same change when the reply is sent.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const picker = $("dialog#macro-picker");
  const composer = $("form#composer");
  if (!picker || !composer) return;
  document.body.dataset.macros = "on";
  const box = $("input#macro-q", picker);
  const options = $("ul#macro-options", picker);
  const status = $("p#macro-pick-status", picker);
  const ticketPath = new URL(composer.action).pathname.replace(/\/messages$/, "");
  let found = [], active = -1, asked = 0, timer = 0;

  async function problem(res) {
    try { return (await res.json()).detail || res.statusText; } catch (e) { return res.statusText; }
  }

  async function search() {
    const mine = ++asked;
    let res;
    try {
      res = await fetch("/macros/pick?q=" + encodeURIComponent(box.value), { credentials: "same-origin" });
    } catch (err) {
      status.textContent = "Macros could not be loaded: " + err.message;
      return;
    }
    if (mine !== asked) return;
    if (!res.ok) { status.textContent = await problem(res); return; }
    const list = await res.json();
    if (mine !== asked) return;
    found = list;
    show();
  }

  function show() {
    options.replaceChildren(...found.map((m) => {
      const li = document.createElement("li");
      li.id = "macro-option-" + m.id;
      li.setAttribute("role", "option");
      const name = document.createElement("strong");
      name.textContent = m.name;
      const scope = document.createElement("span");
      scope.className = "scope";
      scope.textContent = m.scope;
      const preview = document.createElement("span");
      preview.className = "preview";
      preview.textContent = m.preview;
      li.append(name, " ", scope, preview);
      if (m.does && m.does.length) {
        const does = document.createElement("span");
        does.className = "does";
        does.textContent = "Also " + m.does.join("; ");
        li.append(does);
      }
      return li;
    }));
    mark(found.length ? 0 : -1);
    status.textContent = found.length ? found.length + (found.length === 1 ? " macro" : " macros") :
      box.value.trim() ? "No macro has all these words." : "No macros yet.";
  }

  function mark(i) {
    active = i;
    Array.from(options.children).forEach((li, n) => li.setAttribute("aria-selected", n === i ? "true" : "false"));
    if (i >= 0) {
      box.setAttribute("aria-activedescendant", options.children[i].id);
      options.children[i].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  let choosing = false;
  async function choose(i) {
    const m = found[i];
    if (!m || choosing) return;
    choosing = true;
    try {
      const body = new URLSearchParams({ csrf: composer.elements.csrf.value, macro_id: m.id });
      const res = await fetch(ticketPath + "/macro", { method: "POST", body, credentials: "same-origin" });
      if (!res.ok) { status.textContent = await problem(res); return; }
      insert(await res.json());
      picker.close();
    } catch (err) {
      status.textContent = "The macro could not be inserted: " + err.message;
    } finally {
      choosing = false;
    }
  }

  function insert(m) {
    const text = composer.elements.body;
    if (!text.value.trim()) {
      text.value = m.body;
    } else {
      text.setRangeText(m.body, text.selectionStart, text.selectionEnd, "end");
    }
    composer.elements.macro_id.value = m.id;
    const chosen = $("p#macro-chosen", composer);
    const name = document.createElement("strong");
    name.textContent = m.name;
    const clear = document.createElement("button");
    clear.type = "button";
    clear.id = "macro-clear";
    clear.className = "link";
    clear.textContent = "Do not apply it";
    chosen.replaceChildren("Macro ", name, m.does && m.does.length ? ": when sent, it also " + m.does.join("; ") + ". " : ". ", clear);
    chosen.hidden = false;
    text.dispatchEvent(new Event("input", { bubbles: true }));
    text.focus();
  }

  function open() {
    if (picker.open) return;
    picker.showModal();
    box.value = "";
    box.focus();
    search();
  }

  document.addEventListener("click", (e) => {
    if (!e.target.closest) return;
    if (e.target.closest("form#composer button#macro-open")) { open(); return; }
    if (e.target.closest("form#composer button#macro-clear")) {
      composer.elements.macro_id.value = "";
      const chosen = $("p#macro-chosen", composer);
      chosen.replaceChildren();
      chosen.hidden = true;
      composer.elements.body.focus();
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyM") { e.preventDefault(); open(); }
  });
  $("button#macro-close", picker).addEventListener("click", () => picker.close());
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 80); });
  box.addEventListener("keydown", (e) => {
    switch (e.key) {
      case "ArrowDown": if (found.length) mark((active + 1) % found.length); break;
      case "ArrowUp": if (found.length) mark((active - 1 + found.length) % found.length); break;
      case "Enter": choose(active); break;
      default: return;
    }
    e.preventDefault();
  });
  options.addEventListener("click", (e) => {
    const li = e.target.closest("li[role=option]");
    if (li) choose(Array.from(options.children).indexOf(li));
  });
  picker.addEventListener("close", () => composer.elements.body.focus());
})();
