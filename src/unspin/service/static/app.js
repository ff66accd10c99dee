// unspin page: plain JavaScript, no build step, talks only to this server.
// Offsets in the API are Unicode code points; JavaScript strings count UTF-16 units,
// so texts are split into code points (Array.from) before slicing.
// This file: shared helpers (window.unspin) and the compare view. lineage.js draws a cluster's graph,
// collection.js is the collection view (unspin serve --db).
"use strict";

(function () {
  const COLOURS = ["#ffe08a", "#a8e6cf", "#bcd4ff", "#ffc3a0", "#d7b8f3", "#c1f0f6", "#f6d1e1", "#dcedc1"];
  const $ = (id) => document.getElementById(id);
  // names: the label and title each side is shown with (a stored document's id and title, a file's name)
  const state = { files: { a: null, b: null }, names: { a: null, b: null }, result: null, request: null, current: -1 };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  // ------------------------------------------------------------ input

  function setSource(side, text) {
    $("source-" + side).textContent = text;
  }

  function loadFile(side, file) {
    if (!file) return;
    const area = $("text-" + side);
    file.arrayBuffer().then((buffer) => {
      // a preview only: the file itself is sent, and the server decodes it (UTF-8, UTF-16, cp1252)
      area.value = new TextDecoder("utf-8").decode(buffer);
      state.files[side] = file;
      state.names[side] = null;
      setSource(side, "file: " + file.name + " (" + file.size.toLocaleString() + " bytes; editing the text sends the text instead)");
    }).catch((err) => showError("cannot read " + file.name + ": " + err));
  }

  ["a", "b"].forEach((side) => {
    const area = $("text-" + side);
    area.addEventListener("input", () => {
      if (state.files[side] || state.names[side]) {
        state.files[side] = null;
        state.names[side] = null;
        setSource(side, "edited text");
      }
    });
    area.addEventListener("dragover", (ev) => { ev.preventDefault(); area.classList.add("dragging"); });
    area.addEventListener("dragleave", () => area.classList.remove("dragging"));
    area.addEventListener("drop", (ev) => {
      area.classList.remove("dragging");
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        ev.preventDefault();
        loadFile(side, ev.dataTransfer.files[0]);
      }
    });
    $("file-" + side).addEventListener("change", (ev) => loadFile(side, ev.target.files[0]));
  });

  function buildRequest() {
    const texts = { a: $("text-a").value, b: $("text-b").value };
    if (state.files.a || state.files.b) {
      const form = new FormData();
      ["a", "b"].forEach((side) => {
        if (state.files[side]) form.append(side, state.files[side], state.files[side].name);
        else form.append(side, texts[side]);
      });
      return () => ({ method: "POST", body: form });
    }
    const sides = {};
    ["a", "b"].forEach((side) => {
      const named = state.names[side];
      sides[side] = named ? Object.assign({ text: texts[side] }, named) : texts[side];
    });
    const body = JSON.stringify(sides);
    return () => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: body });
  }

  // A server started with --token is opened as http://host:port/#token=...: the token is kept for this tab
  // only and sent as a bearer header; it leaves the address bar at once.
  const TOKEN_KEY = "unspin-token";
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }

  async function post(url, init) {
    init = Object.assign({}, init || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) init.headers = Object.assign({}, init.headers || {}, { Authorization: "Bearer " + token });
    const response = await fetch(url, init);
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try {
        const data = await response.json();
        if (data && data.error) message = data.error.message + " (" + data.error.code + ")";
      } catch (_) { /* not JSON */ }
      throw new Error(message);
    }
    return response;
  }

  function showError(message) {
    const status = $("status");
    status.textContent = message;
    status.classList.add("error");
  }

  async function runCompare(ev) {
    if (ev) ev.preventDefault();
    const button = $("compare");
    const status = $("status");
    if (!$("text-a").value.trim() && !state.files.a || !$("text-b").value.trim() && !state.files.b) {
      showError("Give both documents: paste a text or drop a file into each box.");
      return;
    }
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Comparing…";
    const request = buildRequest();
    try {
      const response = await post("/api/compare?include=text,differences", request());
      const data = await response.json();
      state.result = data;
      state.request = request;
      status.textContent = "";
      show(data);
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  // Loads two texts into the compare view and compares them; each side is {text, name, title?}
  // (the collection view opens stored documents this way, named by their id and title).
  async function compareTexts(a, b) {
    ["a", "b"].forEach((side, n) => {
      const given = [a, b][n];
      $("text-" + side).value = given.text;
      state.files[side] = null;
      state.names[side] = { name: given.name, title: given.title || undefined };
      setSource(side, given.title ? given.name + " — " + given.title : given.name);
    });
    await runCompare();
  }

  $("inputs").addEventListener("submit", runCompare);
  $("clear").addEventListener("click", () => {
    ["a", "b"].forEach((side) => { $("text-" + side).value = ""; state.files[side] = null; state.names[side] = null; setSource(side, ""); });
    $("status").textContent = "";
    $("text-a").focus();
  });
  $("edit").addEventListener("click", () => {
    $("inputs").hidden = false;
    $("text-a").focus();
    $("inputs").scrollIntoView({ block: "start" });
  });

  // ------------------------------------------------------------ results

  // What a side is called: its title, else its file name or stored id; a pasted text has neither.
  function sideName(info) {
    if (info.title) return info.title;
    if (info.name && info.name !== "a" && info.name !== "b") return info.name;
    return "pasted text";
  }

  function count(n, word) {
    return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s");
  }

  // As Coverage.percent: 100% only when all of it, 0% only when none of it.
  function percent(fraction) {
    const whole = Math.round(fraction * 100);
    return (fraction < 1 ? Math.min(99, Math.max(fraction > 0 ? 1 : 0, whole)) : 100) + "%";
  }

  function coverageLine(data, side) {
    const c = data[side].coverage;
    const me = side.toUpperCase(), other = side === "a" ? "B" : "A";
    return el("p", { class: "coverage", id: "coverage-" + side }, [
      el("strong", { class: "share", text: percent(c.fraction) }),
      " of " + me + "’s text is found in " + other + ": " + count(c.passages, "passage") + ", " +
        c.chars.toLocaleString("en") + " of " + c.total.toLocaleString("en") + " characters",
    ]);
  }

  function sideBlock(data, side) {
    const info = data[side];
    const evidence = el("ul", {}, (info.evidence || []).map((line) => el("li", { text: line })));
    const details = el("details", {}, [el("summary", { text: count((info.evidence || []).length, "piece") + " of evidence" }), evidence]);
    return el("div", { class: "side", "data-side": side }, [
      el("h3", { class: "side-name", text: side.toUpperCase() + ": " + sideName(info) }),
      info.title && info.name && info.name !== side ? el("div", { class: "muted side-id", text: info.name }) : "",
      coverageLine(data, side),
      el("div", {}, ["disguise: ", el("span", { class: "disguise", text: (info.disguise || []).join(", ") }), " · language " + (info.language || "?")]),
      details,
    ]);
  }

  function show(data) {
    const verdict = $("verdict");
    verdict.className = "verdict " + (data.related ? "related" : "unrelated");
    verdict.replaceChildren(
      el("p", { class: "headline" }, [
        el("strong", { id: "verdict-related", text: data.related ? "Related: same source" : "Unrelated" }),
        " · score ", el("span", { id: "verdict-score", text: data.score.toFixed(2) }),
        " · relation ", el("strong", { id: "verdict-relation", text: data.relation }),
        " · " + count(data.passages.length, "passage") + ", " + count(data.substitutions.length, "substitution"),
      ]),
      el("div", { class: "sides" }, [sideBlock(data, "a"), sideBlock(data, "b")]),
    );
    ["a", "b"].forEach((side) => {
      const info = data[side];
      $("title-" + side).replaceChildren(side.toUpperCase() + ": " + sideName(info),
        el("span", { class: "lang", text: " · " + info.language + " · " + (info.disguise || []).join(", ") }));
      renderText($("pane-" + side), info.text || "", marksFor(data, side));
    });
    renderPassageList(data);
    renderSubstitutions(data);
    state.current = -1;
    $("results").hidden = false;
    $("inputs").hidden = true;
    $("results").focus();
  }

  function marksFor(data, side) {
    const other = side === "a" ? "b" : "a";
    const marks = [];
    data.passages.forEach((p, n) => marks.push({ start: p[side].start, end: p[side].end, kind: "p", n: n }));
    data.substitutions.forEach((s, n) => marks.push({
      start: s[side].start, end: s[side].end, kind: "s", n: n, other: s[other].text, rarer: s.rarer === side,
    }));
    (data.differences || []).forEach((d) => d[side].forEach((span) => marks.push({ start: span.start, end: span.end, kind: "d" })));
    (data[side].boilerplate || []).forEach((b) => marks.push({ start: b.start, end: b.end, kind: "bp", reason: b.reason }));
    return marks;
  }

  // Each piece between two cut points goes inside one span carrying every mark that covers it.
  function renderText(container, text, marks) {
    const points = Array.from(text);
    const cuts = new Set([0, points.length]);
    marks.forEach((m) => { cuts.add(Math.max(0, Math.min(points.length, m.start))); cuts.add(Math.max(0, Math.min(points.length, m.end))); });
    const sorted = Array.from(cuts).sort((x, y) => x - y);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i + 1 < sorted.length; i++) {
      const start = sorted[i], end = sorted[i + 1];
      const piece = points.slice(start, end).join("");
      const covering = marks.filter((m) => m.start <= start && end <= m.end);
      if (!covering.length) { fragment.append(piece); continue; }
      const span = el("span", { text: piece });
      const classes = [];
      covering.forEach((m) => {
        if (m.kind === "p") {
          classes.push("passage");
          span.dataset.p = m.n;
          span.style.background = COLOURS[m.n % COLOURS.length];
        } else if (m.kind === "s") {
          classes.push("sub");
          span.dataset.s = m.n;
          span.dataset.counterpart = m.other;
          span.title = "↔ " + m.other;
          span.tabIndex = 0;
          span.setAttribute("aria-label", piece + ", the other text has: " + m.other);
        } else if (m.kind === "d") {
          classes.push("diff");
          span.title = "differs from the other side’s wording in this verbatim passage";
        } else {
          classes.push("boilerplate");
          span.title = "boilerplate: " + m.reason;
        }
      });
      span.className = classes.join(" ");
      fragment.append(span);
    }
    container.replaceChildren(fragment);
    container.scrollTop = 0;
  }

  function preview(text, limit) {
    const flat = text.split(/\s+/).join(" ").trim();
    return flat.length <= limit ? flat : flat.slice(0, limit - 1) + "…";
  }

  function renderPassageList(data) {
    const list = $("passage-list");
    const textA = Array.from(data.a.text || "");
    $("passages-title").textContent = count(data.passages.length, "passage");
    list.replaceChildren(...data.passages.map((p, n) => {
      const button = el("button", { type: "button", "data-p": String(n) }, [
        el("span", { class: "meta", text: (n + 1) + ". " + p.kind + " · " + p.score.toFixed(2) + " · " + p.method }),
        el("span", { class: "preview", text: preview(textA.slice(p.a.start, p.a.end).join(""), 90) }),
      ]);
      button.style.borderLeftColor = COLOURS[n % COLOURS.length];
      button.addEventListener("click", () => goTo(n));
      return el("li", {}, [button]);
    }));
    if (!data.passages.length) list.replaceChildren(el("li", { text: "No aligned passages." }));
  }

  // The same swap made several times ("International Criminal" ↔ "Global Lawbreaker" three times) is one row.
  function substitutionGroups(subs) {
    const groups = new Map();
    subs.forEach((s, n) => {
      const key = s.a.text.toLowerCase() + "\u0000" + s.b.text.toLowerCase();
      if (!groups.has(key)) groups.set(key, { a: s.a.text, b: s.b.text, worse: s.worse, items: [] });
      groups.get(key).items.push(n);
    });
    return Array.from(groups.values()).sort((x, y) => y.items.length - x.items.length || x.items[0] - y.items[0]);
  }

  function renderSubstitutions(data) {
    const groups = substitutionGroups(data.substitutions);
    $("show-subs").checked = true;
    $("results").classList.remove("hide-subs");
    $("show-subs-count").textContent = String(data.substitutions.length);
    $("subs-title").textContent = count(data.substitutions.length, "substitution") + ", " + groups.length + " distinct";
    $("sub-groups").replaceChildren(...groups.map((g) => {
      const button = el("button", { type: "button", class: "sub-group", "data-s": String(g.items[0]) }, [
        el("span", { class: "a-side" + (g.worse === "a" ? " worse" : ""), text: g.a }), " ↔ ",
        el("span", { class: "b-side" + (g.worse === "b" ? " worse" : ""), text: g.b }),
        g.items.length > 1 ? el("span", { class: "count", text: " ×" + g.items.length }) : "",
      ]);
      button.addEventListener("click", () => goToSubstitution(g.items[0]));
      return el("li", {}, [button]);
    }));
    $("subs-box").hidden = !groups.length;
  }

  function scrollPaneTo(pane, node) {
    const top = node.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTo({ top: Math.max(0, top - pane.clientHeight / 4), behavior: "smooth" });
  }

  function goTo(n) {
    if (!state.result || n < 0 || n >= state.result.passages.length) return;
    state.current = n;
    document.querySelectorAll(".passage.active").forEach((x) => x.classList.remove("active"));
    document.querySelectorAll("#passage-list button").forEach((b) => b.setAttribute("aria-current", String(b.dataset.p === String(n))));
    ["a", "b"].forEach((side) => {
      const pane = $("pane-" + side);
      const hits = pane.querySelectorAll('.passage[data-p="' + n + '"]');
      hits.forEach((x) => x.classList.add("active"));
      if (hits.length) scrollPaneTo(pane, hits[0]);
    });
  }

  function goToSubstitution(n) {
    if ($("results").classList.contains("hide-subs")) { $("show-subs").checked = true; $("results").classList.remove("hide-subs"); }
    ["a", "b"].forEach((side) => {
      const pane = $("pane-" + side);
      const hit = pane.querySelector('.sub[data-s="' + n + '"]');
      if (hit) scrollPaneTo(pane, hit);
    });
    const mine = $("pane-b").querySelector('.sub[data-s="' + n + '"]');
    if (mine) mine.focus({ preventScroll: true });
  }

  $("show-subs").addEventListener("change", (ev) => {
    $("results").classList.toggle("hide-subs", !ev.target.checked);
    hideTip();
  });

  // ------------------------------------------------------------ tooltip

  const tooltip = $("tooltip");
  function showTip(target) {
    if ($("results").classList.contains("hide-subs")) return;
    const rect = target.getBoundingClientRect();
    const mine = target.closest(".text").id === "pane-a" ? "A" : "B";
    tooltip.replaceChildren(mine === "A" ? "B has: " : "A has: ", el("span", { class: "other", text: target.dataset.counterpart }));
    tooltip.hidden = false;
    const room = document.documentElement.clientWidth - tooltip.offsetWidth - 8;
    tooltip.style.left = Math.max(4, Math.min(rect.left, room)) + window.scrollX + "px";
    tooltip.style.top = rect.bottom + window.scrollY + 4 + "px";
  }
  function hideTip() { tooltip.hidden = true; }
  ["pane-a", "pane-b"].forEach((id) => {
    const pane = $(id);
    pane.addEventListener("mouseover", (ev) => { const t = ev.target.closest(".sub"); if (t) showTip(t); });
    pane.addEventListener("mouseout", (ev) => { if (ev.target.closest(".sub")) hideTip(); });
    pane.addEventListener("focusin", (ev) => { const t = ev.target.closest(".sub"); if (t) showTip(t); });
    pane.addEventListener("focusout", hideTip);
    pane.addEventListener("scroll", hideTip);
  });

  // ------------------------------------------------------------ downloads and print

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  $("download-json").addEventListener("click", () => {
    if (!state.result) return;
    const data = JSON.parse(JSON.stringify(state.result));
    delete data.a.text; // the texts and differences were asked for with ?include=; the download is exactly to_dict()
    delete data.b.text;
    delete data.differences;
    download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), "unspin-comparison.json");
  });

  $("download-html").addEventListener("click", async () => {
    if (!state.request) return;
    const button = $("download-html");
    button.disabled = true;
    try {
      const response = await post("/api/report.html", state.request());
      download(await response.blob(), "unspin-report.html");
    } catch (err) {
      showError(err.message);
      $("inputs").hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  $("print").addEventListener("click", () => window.print());

  // ------------------------------------------------------------ keys

  document.addEventListener("keydown", (ev) => {
    if ($("compare-view").hidden) return;
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && !$("inputs").hidden) { runCompare(ev); return; }
    if (ev.key === "Escape") { hideTip(); return; }
    const typing = ev.target.closest && ev.target.closest("textarea, input");
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey || $("results").hidden || !state.result) return;
    if (ev.key === "n") goTo(Math.min(state.current + 1, state.result.passages.length - 1));
    else if (ev.key === "p") goTo(Math.max(state.current - 1, 0));
  });

  window.unspin = { $: $, el: el, post: post, showError: showError, hideTip: hideTip, compareTexts: compareTexts, percent: percent, count: count };
})();
