// The page: ask /v1/summarize for a pasted story or a URL, show the key points, and the
// story with each key point's sentences marked from their offsets. Text goes into the page
// as text (textContent), never as markup; the page talks to this server only.
"use strict";

const $ = (id) => document.getElementById(id);
const COLOURS = 8;
let apiKey = false;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function say(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

// The body's character ranges each key point stands on: its own sentences (extractive),
// else the sentences that support it (abstractive). Offsets count code points, as Python does.
function ranges(points) {
  const out = [];
  points.forEach((k, i) => {
    const spans = k.spans.length ? k.spans : (k.support || []).map((s) => s.span);
    spans.forEach(([a, b]) => { if (b > a) out.push([a, b, i]); });
  });
  return out;
}

function showStory(body, points) {
  const view = $("story-view");
  view.replaceChildren();
  const chars = Array.from(body);
  const marks = ranges(points);
  const cuts = new Set([0, chars.length]);
  marks.forEach(([a, b]) => { cuts.add(Math.min(a, chars.length)); cuts.add(Math.min(b, chars.length)); });
  const bounds = [...cuts].sort((x, y) => x - y);
  for (let j = 0; j + 1 < bounds.length; j++) {
    const [a, b] = [bounds[j], bounds[j + 1]];
    const text = chars.slice(a, b).join("");
    const over = marks.filter(([s, e]) => s <= a && b <= e).map(([, , i]) => i);
    if (!over.length) { view.append(text); continue; }
    const ids = [...new Set(over)];
    const m = el("mark", undefined, "k" + (ids[0] % COLOURS));
    m.dataset.points = ids.map((i) => i + 1).join(",");
    m.title = "key point " + m.dataset.points;
    if (marks.some(([s, , i]) => s === a && ids.includes(i))) m.append(el("sup", m.dataset.points));
    m.append(text);
    view.append(m);
  }
}

function show(data) {
  $("title").textContent = data.title || "";
  $("title").hidden = !data.title;
  const meta = [data.author, data.date, data.url].filter(Boolean).join(" · ");
  $("meta").textContent = meta;
  const list = $("points");
  list.replaceChildren();
  let flagged = false;
  data.key_points.forEach((k, i) => {
    const li = el("li", k.text, "point k" + (i % COLOURS));
    if (k.flags && k.flags.length) {
      flagged = true;
      li.append(el("span", "[! " + k.flags.map((f) => f.text).join(", ") + "]", "flag"));
    }
    list.append(li);
  });
  $("legend").hidden = !flagged;
  const refs = data.references;  // the article's own key points, written by people
  $("refs").hidden = !refs;
  $("refs-source").textContent = refs ? "From " + refs.source + "." : "";
  $("refs-list").replaceChildren(...(refs ? refs.key_points.map((p) => el("li", p)) : []));
  showStory(data.body || "", data.key_points);
  $("result").hidden = false;
  const n = data.key_points.length;
  say(n + " key point" + (n === 1 ? "" : "s") + " from " + data.num_sentences + " sentences (" + data.model + ").");
}

async function ask(event) {
  event.preventDefault();
  const story = $("story").value, url = $("url").value.trim();
  if (!story.trim() && !url) { say("Paste a story or give its address.", true); return; }
  const req = { body: true };
  if (story.trim()) req.text = story; else req.url = url;
  if ($("n").value) req.n = Number($("n").value);
  const headers = { "Content-Type": "application/json" };
  if (apiKey) headers.Authorization = "Bearer " + $("key").value;
  $("go").disabled = true;
  say("Reading…");
  document.body.dataset.state = "busy";
  try {
    const r = await fetch("/v1/summarize", { method: "POST", headers, body: JSON.stringify(req) });
    const data = await r.json();
    if (!r.ok) { say(data.error || ("The server answered " + r.status + "."), true); document.body.dataset.state = "error"; return; }
    show(data);
    document.body.dataset.state = "done";
  } catch (e) {
    say("The server did not answer (" + e.message + ").", true);
    document.body.dataset.state = "error";
  } finally {
    $("go").disabled = false;
  }
}

async function start() {
  $("ask").addEventListener("submit", ask);
  try {
    const h = await (await fetch("/healthz")).json();
    apiKey = h.api_key;
    $("key-row").hidden = !apiKey;
    $("model").textContent = "Model: " + h.model;
  } catch (e) {
    say("The server did not answer (" + e.message + ").", true);
  }
  document.body.dataset.state = "ready";
}

start();
