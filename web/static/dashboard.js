// The dashboard's little behaviour: filters submit on change, bars take their width,
// a task's units filter by status and sort by column (its header's button, so the
// keyboard reaches it too). No build step, no library.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A page answering a form posted elsewhere (a task's, after a nudge) shows its own
  // address: a reload then reads the page again rather than posting the form a second time.
  const address = document.body.dataset.address;
  if (address && location.pathname !== address) history.replaceState(null, "", address);
  // A filter applied from the keyboard (an arrow key changes a select) reloads the page:
  // focus comes back to that filter, so the next key goes on from there.
  const refocus = sessionStorage.getItem("dondoc-refocus");
  sessionStorage.removeItem("dondoc-refocus");
  if (refocus) document.getElementById(refocus)?.focus();
  for (const input of document.querySelectorAll(".autosubmit")) {
    input.addEventListener("change", () => {
      if (input.id) sessionStorage.setItem("dondoc-refocus", input.id);
      input.form.submit();
    });
  }
  // A table's first column stays in view when it scrolls sideways: a control focused under it
  // (going back by Shift+Tab) is scrolled out from under it, not left focused but hidden.
  for (const box of document.querySelectorAll(".scroll")) {
    box.addEventListener("focusin", (event) => {
      const first = event.target.closest("tr")?.firstElementChild;
      if (!first || first.contains(event.target)) return;
      const covered = first.getBoundingClientRect().right - event.target.getBoundingClientRect().left;
      if (covered > 0) box.scrollLeft -= covered;
    });
  }
  for (const span of document.querySelectorAll(".bar span[data-w]")) {
    span.style.width = span.dataset.w + "%";
  }
  // Back or Forward to a page: the browser puts back the values its menus had when it was
  // left (a filter changed just before its reload), over a table read without them. The
  // page's filters are the server's again (what its table shows); the task's status menu,
  // applied in the page, is applied again to its rows.
  window.addEventListener("pageshow", () => {
    document.getElementById("filters")?.reset();
    document.getElementById("status-filter")?.dispatchEvent(new Event("change"));
  });
  const filter = document.getElementById("status-filter");
  if (filter) {
    filter.addEventListener("change", () => {
      const rows = document.querySelectorAll("#" + filter.dataset.table + " tbody tr");
      for (const row of rows) {
        // "no_report" is the silent units, whatever their status; else a status.
        const shown = filter.value === "no_report"
          ? row.dataset.never === "1"
          : row.dataset.status === filter.value;
        row.hidden = Boolean(filter.value) && !shown;
      }
      // A status no unit has says so, rather than leaving the headers alone.
      const none = document.getElementById("status-none");
      if (none) none.hidden = Array.from(rows).some((row) => !row.hidden);
    });
  }
  for (const th of document.querySelectorAll("table.sortable th[data-sort]")) {
    th.addEventListener("click", () => {
      const table = th.closest("table");
      const index = Array.from(th.parentNode.children).indexOf(th);
      const numeric = th.dataset.sort === "num";
      const down = th.dataset.dir !== "asc";
      th.dataset.dir = down ? "asc" : "desc";
      for (const other of th.parentNode.children) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", down ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.children[index];
        const raw = cell.dataset.value ?? cell.textContent.trim();
        return numeric ? Number(raw) : raw;
      };
      const rows = Array.from(table.tBodies[0].rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        // Numbers within a name by value ("Phường 2" before "Phường 10"), as the server
        // lists units (core.textnorm.vi_sort_key).
        const order = numeric ? x - y : String(x).localeCompare(String(y), "vi", { numeric: true });
        return down ? order : -order;
      });
      table.tBodies[0].append(...rows);
    });
  }
});
