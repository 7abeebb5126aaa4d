// Bulk changes from a list: tick tickets (shift-click ticks a range,
// the box in the header the whole page) and apply the bar's choices to
// them. Ticks survive the list refreshing itself.
(function () {
  const bar = document.querySelector("form#bulk");
  const holder = document.querySelector("div#ticket-list");
  if (!bar || !holder) return;
  const count = document.querySelector("#bulk-count");
  const boxes = () => Array.from(holder.querySelectorAll('input[name="id"][form="bulk"]'));
  const picked = new Set();
  let last = null;
  function show() {
    const n = picked.size;
    count.textContent = n ? (n === 1 ? "1 ticket selected." : n + " tickets selected.") : "No tickets selected.";
    const all = holder.querySelector("#pick-all");
    const list = boxes();
    if (all) all.checked = list.length > 0 && list.every((b) => b.checked);
  }
  holder.addEventListener("click", (e) => {
    const box = e.target.closest && e.target.closest('input[type="checkbox"]');
    if (!box) return;
    const list = boxes();
    if (box.id === "pick-all") {
      list.forEach((b) => { b.checked = box.checked; });
    } else if (e.shiftKey && last && list.includes(last)) {
      const a = list.indexOf(last), z = list.indexOf(box);
      list.slice(Math.min(a, z), Math.max(a, z) + 1).forEach((b) => { b.checked = box.checked; });
    }
    if (box.id !== "pick-all") last = box;
    list.forEach((b) => { if (b.checked) picked.add(b.value); else picked.delete(b.value); });
    show();
  });
  new MutationObserver(() => {
    boxes().forEach((b) => { b.checked = picked.has(b.value); });
    last = null;
    show();
  }).observe(holder, { childList: true });
  bar.addEventListener("submit", (e) => {
    if (picked.size === 0) { e.preventDefault(); count.textContent = "Tick a ticket first."; return; }
    // Ticks on rows no longer shown still count.
    const shown = new Set(boxes().map((b) => b.value));
    bar.querySelectorAll('input[name="id"]').forEach((i) => i.remove());
    picked.forEach((id) => {
      if (shown.has(id)) return;
      const i = document.createElement("input");
      i.type = "hidden"; i.name = "id"; i.value = id;
      bar.appendChild(i);
    });
    bar.querySelector('button[type="submit"]').disabled = true;
  });
  // Back to the list from the answer: the bar can be used again.
  window.addEventListener("pageshow", () => { bar.querySelector('button[type="submit"]').disabled = false; });
  show();
})();
