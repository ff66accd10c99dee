// unspin page: the collection view (unspin serve --db): search, matching sources, clusters, a cluster's lineage.
"use strict";

(function () {
  const U = window.unspin;
  const { $, el, post } = U;
  const docs = new Map(); // id -> promise of the stored document
  const view = { clusters: null, query: null, collection: false };

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

  function setStatus(id, message, error) {
    $(id).textContent = message;
    $(id).classList.toggle("error", Boolean(error));
  }

  // "Title · site · 2024-04-18 (published date)" for a hit's or a member's metadata.
  function described(meta, id) {
    const line = [meta.site, meta.date ? meta.date.slice(0, 10) + (meta.dated_by ? " (" + meta.dated_by + ")" : "") : ""].filter(Boolean).join(" · ");
    return [
      el("span", { class: "title", text: meta.title || U.shortId(id) }),
      line ? el("span", { class: "muted where", text: line }) : "",
      el("code", { class: "doc-id", text: id }),
    ];
  }

  // Opens the compare view with both texts loaded and compares them.
  // A side is {id} (a stored document, named by its id and title) or {text, name} (the search query).
  async function comparePair(a, b) {
    location.hash = "#compare";
    showView("compare");
    $("inputs").hidden = false;
    $("results").hidden = true;
    setStatus("status", "Loading the two documents…");
    let sides;
    try {
      sides = await Promise.all([a, b].map(async (side) => {
        if (side.text !== undefined) return { text: side.text, name: side.name };
        const doc = await stored(side.id);
        return { text: doc.document.text, name: doc.id, title: (doc.document.meta || {}).title };
      }));
    } catch (err) {
      U.showError(err.message);
      return;
    }
    await U.compareTexts(sides[0], sides[1]);
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

  const UNMATCHED = new Set(["unrelated", "unverified"]);

  // How much of the query each stored document accounts for, as a similarity report lists its sources.
  function coverageCell(hit, asked) {
    const c = hit.covered;
    if (!c) return el("td", { class: "num muted", text: UNMATCHED.has(hit.relation) ? "" : "—" });
    return el("td", { class: "num covered" }, [
      el("strong", { text: U.percent(c.fraction) }),
      el("span", { class: "muted", text: " of " + (asked.id ? "its" : "your") + " text · " + U.count(c.passages, "passage") }),
    ]);
  }

  function renderHits(hits, asked) {
    const box = $("search-results");
    if (!hits.length) { box.replaceChildren(el("p", { class: "muted", text: "Nothing in the collection shares a source with it." })); return; }
    const matching = hits.filter((h) => !UNMATCHED.has(h.relation)).length;
    const rows = hits.map((hit) => {
      const open = pairButton(asked, { id: hit.id }, "Compare");
      open.setAttribute("aria-label", "Compare with " + hit.id);
      return el("tr", { class: "hit" + (UNMATCHED.has(hit.relation) ? " unmatched" : "") }, [
        el("td", { class: "doc" }, described(hit.meta || {}, hit.id)),
        el("td", { class: "num", text: hit.score.toFixed(2) }),
        coverageCell(hit, asked),
        el("td", {}, labels(hit.identical_to ? [hit.relation, "identical to " + U.shortId(hit.identical_to)] : [hit.relation], "relation " + hit.relation)),
        el("td", {}, labels(hit.disguise, "disguise")),
        el("td", {}, [open]),
      ]);
    });
    box.replaceChildren(el("table", {}, [
      el("caption", { id: "matching-sources", text: "Matching sources: " + matching + " of " + hits.length + " results share a source with " + (asked.id ? asked.id : "your text") }),
      el("thead", {}, [el("tr", {}, ["Document", "Score", "Share of the query", "Relation", "Disguise", ""].map((h) => el("th", { scope: "col", text: h })))]),
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

  function metaOf(cluster) {
    return new Map((cluster.documents || []).map((d) => [d.id, d]));
  }

  // A cluster's headline: the title of its source, else of its earliest dated member.
  function headline(cluster, meta) {
    const dated = cluster.members.slice().sort((x, y) => ((meta.get(x) || {}).date || "~").localeCompare((meta.get(y) || {}).date || "~"));
    const first = [cluster.source, ...dated].find((id) => id && (meta.get(id) || {}).title);
    return first ? meta.get(first).title : U.shortId(dated[0]);
  }

  function renderClusterList(clusters) {
    $("cluster-list").replaceChildren(...clusters.map((c) => {
      const meta = metaOf(c);
      const dates = c.members.map((id) => (meta.get(id) || {}).date).filter(Boolean).map((d) => d.slice(0, 10)).sort();
      const sites = Array.from(new Set(c.members.map((id) => (meta.get(id) || {}).site).filter(Boolean)));
      const when = dates.length ? (dates[0] === dates[dates.length - 1] ? dates[0] : dates[0] + " – " + dates[dates.length - 1]) : "no dates";
      const link = el("a", { href: "#cluster=" + encodeURIComponent(c.id), class: "cluster-link" }, [
        el("strong", { class: "headline", text: headline(c, meta) }),
        el("span", { class: "facts", text: c.size + " documents · " + when + (sites.length ? " · " + sites.join(", ") : "") +
          " · " + c.derived.length + " derived, " + U.count(c.siblings.length, "sibling pair") }),
        c.missing_source ? el("span", { class: "label missing", text: "missing common source" }) : "",
        el("ul", { class: "members" }, c.members.map((id) => {
          const d = meta.get(id) || {};
          return el("li", {}, [el("span", { class: "title", text: d.title || U.shortId(id) }),
            el("span", { class: "muted", text: [d.site, d.date ? d.date.slice(0, 10) : ""].filter(Boolean).map((x) => " · " + x).join("") })]);
        })),
      ]);
      return el("li", {}, [link]);
    }));
  }

  $("clusters-refresh").addEventListener("click", () => loadClusters(true).then(renderClusterList).catch(() => {}));

  async function renderCluster(id) {
    const page = $("cluster-page");
    $("collection-home").hidden = true;
    page.hidden = false;
    $("cluster-title").textContent = "Cluster";
    $("cluster-graph").replaceChildren();
    $("cluster-pairs").replaceChildren();
    setStatus("cluster-status", "Loading the cluster…");
    let cluster;
    try {
      cluster = await getJSON("/api/clusters/" + encodeURIComponent(id));
    } catch (err) {
      setStatus("cluster-status", err.message, true);
      return;
    }
    setStatus("cluster-status", "");
    const meta = metaOf(cluster);
    $("cluster-title").textContent = headline(cluster, meta) + " — " + cluster.size + " documents" + (cluster.missing_source ? ", their common source not in the collection" : "");
    $("cluster-graph").replaceChildren(U.drawGraph(cluster, meta, (a, b) => comparePair({ id: a }, { id: b })));
    const name = (m) => (meta.get(m) || {}).title || U.shortId(m);
    const pairs = [];
    cluster.derived.forEach((d) => pairs.push(el("li", {}, [pairButton({ id: d.copy }, { id: d.source },
      name(d.copy) + " likely derived from " + name(d.source) + " (" + d.by + ", " + d.score.toFixed(2) + ")")])));
    cluster.siblings.forEach(([a, b]) => pairs.push(el("li", {}, [pairButton({ id: a }, { id: b },
      name(a) + " and " + name(b) + " share a source" + (cluster.missing_source ? " (missing)" : ""))])));
    $("cluster-pairs").replaceChildren(...pairs);
    page.focus();
  }

  // ---- views

  function showView(name) {
    $("compare-view").hidden = name !== "compare";
    $("collection-view").hidden = name === "compare";
    $("tab-compare").setAttribute("aria-current", String(name === "compare"));
    $("tab-collection").setAttribute("aria-current", String(name !== "compare"));
    U.hideTip();
  }

  function route() {
    if (!view.collection) { showView("compare"); return; }
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
      view.collection = true;
      $("views").hidden = false;
      getJSON("/api/stats").then((s) => {
        $("collection-stats").textContent = s.documents.toLocaleString() + " documents, " + s.identical_copies.toLocaleString() + " of them identical copies";
      }).catch(() => {});
      window.addEventListener("hashchange", route);
      route();
    } catch (_) { /* no collection view */ }
  }
  detectCollection();
})();
