// The selection tools: select text of an article (mouse, or keyboard in the focused text)
// and act on it — create a claim, split one, merge two, move a span. Loaded with a CSP nonce;
// no inline handlers. Offsets are positions in the article's text as the server counts them
// (code points, not the UTF-16 units of JavaScript strings).
(function () {
  "use strict";

  const ROOT = "[data-text-start]";
  let chosen = null; // the last selection made in a text: {start, end, text}

  function codePoints(text) {
    return Array.from(text).length;
  }

  function rootOf(node) {
    const el = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return el ? el.closest(ROOT) : null;
  }

  // The text of a range as the server counts it: a direction control the page shows as a
  // badge ("[U+202E]", workbench/text.py) is the one character it stands for.
  function serverText(range) {
    const copy = range.cloneContents();
    copy.querySelectorAll("[data-bidi-control]").forEach((badge) => badge.replaceWith("?"));
    return copy.textContent;
  }

  function offsetIn(root, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return Number(root.dataset.textStart) + codePoints(serverText(range));
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return null;
    const range = sel.getRangeAt(0);
    const root = rootOf(range.startContainer);
    if (!root || rootOf(range.endContainer) !== root) return null;
    return {
      start: offsetIn(root, range.startContainer, range.startOffset),
      end: offsetIn(root, range.endContainer, range.endOffset),
      text: range.toString(),
    };
  }

  function claims(tools) {
    return JSON.parse(tools.dataset.spans || "[]");
  }

  function set(form, name, value) {
    const input = form.querySelector("[name='" + name + "']");
    if (input) input.value = value;
  }

  // Point a form at a claim (its URL has the claim's id) or disable it when none fits.
  function target(form, claim, values, label) {
    const button = form.querySelector("button[type=submit]");
    if (!claim) {
      button.disabled = true;
      button.textContent = form.dataset.idle;
      return;
    }
    const url = form.dataset.url.replace("/0/", "/" + claim.id + "/");
    form.setAttribute("action", url);
    form.setAttribute("hx-post", url);
    set(form, "version", claim.version);
    Object.entries(values).forEach(([name, value]) => set(form, name, value));
    button.disabled = false;
    button.textContent = label;
    if (window.htmx) window.htmx.process(form);
  }

  function render() {
    const tools = document.querySelector("[data-selection-tools]");
    if (!tools || !chosen) return;
    const { start, end } = chosen;
    const summary = tools.querySelector("[data-selection-summary]");
    if (start === end) {
      summary.textContent = "Position " + start + " (nothing selected).";
    } else {
      const preview = chosen.text.length > 80 ? chosen.text.slice(0, 79) + "…" : chosen.text;
      summary.textContent = "Selected " + start + "–" + end + ": “" + preview + "”";
    }
    const all = claims(tools);
    const innermost = (list) =>
      list.slice().sort((a, b) => a.end - a.start - (b.end - b.start) || a.id - b.id)[0];
    const touched = all
      .filter((c) => c.start < end && start < c.end)
      .sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);

    const create = tools.querySelector("[data-selection=create]");
    set(create, "start", start);
    set(create, "end", end);
    create.querySelector("button[type=submit]").disabled = start === end;

    const inside = innermost(all.filter((c) => c.start < start && start < c.end));
    target(tools.querySelector("[data-selection=split]"), inside, { at: start },
      inside && "Split claim #" + inside.id + " at " + start);

    const pair = touched.length === 2 ? touched : null;
    target(tools.querySelector("[data-selection=merge]"), pair && pair[0],
      pair ? { with: pair[1].id, with_version: pair[1].version } : {},
      pair && "Merge claims #" + pair[0].id + " and #" + pair[1].id);

    const one = start !== end && touched.length === 1 ? touched[0] : null;
    target(tools.querySelector("[data-selection=span]"), one, { start: start, end: end },
      one && "Set the span of claim #" + one.id + " to " + start + "–" + end);

    // The claim page's own forms take the selection too.
    document.querySelectorAll("input[data-fill]").forEach((input) => {
      input.value = { at: start, start: start, end: end }[input.dataset.fill];
    });
  }

  document.addEventListener("selectionchange", function () {
    const found = readSelection();
    // A click on a button moves the selection out of the text: keep the last one.
    if (!found) return;
    chosen = found;
    render();
  });

  // The reason typed once goes with whichever action is taken.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-selection-reason]")) return;
    document.querySelectorAll("[data-selection-tools] form [name=reason]").forEach((input) => {
      input.value = event.target.value;
    });
  });

  // A drag that starts on a claim's link selects text: the browser would drag the link
  // instead, so the link loses its href while the button is down. A click without a drag
  // still opens the claim (Ctrl, Shift or Cmd: in a new tab).
  let pressed = null;
  function restore() {
    if (!pressed) return;
    pressed.setAttribute("href", pressed.dataset.href);
    pressed = null;
  }
  document.addEventListener("mousedown", function (event) {
    const link = event.button === 0 && event.target.closest(ROOT + " a[href]");
    if (!link) return;
    link.dataset.href = link.getAttribute("href");
    link.removeAttribute("href");
    pressed = link;
  });
  document.addEventListener("click", function (event) {
    const link = pressed;
    restore();
    if (!link) return;
    event.preventDefault();
    const sel = window.getSelection();
    if (event.target.closest("a") !== link || (sel && !sel.isCollapsed)) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey) window.open(link.href, "_blank");
    else window.location.assign(link.href);
  });
  // No click when the button is released elsewhere: the href comes back all the same.
  document.addEventListener("mouseup", function () {
    window.setTimeout(restore, 0);
  });

  // Keyboard: in a focused text, arrow keys move a caret and Shift + arrows select
  // (Ctrl or Alt: by word; Home and End: to the line's ends).
  const MOVES = {
    ArrowLeft: ["backward", "character"],
    ArrowRight: ["forward", "character"],
    Home: ["backward", "lineboundary"],
    End: ["forward", "lineboundary"],
  };
  document.addEventListener("keydown", function (event) {
    const root = event.target.closest && event.target.closest(ROOT);
    if (!root || !MOVES[event.key] || event.metaKey) return;
    const sel = window.getSelection();
    if (!sel.rangeCount || rootOf(sel.anchorNode) !== root) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      sel.collapse(walker.nextNode() || root, 0);
    }
    const [direction, unit] = MOVES[event.key];
    const step = (event.ctrlKey || event.altKey) && unit === "character" ? "word" : unit;
    sel.modify(event.shiftKey ? "extend" : "move", direction, step);
    event.preventDefault();
  });

  // After htmx swaps the claim page, spans may have moved: the old selection is forgotten.
  document.addEventListener("htmx:afterSettle", function () {
    chosen = null;
  });
})();
