// Strategic tree: one toolbar acts on the selected row; keyboard: arrows select,
// A adds a child, E edits, Alt+Up/Down reorders, Delete opens the delete page.
(function () {
  "use strict";
  let selectedId = null;

  function tree() { return document.querySelector("#tree .tree"); }
  function toolbar() { return document.getElementById("tree-toolbar"); }

  function select(row, focus) {
    if (!row) return;
    document.querySelectorAll("#tree .row-node.selected").forEach(r => { r.classList.remove("selected"); r.tabIndex = -1; });
    row.classList.add("selected");
    row.tabIndex = 0;
    selectedId = row.id.slice(1);
    if (focus) row.focus();
    const bar = toolbar();
    if (bar && tree().dataset.editable === "1") {
      bar.hidden = false;
      bar.dataset.code = row.dataset.code;
      bar.querySelectorAll("button").forEach(b => b.setAttribute("aria-describedby", row.id));
      row.after(bar);
    }
  }

  function url(kind, id) {
    const bar = toolbar();
    if (kind === "add") return bar.dataset.addUrl + id;
    return bar.dataset[kind + "Url"].replace("/0/", "/" + id + "/");
  }

  function act(action) {
    if (!selectedId) return;
    const row = document.getElementById("n" + selectedId);
    const slot = document.getElementById("node-form-slot");
    if (action === "add" || action === "edit") {
      toolbar().after(slot);
      htmx.ajax("GET", url(action, selectedId), {target: "#node-form-slot", swap: "innerHTML"});
    } else if (action === "up" || action === "down") {
      htmx.ajax("POST", url("shift", selectedId), {target: "#tree", swap: "innerHTML", values: {direction: action}});
    } else if (action === "move") {
      window.location = url("move", selectedId);
    } else if (action === "align") {
      window.location = url("align", selectedId);
    } else if (action === "delete") {
      window.location = url("delete", selectedId);
    }
    return row;
  }

  document.addEventListener("click", function (ev) {
    const button = ev.target.closest("#tree-toolbar button[data-act]");
    if (button) { act(button.dataset.act); return; }
    const row = ev.target.closest("#tree .row-node");
    if (row) select(row, true);
  });

  document.addEventListener("keydown", function (ev) {
    const row = ev.target.closest && ev.target.closest("#tree .row-node");
    if (!row) return;
    if (ev.key === "ArrowDown" && !ev.altKey) { ev.preventDefault(); select(nextRow(row, 1), true); }
    else if (ev.key === "ArrowUp" && !ev.altKey) { ev.preventDefault(); select(nextRow(row, -1), true); }
    else if (ev.altKey && ev.key === "ArrowUp") { ev.preventDefault(); act("up"); }
    else if (ev.altKey && ev.key === "ArrowDown") { ev.preventDefault(); act("down"); }
    else if (ev.key === "a" || ev.key === "A" || ev.key === "+") { ev.preventDefault(); act("add"); }
    else if (ev.key === "e" || ev.key === "E" || ev.key === "Enter") { ev.preventDefault(); act("edit"); }
    else if (ev.key === "Delete") { ev.preventDefault(); act("delete"); }
  });

  function nextRow(row, step) {
    const rows = Array.from(document.querySelectorAll("#tree .row-node"));
    const i = rows.indexOf(row);
    return rows[Math.max(0, Math.min(rows.length - 1, i + step))];
  }

  // After the tree is re-rendered, keep the same node (or the one just changed) selected.
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target.id !== "tree") return;
    const flashed = document.querySelector("#tree .row-node.flash");
    const row = flashed || (selectedId && document.getElementById("n" + selectedId));
    if (row) { select(row, true); row.scrollIntoView({block: "nearest"}); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    const first = document.querySelector("#tree .row-node");
    if (first) first.tabIndex = 0;
  });
})();
