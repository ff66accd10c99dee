// unspin page: a cluster's lineage as an SVG graph (boxes sized to their labels, an arrowhead on every arc).
"use strict";

(function () {
  // The SVG namespace, as the HTML parser assigns it (keeps even a namespace URL out of the static files).
  const SVG = (() => { const box = document.createElement("div"); box.innerHTML = "<svg></svg>"; return box.firstChild.namespaceURI; })();
  const MIN_W = 170, MAX_W = 320, PAD_X = 12, LINE = 17, PAD_Y = 12, GAP_X = 40, GAP_Y = 80, MARGIN = 24;
  const MISSING = "\u0000missing";

  function svg(tag, attrs, children) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  // Text widths as the browser draws them: a hidden SVG with the graph's own styles.
  function measurer() {
    const probe = svg("svg", { class: "lineage measure-probe", "aria-hidden": "true" });
    document.body.append(probe);
    const cache = new Map();
    return {
      width(text, cls) {
        const key = cls + "\u0000" + text;
        if (!cache.has(key)) {
          const node = svg("text", { class: cls, text: text });
          probe.append(node);
          cache.set(key, node.getComputedTextLength());
          node.remove();
        }
        return cache.get(key);
      },
      done() { probe.remove(); },
    };
  }

  // The longest start of ``text`` that fits ``room`` with an ellipsis (the whole text when it fits).
  function fit(text, room, cls, m) {
    if (m.width(text, cls) <= room) return text;
    let lo = 0, hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (m.width(text.slice(0, mid).trimEnd() + "…", cls) <= room) lo = mid; else hi = mid - 1;
    }
    return text.slice(0, lo).trimEnd() + "…";
  }

  // A title in at most two lines of ``room``; what does not fit ends in an ellipsis (the box's tooltip has it all).
  function wrap(text, room, cls, m) {
    const words = text.split(/\s+/).filter(Boolean);
    const lines = [];
    let line = "";
    while (words.length && lines.length < 2) {
      const next = line ? line + " " + words[0] : words[0];
      if (m.width(next, cls) <= room) { line = next; words.shift(); continue; }
      if (!line) { line = words.shift(); } // one word wider than the box: cut below
      lines.push(line);
      line = "";
    }
    if (line) lines.push(line);
    if (words.length) lines[lines.length - 1] = lines[lines.length - 1] + " " + words.join(" ");
    return lines.slice(0, 2).map((l) => fit(l, room, cls, m));
  }

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

  function shortId(id) {
    const parts = id.split("/");
    return parts[parts.length - 1] || id;
  }

  // Each member's box: its title (or id) in up to two lines, then date and site.
  function boxes(cluster, meta, m) {
    const out = new Map();
    const room = MAX_W - 2 * PAD_X;
    const ids = cluster.missing_source ? [...cluster.members, MISSING] : cluster.members;
    ids.forEach((id) => {
      const doc = meta.get(id) || {};
      const title = id === MISSING ? "missing common source" : doc.title || shortId(id);
      const sub = id === MISSING ? "not in the collection"
        : [doc.date ? doc.date.slice(0, 10) : "no date", doc.site || (doc.title ? shortId(id) : "")].filter(Boolean).join(" · ");
      const titleLines = wrap(title, room, "node-title", m);
      const subLine = fit(sub, room, "node-sub", m);
      const widest = Math.max(...titleLines.map((l) => m.width(l, "node-title")), m.width(subLine, "node-sub"));
      const tip = id === MISSING ? "The members share a source that is not in the collection"
        : [id, doc.date, doc.site, doc.title].filter(Boolean).join(" · ");
      out.set(id, {
        lines: titleLines, sub: subLine, tip: tip,
        w: Math.ceil(Math.min(MAX_W, Math.max(MIN_W, widest + 2 * PAD_X))),
        h: PAD_Y * 2 + LINE * (titleLines.length + 1),
      });
    });
    return out;
  }

  function marker(id, cls) {
    return svg("marker", { id: id, class: "arrowhead " + cls, viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "11", markerHeight: "11", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, [
      svg("path", { d: "M0,0 L10,5 L0,10 z" }),
    ]);
  }

  // meta: id -> {title, date, site, ...} (the cluster's documents); onPair(a, b): compare two members.
  function drawGraph(cluster, meta, onPair) {
    const m = measurer();
    const box = boxes(cluster, meta, m);
    m.done();
    const level = levels(cluster);
    const missing = cluster.missing_source;
    const shift = missing ? 1 : 0;
    const rows = [];
    const dateOf = (id) => (meta.get(id) && meta.get(id).date) || "";
    cluster.members.slice().sort((x, y) => (dateOf(x) || "~").localeCompare(dateOf(y) || "~") || x.localeCompare(y)).forEach((id) => {
      const row = level.get(id) + shift;
      (rows[row] = rows[row] || []).push(id);
    });
    if (missing) rows[0] = [MISSING];
    const filled = rows.map((row) => row || []);
    const spanOf = (row) => row.reduce((sum, id) => sum + box.get(id).w, 0) + Math.max(0, row.length - 1) * GAP_X;
    const heightOf = (row) => Math.max(0, ...row.map((id) => box.get(id).h));
    const width = MARGIN * 2 + Math.max(...filled.map(spanOf));
    const pos = new Map();
    let y = MARGIN;
    filled.forEach((row) => {
      let x = (width - spanOf(row)) / 2;
      row.forEach((id) => { pos.set(id, { x: x, y: y, w: box.get(id).w, h: box.get(id).h }); x += box.get(id).w + GAP_X; });
      y += heightOf(row) + GAP_Y;
    });
    const height = y - GAP_Y + MARGIN + 40;
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: String(width), height: String(height), role: "group", "aria-label": "Lineage of the cluster", class: "lineage" });
    root.append(svg("defs", {}, [marker("lineage-arrow", "plain"), marker("lineage-arrow-missing", "missing")]));
    const edges = svg("g", { class: "edges" });
    const nodes = svg("g", { class: "nodes" });
    root.append(edges, nodes);

    function edge(from, to, cls, label, pair) {
      const p = pos.get(from), q = pos.get(to);
      let d, lx, ly;
      if (p.y === q.y) { // same row: a curve below the boxes
        const [l, r] = p.x < q.x ? [p, q] : [q, p];
        const x1 = l.x + l.w / 2, x2 = r.x + r.w / 2, y1 = l.y + l.h, y2 = r.y + r.h, low = Math.max(y1, y2);
        d = "M" + x1 + "," + y1 + " Q" + (x1 + x2) / 2 + "," + (low + 50) + " " + x2 + "," + y2;
        lx = (x1 + x2) / 2; ly = low + 38;
      } else {
        const up = p.y > q.y;
        const x1 = p.x + p.w / 2, y1 = up ? p.y : p.y + p.h, x2 = q.x + q.w / 2, y2 = up ? q.y + q.h : q.y;
        d = "M" + x1 + "," + y1 + " L" + x2 + "," + y2;
        lx = (x1 + x2) / 2 + 6; ly = (y1 + y2) / 2;
      }
      const head = "url(#" + (cls === "to-missing" ? "lineage-arrow-missing" : "lineage-arrow") + ")";
      const line = svg("path", { d: d, class: "line", "marker-end": head });
      if (cls === "sibling") line.setAttribute("marker-start", head); // they share a source: neither is the copy
      const group = svg("g", { class: "edge " + cls, "data-from": from, "data-to": to }, [
        svg("path", { d: d, class: "hit-area" }),
        line,
        svg("text", { x: String(lx), y: String(ly), class: "edge-label", text: label }),
      ]);
      if (pair) {
        const [a, b] = pair;
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "button");
        group.setAttribute("aria-label", "Compare " + a + " with " + b + " (" + label + ")");
        group.append(svg("title", { text: "Compare " + a + " with " + b }));
        group.addEventListener("click", () => onPair(a, b));
        group.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onPair(a, b); }
        });
      }
      edges.append(group);
    }

    cluster.derived.forEach((dv) => { if (pos.has(dv.copy) && pos.has(dv.source)) edge(dv.copy, dv.source, "derived", "derived from " + dv.score.toFixed(2), [dv.copy, dv.source]); });
    if (missing) {
      const linked = new Set();
      cluster.siblings.forEach(([a, b]) => { linked.add(a); linked.add(b); });
      cluster.members.forEach((id) => { if (level.get(id) === 0 && (linked.has(id) || !cluster.siblings.length)) edge(id, MISSING, "to-missing", "derived from", null); });
    }
    cluster.siblings.forEach(([a, b]) => { if (pos.has(a) && pos.has(b)) edge(a, b, "sibling", "siblings: compare", [a, b]); });

    pos.forEach((p, id) => {
      const b = box.get(id);
      const texts = b.lines.map((line, i) => svg("text", { x: String(PAD_X), y: String(PAD_Y + LINE * (i + 1) - 4), class: "node-title", text: line }));
      texts.push(svg("text", { x: String(PAD_X), y: String(PAD_Y + LINE * (b.lines.length + 1) - 2), class: "node-sub", text: b.sub }));
      nodes.append(svg("g", { class: "node" + (id === MISSING ? " missing" : ""), "data-id": id === MISSING ? "" : id, transform: "translate(" + p.x + "," + p.y + ")" }, [
        svg("rect", { width: String(p.w), height: String(p.h), rx: "8" }),
        ...texts,
        svg("title", { text: b.tip }),
      ]));
    });
    return root;
  }

  window.unspin.drawGraph = drawGraph;
  window.unspin.shortId = shortId;
})();
