// unspin page: plain JavaScript, no build step, talks only to this server.
// Offsets in the API are Unicode code points; JavaScript strings count UTF-16 units,
// so texts are split into code points (Array.from) before slicing.
"use strict";

(function () {
  const COLOURS = ["#ffe08a", "#a8e6cf", "#bcd4ff", "#ffc3a0", "#d7b8f3", "#c1f0f6", "#f6d1e1", "#dcedc1"];
  const $ = (id) => document.getElementById(id);
  const state = { files: { a: null, b: null }, result: null, request: null, current: -1, collection: false };

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
      setSource(side, "file: " + file.name + " (" + file.size.toLocaleString() + " bytes; editing the text sends the text instead)");
    }).catch((err) => showError("cannot read " + file.name + ": " + err));
  }

  ["a", "b"].forEach((side) => {
    const area = $("text-" + side);
    area.addEventListener("input", () => {
      if (state.files[side]) {
        state.files[side] = null;
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
    const body = JSON.stringify(texts);
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
      const response = await post("/api/compare?include=text", request());
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

  $("inputs").addEventListener("submit", runCompare);
  $("clear").addEventListener("click", () => {
    ["a", "b"].forEach((side) => { $("text-" + side).value = ""; state.files[side] = null; setSource(side, ""); });
    $("status").textContent = "";
    $("text-a").focus();
  });
  $("edit").addEventListener("click", () => {
    $("inputs").hidden = false;
    $("text-a").focus();
    $("inputs").scrollIntoView({ block: "start" });
  });

  // ------------------------------------------------------------ results

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

  function sideBlock(label, side) {
    const evidence = el("ul", {}, (side.evidence || []).map((line) => el("li", { text: line })));
    const details = el("details", {}, [el("summary", { text: (side.evidence || []).length + " pieces of evidence" }), evidence]);
    return el("div", { class: "side", "data-side": label.toLowerCase() }, [
      el("h3", { text: label + ": " + (side.name || "") + " (" + (side.language || "?") + ")" }),
      el("div", {}, ["disguise: ", el("span", { class: "disguise", text: (side.disguise || []).join(", ") })]),
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
        " · " + data.passages.length + " passages, " + data.substitutions.length + " substitutions",
      ]),
      el("div", { class: "sides" }, [sideBlock("A", data.a), sideBlock("B", data.b)]),
    );
    ["a", "b"].forEach((side) => {
      const info = data[side];
      $("title-" + side).replaceChildren(side.toUpperCase() + ": " + (info.name || ""),
        el("span", { class: "lang", text: " · " + info.language + " · " + (info.disguise || []).join(", ") }));
      renderText($("pane-" + side), info.text || "", marksFor(data, side));
    });
    renderPassageList(data);
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
    $("passages-title").textContent = data.passages.length + " passages";
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

  // ------------------------------------------------------------ tooltip

  const tooltip = $("tooltip");
  function showTip(target) {
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

  // ------------------------------------------------------------ downloads

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
    delete data.a.text; // the texts were asked for with ?include=text; the download is exactly to_dict()
    delete data.b.text;
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

  // ------------------------------------------------------------ the collection (unspin serve --db)

  // The SVG namespace, as the HTML parser assigns it (keeps even a namespace URL out of the static files).
  const SVG = (() => { const box = document.createElement("div"); box.innerHTML = "<svg></svg>"; return box.firstChild.namespaceURI; })();
  const docs = new Map(); // id -> promise of the stored document
  const view = { clusters: null, query: null };

  function svg(tag, attrs, children) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  async function getJSON(url, init) {
    return (await post(url, init)).json();
  }

  function stored(id) {
    if (!docs.has(id)) {
      const promise = getJSON("/api/documents/" + encodeURIComponent(id));
      promise.catch(() => docs.delete(id));
      docs.set(id, promise);
    }
    return docs.get(id);
  }

  function titleOf(doc) {
    const meta = (doc && doc.document && doc.document.meta) || {};
    return meta.title || "";
  }

  function shortId(id) {
    const parts = id.split("/");
    return parts[parts.length - 1] || id;
  }

  function clip(text, limit) {
    return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
  }

  function setStatus(id, message, error) {
    $(id).textContent = message;
    $(id).classList.toggle("error", Boolean(error));
  }

  // Opens the compare view with both texts loaded and runs the comparison.
  // A side is {id} (a stored document) or {text, name} (the search query).
  async function comparePair(a, b) {
    location.hash = "#compare";
    showView("compare");
    $("inputs").hidden = false;
    $("results").hidden = true;
    setStatus("status", "Loading the two documents…");
    try {
      const sides = await Promise.all([a, b].map(async (side) => {
        if (side.text !== undefined) return { text: side.text, label: side.name };
        const doc = await stored(side.id);
        return { text: doc.document.text, label: "stored: " + doc.id + (titleOf(doc) ? " — " + titleOf(doc) : "") };
      }));
      ["a", "b"].forEach((side, n) => {
        $("text-" + side).value = sides[n].text;
        state.files[side] = null;
        setSource(side, sides[n].label);
      });
    } catch (err) {
      showError(err.message);
      return;
    }
    await runCompare();
  }

  function pairButton(a, b, label) {
    const button = el("button", { type: "button", class: "pair", text: label });
    button.addEventListener("click", () => comparePair(a, b));
    return button;
  }

  // ---- search

  async function runSearch(ev) {
    if (ev) ev.preventDefault();
    const query = $("search-query").value;
    if (!query.trim()) { setStatus("search-status", "Paste a text or give a stored id.", true); return; }
    setStatus("search-status", "Searching…");
    $("search").disabled = true;
    try {
      let data = null, asked = null;
      const line = query.trim();
      if (!line.includes("\n")) { // one line: a stored id if there is one, else the text itself
        try {
          data = await getJSON("/api/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: line, top: 10 }) });
          asked = { id: line };
        } catch (_) { data = null; }
      }
      if (!data) {
        data = await getJSON("/api/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: query, top: 10 }) });
        asked = { text: query, name: "your text" };
      }
      view.query = asked;
      setStatus("search-status", data.hits.length + " results" + (asked.id ? " for stored document " + asked.id : " for your text"));
      renderHits(data.hits, asked);
    } catch (err) {
      setStatus("search-status", err.message, true);
    } finally {
      $("search").disabled = false;
    }
  }

  function labels(items, cls) {
    return (items || []).map((x) => el("span", { class: "label " + cls, text: x }));
  }

  function renderHits(hits, asked) {
    const box = $("search-results");
    if (!hits.length) { box.replaceChildren(el("p", { class: "muted", text: "Nothing in the collection shares a source with it." })); return; }
    const rows = hits.map((hit) => {
      const title = el("span", { class: "title" });
      stored(hit.id).then((doc) => {
        title.textContent = titleOf(doc);
        if (doc.date) title.append(el("span", { class: "muted", text: (titleOf(doc) ? " · " : "") + doc.date + (doc.dated_by ? " (" + doc.dated_by + ")" : "") }));
      }).catch(() => {});
      const open = pairButton(asked, { id: hit.id }, "Compare");
      open.setAttribute("aria-label", "Compare with " + hit.id);
      return el("tr", { class: "hit" }, [
        el("td", {}, [el("code", { text: hit.id }), el("br"), title]),
        el("td", { class: "num", text: hit.score.toFixed(2) }),
        el("td", {}, labels(hit.identical_to ? [hit.relation, "identical to " + shortId(hit.identical_to)] : [hit.relation], "relation " + hit.relation)),
        el("td", {}, labels(hit.disguise, "disguise")),
        el("td", {}, [open]),
      ]);
    });
    box.replaceChildren(el("table", {}, [
      el("thead", {}, [el("tr", {}, ["Document", "Score", "Relation", "Disguise", ""].map((h) => el("th", { scope: "col", text: h })))]),
      el("tbody", {}, rows),
    ]));
  }

  $("search-form").addEventListener("submit", runSearch);
  $("search-query").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) runSearch(ev);
  });

  // ---- clusters

  async function loadClusters(force) {
    if (view.clusters && !force) return view.clusters;
    setStatus("clusters-status", "Finding clusters (each link is verified; this can take a while)…");
    try {
      const data = await getJSON("/api/clusters");
      view.clusters = data.clusters;
      setStatus("clusters-status", data.clusters.length ? "" : "No clusters yet: index documents that share a source.");
      return view.clusters;
    } catch (err) {
      setStatus("clusters-status", err.message, true);
      throw err;
    }
  }

  function renderClusterList(clusters) {
    $("cluster-list").replaceChildren(...clusters.map((c) => {
      const link = el("a", { href: "#cluster=" + encodeURIComponent(c.id), class: "cluster-link" }, [
        el("strong", { text: c.size + " documents" }),
        " · " + c.derived.length + " derived, " + c.siblings.length + " sibling pairs",
        c.missing_source ? el("span", { class: "label missing", text: "missing common source" }) : "",
        el("span", { class: "members", text: c.members.map(shortId).join(", ") }),
      ]);
      return el("li", {}, [link]);
    }));
  }

  $("clusters-refresh").addEventListener("click", () => loadClusters(true).then(renderClusterList).catch(() => {}));

  // Levels: a document with no stored source sits on top; a copy one row below its source.
  function levels(cluster) {
    const sourceOf = new Map();
    cluster.derived.forEach((d) => { if (!sourceOf.has(d.copy)) sourceOf.set(d.copy, d.source); });
    const level = new Map();
    function depth(id, seen) {
      if (level.has(id)) return level.get(id);
      const src = sourceOf.get(id);
      const value = src && !seen.has(src) && cluster.members.includes(src) ? depth(src, new Set([...seen, id])) + 1 : 0;
      level.set(id, value);
      return value;
    }
    cluster.members.forEach((id) => depth(id, new Set([id])));
    return level;
  }

  async function renderCluster(id) {
    const page = $("cluster-page");
    $("collection-home").hidden = true;
    page.hidden = false;
    $("cluster-title").textContent = "Cluster";
    $("cluster-graph").replaceChildren();
    $("cluster-pairs").replaceChildren();
    setStatus("cluster-status", "Loading the cluster…");
    let cluster, info;
    try {
      cluster = await getJSON("/api/clusters/" + encodeURIComponent(id));
      info = new Map(await Promise.all(cluster.members.map(async (m) => [m, await stored(m).catch(() => null)])));
    } catch (err) {
      setStatus("cluster-status", err.message, true);
      return;
    }
    setStatus("cluster-status", "");
    $("cluster-title").textContent = "Cluster of " + cluster.size + " documents" + (cluster.missing_source ? " — their common source is not in the collection" : "");
    $("cluster-graph").replaceChildren(drawGraph(cluster, info));
    const pairs = [];
    cluster.derived.forEach((d) => pairs.push(el("li", {}, [pairButton({ id: d.copy }, { id: d.source },
      shortId(d.copy) + " likely derived from " + shortId(d.source) + " (" + d.by + ", " + d.score.toFixed(2) + ")")])));
    cluster.siblings.forEach(([a, b]) => pairs.push(el("li", {}, [pairButton({ id: a }, { id: b },
      shortId(a) + " and " + shortId(b) + " share a source" + (cluster.missing_source ? " (missing)" : ""))])));
    $("cluster-pairs").replaceChildren(...pairs);
    page.focus();
  }

  const NODE_W = 230, NODE_H = 64, GAP_X = 40, GAP_Y = 80, PAD = 24;

  function drawGraph(cluster, info) {
    const level = levels(cluster);
    const missing = cluster.missing_source;
    const shift = missing ? 1 : 0;
    const rows = [];
    const dateOf = (m) => (info.get(m) && info.get(m).date) || "";
    cluster.members.slice().sort((x, y) => (dateOf(x) || "~").localeCompare(dateOf(y) || "~") || x.localeCompare(y)).forEach((m) => {
      const row = level.get(m) + shift;
      (rows[row] = rows[row] || []).push(m);
    });
    if (missing) rows[0] = ["\u0000missing"];
    const widest = Math.max(...rows.filter(Boolean).map((r) => r.length));
    const width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X;
    const height = PAD * 2 + rows.length * NODE_H + (rows.length - 1) * GAP_Y + 30;
    const pos = new Map();
    rows.forEach((row, r) => (row || []).forEach((m, i) => {
      const span = row.length * NODE_W + (row.length - 1) * GAP_X;
      pos.set(m, { x: (width - span) / 2 + i * (NODE_W + GAP_X), y: PAD + r * (NODE_H + GAP_Y) });
    }));
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: String(width), height: String(height), role: "group", "aria-label": "Lineage of the cluster", class: "lineage" });
    const edges = svg("g", { class: "edges" });
    const nodes = svg("g", { class: "nodes" });
    root.append(edges, nodes);

    function edge(from, to, cls, label, a, b) {
      const p = pos.get(from), q = pos.get(to);
      let d, lx, ly, head = null;
      if (p.y === q.y) { // same row: a curve below the nodes
        const [l, r] = p.x < q.x ? [p, q] : [q, p];
        const x1 = l.x + NODE_W / 2, x2 = r.x + NODE_W / 2, y = p.y + NODE_H;
        d = "M" + x1 + "," + y + " Q" + (x1 + x2) / 2 + "," + (y + 50) + " " + x2 + "," + y;
        lx = (x1 + x2) / 2; ly = y + 38;
      } else {
        const up = p.y > q.y;
        const x1 = p.x + NODE_W / 2, y1 = up ? p.y : p.y + NODE_H, x2 = q.x + NODE_W / 2, y2 = up ? q.y + NODE_H : q.y;
        d = "M" + x1 + "," + y1 + " L" + x2 + "," + y2;
        lx = (x1 + x2) / 2 + 6; ly = (y1 + y2) / 2;
        // the arrowhead at the source's end, drawn as a triangle along the line
        const len = Math.hypot(x2 - x1, y2 - y1) || 1, ux = (x2 - x1) / len, uy = (y2 - y1) / len;
        const bx = x2 - ux * 11, by = y2 - uy * 11;
        head = [[x2, y2], [bx - uy * 5, by + ux * 5], [bx + uy * 5, by - ux * 5]].map((pt) => pt.join(",")).join(" ");
      }
      const group = svg("g", { class: "edge " + cls, "data-from": from, "data-to": to }, [
        svg("path", { d: d, class: "hit-area" }),
        svg("path", { d: d, class: "line" }),
        svg("text", { x: String(lx), y: String(ly), class: "edge-label", text: label }),
      ]);
      if (head) group.append(svg("polygon", { points: head, class: "head" }));
      if (a && b) {
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "button");
        group.setAttribute("aria-label", "Compare " + a + " with " + b + " (" + label + ")");
        group.append(svg("title", { text: "Compare " + a + " with " + b }));
        group.addEventListener("click", () => comparePair({ id: a }, { id: b }));
        group.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); comparePair({ id: a }, { id: b }); }
        });
      }
      edges.append(group);
    }

    cluster.derived.forEach((dv) => { if (pos.has(dv.copy) && pos.has(dv.source)) edge(dv.copy, dv.source, "derived", "derived from " + dv.score.toFixed(2), dv.copy, dv.source); });
    if (missing) {
      const linked = new Set();
      cluster.siblings.forEach(([a, b]) => { linked.add(a); linked.add(b); });
      cluster.members.forEach((m) => { if (level.get(m) === 0 && (linked.has(m) || !cluster.siblings.length)) edge(m, "\u0000missing", "to-missing", "derived from", null, null); });
    }
    cluster.siblings.forEach(([a, b]) => { if (pos.has(a) && pos.has(b)) edge(a, b, "sibling", "siblings: compare", a, b); });

    pos.forEach((p, m) => {
      const isMissing = m === "\u0000missing";
      const doc = info.get(m);
      const title = isMissing ? "missing common source" : (titleOf(doc) || shortId(m));
      const sub = isMissing ? "not in the collection" : [(doc && doc.date) || "no date", titleOf(doc) ? shortId(m) : ""].filter(Boolean).join(" · ");
      const group = svg("g", { class: "node" + (isMissing ? " missing" : ""), "data-id": isMissing ? "" : m, transform: "translate(" + p.x + "," + p.y + ")" }, [
        svg("rect", { width: String(NODE_W), height: String(NODE_H), rx: "8" }),
        svg("text", { x: "12", y: "26", class: "node-title", text: clip(title, 30) }),
        svg("text", { x: "12", y: "48", class: "node-sub", text: clip(sub, 34) }),
        svg("title", { text: isMissing ? "The members share a source that is not in the collection" : m + (doc && doc.date ? " · " + doc.date : "") + (titleOf(doc) ? " · " + titleOf(doc) : "") }),
      ]);
      nodes.append(group);
    });
    return root;
  }

  // ---- views

  function showView(name) {
    $("compare-view").hidden = name !== "compare";
    $("collection-view").hidden = name === "compare";
    $("tab-compare").setAttribute("aria-current", String(name === "compare"));
    $("tab-collection").setAttribute("aria-current", String(name !== "compare"));
    hideTip();
  }

  function route() {
    if (!state.collection) { showView("compare"); return; }
    const hash = location.hash;
    if (hash.startsWith("#cluster=")) {
      showView("collection");
      renderCluster(decodeURIComponent(hash.slice("#cluster=".length)));
    } else if (hash === "#collection") {
      showView("collection");
      $("cluster-page").hidden = true;
      $("collection-home").hidden = false;
      loadClusters(false).then(renderClusterList).catch(() => {});
    } else {
      showView("compare");
    }
  }

  async function detectCollection() {
    try {
      const health = await (await fetch("/healthz")).json();
      if (!health.collection) return;
      state.collection = true;
      $("views").hidden = false;
      getJSON("/api/stats").then((s) => {
        $("collection-stats").textContent = s.documents.toLocaleString() + " documents, " + s.identical_copies.toLocaleString() + " of them identical copies";
      }).catch(() => {});
      window.addEventListener("hashchange", route);
      route();
    } catch (_) { /* no collection view */ }
  }
  detectCollection();

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
})();
