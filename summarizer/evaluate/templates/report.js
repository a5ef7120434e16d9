"use strict";
// The per-document explorer. Everything it shows comes from the two data blocks of the page;
// text is only ever set with textContent or text nodes, never parsed as markup.
(function () {
  const $ = (id) => document.getElementById(id);
  const table = JSON.parse($("table-data").textContent);
  const ids = table.ids, runs = table.runs, n = ids.length, PAGE = 100;
  const state = { metric: table.metric, a: 0, b: runs.length > 1 ? 1 : 0, key: "index", dir: 1, page: 0, chosen: -1 };
  let order = [];

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }
  const colour = (r) => "c" + (r % 8);
  const score = (r, i) => (100 * table.scores[state.metric][r][i]) / table.scale;
  const delta = (r, q, i) => score(r, i) - score(q, i);
  const fmt = (v) => v.toFixed(2);
  const signed = (v) => (v > 0 ? "+" : v < 0 ? "\u2212" : "\u00b1") + Math.abs(v).toFixed(2);

  // --- controls --------------------------------------------------------------------------
  for (const m of table.metrics) $("metric").append(el("option", { value: m, text: table.labels[m] }));
  $("metric").value = state.metric;
  runs.forEach((r, k) => {
    $("run-a").append(el("option", { value: k, text: r.label }));
    $("run-b").append(el("option", { value: k, text: r.label }));
  });
  $("run-a").value = state.a;
  $("run-b").value = state.b;

  // --- the list --------------------------------------------------------------------------
  // Sort keys: "index" (dataset order), "id", "s<r>" (run r's score), "d<r>" (r minus the
  // first run), "ab" (B minus A).
  function keyOf(key) {
    if (key === "index") return (i) => i;
    if (key === "ab") return (i) => delta(state.b, state.a, i);
    const r = Number(key.slice(1));
    return key[0] === "s" ? (i) => score(r, i) : (i) => delta(r, 0, i);
  }

  function sortOrder() {
    if (state.key === "id") {
      order.sort((x, y) => state.dir * (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0) || x - y);
      return;
    }
    const f = keyOf(state.key);
    const k = new Float64Array(n);
    for (const i of order) k[i] = f(i);
    order.sort((x, y) => state.dir * (k[x] - k[y]) || x - y);
  }

  function refilter() {
    const q = $("f-id").value.trim().toLowerCase();
    const min = parseFloat($("f-min").value), max = parseFloat($("f-max").value);
    const loses = $("f-loses").checked, by = parseFloat($("f-by").value) || 0;
    order = [];
    for (let i = 0; i < n; i++) {
      if (q && !ids[i].toLowerCase().includes(q)) continue;
      const b = score(state.b, i);
      if (!Number.isNaN(min) && b < min) continue;
      if (!Number.isNaN(max) && b > max) continue;
      if (loses && !(score(state.a, i) - b > by)) continue;
      order.push(i);
    }
    sortOrder();
    state.page = 0;
    draw();
  }

  function columns() {
    const cols = [{ key: "id", label: "document", title: "document id (click a row to see it)" }];
    runs.forEach((r, k) => {
      cols.push({ key: "s" + k, label: r.label, title: `${r.label}: ${table.labels[state.metric]} F1 x 100`, run: k });
      if (k > 0) cols.push({ key: "d" + k, label: "\u0394", title: `${r.label} minus ${runs[0].label}`, run: k });
    });
    cols.push({ key: "ab", label: "B \u2212 A", title: `${runs[state.b].label} minus ${runs[state.a].label}` });
    return cols;
  }

  function drawHead() {
    const tr = el("tr");
    for (const c of columns()) {
      const th = el("th", { title: c.title, "data-key": c.key },
        c.run !== undefined && c.key[0] === "s" ? el("span", { class: "swatch " + colour(c.run) }) : null, c.label);
      if (state.key === c.key) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      th.addEventListener("click", () => {
        if (state.key === c.key) state.dir = -state.dir;
        else { state.key = c.key; state.dir = c.key === "id" ? 1 : -1; }
        sortOrder(); state.page = 0; draw();
      });
      tr.append(th);
    }
    $("docs").tHead.replaceChildren(tr);
  }

  function numberCell(v, isDelta) {
    return el("td", { class: isDelta ? (v > 0 ? "pos" : v < 0 ? "neg" : "") : "", text: isDelta ? signed(v) : fmt(v) });
  }

  function draw() {
    drawHead();
    const pages = Math.max(1, Math.ceil(order.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const rows = [];
    for (const i of order.slice(state.page * PAGE, (state.page + 1) * PAGE)) {
      const tr = el("tr", { "data-doc": i, class: i === state.chosen ? "chosen" : "" }, el("td", { text: ids[i], title: ids[i] }));
      runs.forEach((r, k) => {
        tr.append(numberCell(score(k, i), false));
        if (k > 0) tr.append(numberCell(delta(k, 0, i), true));
      });
      tr.append(numberCell(delta(state.b, state.a, i), true));
      tr.addEventListener("click", () => choose(i));
      rows.push(tr);
    }
    $("docs").tBodies[0].replaceChildren(...rows);
    $("page").textContent = `page ${state.page + 1} of ${pages}`;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    $("count").textContent = `${order.length} of ${n} documents; ${table.labels[state.metric]} F1 x 100; ` +
      `\u0394: the difference to ${runs[0].label}; B \u2212 A: ${runs[state.b].label} minus ${runs[state.a].label}.`;
  }

  // --- one document ----------------------------------------------------------------------
  // The texts block is decompressed once (after the first paint) and each document's line
  // parsed when it is chosen, so only one article is ever rendered.
  let textsPromise = null;
  function texts() {
    if (textsPromise) return textsPromise;
    textsPromise = (async () => {
      if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot decompress the texts (no DecompressionStream)");
      const b64 = $("texts-data").textContent.trim();
      let bytes;
      if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(b64);
      else {
        const bin = atob(b64);
        bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      }
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return (await new Response(stream).text()).split("\n");
    })();
    return textsPromise;
  }

  const WORD = /[\p{L}\p{N}]+/gu;
  function tokens(text) {
    const out = [];
    for (const m of text.matchAll(WORD)) out.push({ w: m[0].toLowerCase(), s: m.index, e: m.index + m[0].length });
    return out;
  }

  function referenceGrams(refs) {
    const uni = new Set(), bi = new Set();
    for (const ref of refs || []) for (const point of ref) {
      const t = tokens(point);
      t.forEach((x, j) => { uni.add(x.w); if (j > 0) bi.add(t[j - 1].w + " " + x.w); });
    }
    return { uni, bi };
  }

  // A key point with the words it shares with the references marked: u2 inside a shared
  // word pair, u1 a shared single word; neighbouring marks of one kind are joined.
  function highlighted(text, grams) {
    const t = tokens(text);
    const kind = t.map((x, j) => {
      const pair = (j > 0 && grams.bi.has(t[j - 1].w + " " + x.w)) || (j + 1 < t.length && grams.bi.has(x.w + " " + t[j + 1].w));
      return pair ? 2 : grams.uni.has(x.w) ? 1 : 0;
    });
    const frag = document.createDocumentFragment();
    let pos = 0;
    for (let j = 0; j < t.length; j++) {
      if (!kind[j]) continue;
      let k = j;
      while (k + 1 < t.length && kind[k + 1] === kind[j] && /^\s*$/.test(text.slice(t[k].e, t[k + 1].s))) k++;
      frag.append(text.slice(pos, t[j].s), el("mark", { class: "u" + kind[j], text: text.slice(t[j].s, t[k].e) }));
      pos = t[k].e;
      j = k;
    }
    frag.append(text.slice(pos));
    return frag;
  }

  // The article with each extractive run's chosen sentences marked in the run's colour
  // (where several runs chose a sentence, the first run's colour; the title names them all).
  function articleNode(article, spans) {
    const len = article.length, cuts = new Set([0, len]), marks = [];
    spans.forEach((points, r) => {
      if (!points) return;
      for (const point of points) for (const [a, b] of point) {
        const s = Math.max(0, Math.min(len, a)), e = Math.max(s, Math.min(len, b));
        if (e > s) { marks.push([s, e, r]); cuts.add(s); cuts.add(e); }
      }
    });
    const bounds = [...cuts].sort((x, y) => x - y);
    const div = el("div", { class: "article" });
    for (let j = 0; j + 1 < bounds.length; j++) {
      const s = bounds[j], e = bounds[j + 1], text = article.slice(s, e);
      const by = [...new Set(marks.filter((m) => m[0] <= s && e <= m[1]).map((m) => m[2]))].sort((x, y) => x - y);
      div.append(by.length ? el("mark", { class: colour(by[0]), title: "chosen by " + by.map((r) => runs[r].label).join(", "), text }) : text);
    }
    return div;
  }

  function card(title, r, body, extra) {
    return el("section", { class: "card " + (r === null ? "" : colour(r)) }, el("h4", {}, title, extra || null), body);
  }

  function renderDoc(i, data) {
    const [article, refs, points, spans] = data;
    const grams = referenceGrams(refs);
    const cards = el("div", { class: "cards" });
    if (refs) refs.forEach((ref, j) => cards.append(card(refs.length > 1 ? `human key points (${j + 1})` : "human key points", null,
      el("ul", {}, ...ref.map((p) => el("li", { text: p }))))));
    else cards.append(card("human key points", null, el("p", { class: "muted", text: "not available: the dataset was not read" })));
    runs.forEach((r, k) => {
      const head = el("span", { class: "score", text: ` ${fmt(score(k, i))}` + (k > 0 ? ` (${signed(delta(k, 0, i))})` : "") });
      const body = points[k]
        ? el("ul", {}, ...points[k].map((p) => el("li", {}, highlighted(p, grams))))
        : el("p", { class: "muted", text: "key points not available" + (r.note ? `: ${r.note}` : "") });
      cards.append(card(el("span", {}, el("span", { class: "swatch " + colour(k) }), r.label), k, body, head));
    });
    const chosenBy = runs.map((r, k) => (spans[k] ? k : -1)).filter((k) => k >= 0);
    const legend = el("p", { class: "legend" }, "Key points: ", el("mark", { class: "u1", text: "a word" }), " and ",
      el("mark", { class: "u2", text: "a word pair" }), " also in the human key points (lowercased, not stemmed).",
      chosenBy.length ? " Article: the sentences chosen by " : "",
      ...chosenBy.map((k) => el("span", {}, el("span", { class: "swatch " + colour(k) }), runs[k].label + " ")));
    const body = article === null
      ? el("p", { class: "muted article", text: "No article: the dataset could not be read when the report was written." })
      : articleNode(article, spans);
    $("doc").replaceChildren(
      el("h3", { text: ids[i] }),
      el("p", { class: "note", text: `document ${i + 1} of ${n}; ${table.labels[state.metric]} F1 x 100` }),
      legend, el("div", { class: "docgrid" }, body, cards));
    $("doc").scrollTop = 0;
  }

  function choose(i) {
    state.chosen = i;
    for (const tr of $("docs").tBodies[0].rows) tr.classList.toggle("chosen", Number(tr.dataset.doc) === i);
    $("doc").replaceChildren(el("h3", { text: ids[i] }), el("p", { class: "muted", text: "loading\u2026" }));
    texts().then((lines) => {
      if (state.chosen === i) renderDoc(i, JSON.parse(lines[i]));
    }).catch((e) => {
      $("doc").replaceChildren(el("h3", { text: ids[i] }), el("p", { class: "warn", text: String(e.message || e) }));
    });
  }

  // --- events ----------------------------------------------------------------------------
  $("metric").addEventListener("change", () => { state.metric = $("metric").value; refilter(); if (state.chosen >= 0) choose(state.chosen); });
  $("run-a").addEventListener("change", () => { state.a = Number($("run-a").value); refilter(); });
  $("run-b").addEventListener("change", () => { state.b = Number($("run-b").value); refilter(); });
  for (const id of ["f-id", "f-min", "f-max", "f-loses", "f-by"]) $(id).addEventListener("input", refilter);
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  function extreme(dir) {
    state.key = "ab"; state.dir = dir; sortOrder(); state.page = 0; draw();
    if (order.length) choose(order[0]);
  }
  $("best").addEventListener("click", () => extreme(-1));
  $("worst").addEventListener("click", () => extreme(1));
  $("clear").addEventListener("click", () => {
    $("controls").reset();
    state.a = 0; state.b = runs.length > 1 ? 1 : 0; state.key = "index"; state.dir = 1;
    $("metric").value = state.metric; $("run-a").value = state.a; $("run-b").value = state.b;
    refilter();
  });
  $("prev").addEventListener("click", () => { state.page--; draw(); });
  $("next").addEventListener("click", () => { state.page++; draw(); });

  $("explorer-app").hidden = false;
  refilter();
  // decompress the texts once the page is painted, so that the first choice is quick
  requestAnimationFrame(() => setTimeout(() => texts().catch(() => {}), 0));
})();
