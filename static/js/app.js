// Keyboard-driven triage and small progressive enhancements. Loaded with a CSP nonce;
// no inline handlers anywhere. Every action also works without this script.
(function () {
  "use strict";

  const NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset"];

  function typing(event) {
    // A box that takes text; a checkbox (the status filter) keeps the keys working.
    const t = event.target;
    if (!t) return false;
    if (t.tagName === "INPUT" && NOT_TYPED.includes(t.type)) return false;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }

  function rows() {
    return Array.from(document.querySelectorAll("[data-keyboard-list] tbody tr[data-claim-id]"));
  }

  function focused() {
    return document.querySelector("[data-keyboard-list] tr.focused");
  }

  function focusRow(row) {
    if (!row) return;
    rows().forEach((r) => { r.classList.remove("focused"); r.removeAttribute("aria-current"); });
    row.classList.add("focused");
    row.setAttribute("aria-current", "true");
    const link = row.querySelector("td.text a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    sessionStorage.setItem("focused-claim", row.dataset.claimId);
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(focused());
    const next = index === -1 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    focusRow(all[next]);
  }

  function updateSelectedCount() {
    const out = document.getElementById("selected-count");
    if (!out) return;
    const n = document.querySelectorAll("#claims-table input[name=ids]:checked").length;
    out.textContent = n + " selected";
    rows().forEach((r) => {
      const box = r.querySelector("input[name=ids]");
      r.classList.toggle("selected", Boolean(box && box.checked));
    });
  }

  function post(url, data) {
    const body = new URLSearchParams(data);
    const token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    return fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": token, "HX-Request": "true" },
      credentials: "same-origin",
    });
  }

  function announce(text, isError) {
    const box = document.getElementById("messages");
    if (!box) return;
    const p = document.createElement("p");
    p.className = "msg " + (isError ? "msg-error" : "msg-success");
    p.dataset.flash = "";
    p.textContent = text;
    box.replaceChildren(p);
  }

  function refreshQueue() {
    const form = document.querySelector("form.filters");
    if (form && window.htmx) {
      window.htmx.trigger(form, "submit");
    }
  }

  const STATUS_KEYS = { r: "in_review", u: "unverifiable", n: "not_a_claim" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const dialog = document.getElementById("shortcuts");
    if (event.key === "?" && !typing(event)) {
      event.preventDefault();
      if (dialog && !dialog.open) dialog.showModal();
      return;
    }
    if (event.key === "Escape" && event.target.matches("[data-shortcut='/']")) {
      // Esc leaves the search box for the list, where the keys work again.
      event.preventDefault();
      event.target.blur();
      const row = focused() || rows()[0];
      if (row) focusRow(row);
      return;
    }
    if (typing(event)) return;
    if (event.key === "/") {
      const search = document.querySelector("[data-shortcut='/']");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (!document.querySelector("[data-keyboard-list]")) return;
    const row = focused();
    switch (event.key) {
      case "j": event.preventDefault(); move(1); break;
      case "k": event.preventDefault(); move(-1); break;
      case "Enter":
        if (row) { event.preventDefault(); window.location.href = row.dataset.url; }
        break;
      case "x":
        if (row) {
          event.preventDefault();
          const box = row.querySelector("input[name=ids]");
          box.checked = !box.checked;
          updateSelectedCount();
        }
        break;
      case "a":
        if (row) {
          event.preventDefault();
          post(row.dataset.assignUrl, {}).then((r) => {
            if (r.ok) { announce("Claim #" + row.dataset.claimId + " assigned to you."); refreshQueue(); }
            else r.text().then((t) => announce(t || "Could not assign (" + r.status + ")", true));
          });
        }
        break;
      default:
        if (row && STATUS_KEYS[event.key]) {
          event.preventDefault();
          // Once the status is set, the next row is the one to look at (it keeps the focus
          // when the queue is redrawn without the claim just decided).
          const all = rows();
          const next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
          post(row.dataset.statusUrl, { status: STATUS_KEYS[event.key] }).then((r) => {
            if (r.ok) {
              if (next) { focusRow(next); }
              announce("Claim #" + row.dataset.claimId + " set to " + STATUS_KEYS[event.key].replace(/_/g, " ") + ".");
              refreshQueue();
            }
            else r.text().then((t) => announce(t || "Refused (" + r.status + ")", true));
          });
        }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("#claims-table input[name=ids]")) updateSelectedCount();
  });

  function restoreFocus() {
    const id = sessionStorage.getItem("focused-claim");
    const row = id && document.querySelector("tr[data-claim-id='" + id + "']");
    if (row) focusRow(row);
    updateSelectedCount();
  }

  // A flash (a message, a panel's "Note added.") says what the last action did. The next
  // action — an htmx request that is not a GET — takes every older one away, wherever it is
  // on the page, before its own answer brings its own; a panel refreshing itself (a GET)
  // leaves them.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const config = event.detail.requestConfig;
    if (!config || String(config.verb).toLowerCase() === "get") return;
    document.querySelectorAll("[data-flash]").forEach((flash) => flash.remove());
  });

  document.addEventListener("DOMContentLoaded", restoreFocus);
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // Toggle between the claim's paragraph and the full article on the claim page.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-toggle-target]");
    if (!toggle) return;
    const target = document.getElementById(toggle.dataset.toggleTarget);
    const other = document.getElementById(toggle.dataset.toggleOther);
    if (!target) return;
    const show = target.hidden;
    target.hidden = !show;
    if (other) other.hidden = show;
    toggle.setAttribute("aria-expanded", String(show));
    toggle.textContent = show ? toggle.dataset.labelHide : toggle.dataset.labelShow;
  });
})();
