// The web demo: every decision about EWS is made by the WebAssembly package (ews-notify core);
// this file only shows what it returns.
import init, { GlobalObjectId, parseNotification, repairPasted, splitEnvelopes, version } from "./pkg/ews_notify.js";

const $ = (id) => document.getElementById(id);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8");

/** What the message box holds: the text, or the exact bytes of a dropped or sample file. */
let source = { text: "", bytes: null };

// ---------- small DOM helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

function copyButton(value, label = "Copy") {
  const b = el("button", { type: "button", class: "copy", title: `Copy ${value}`, "aria-label": `${label}: ${value}` }, "Copy");
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      b.textContent = "Copied";
    } catch {
      // Clipboard refused (no permission, or not a secure context): select the text instead.
      const range = document.createRange();
      range.selectNodeContents(b.previousElementSibling ?? b);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      b.textContent = "Selected";
    }
    setTimeout(() => (b.textContent = "Copy"), 1200);
  });
  return b;
}

/** An id shown in full (wrapping), with a copy button. */
function idCell(label, objectId) {
  if (!objectId) return null;
  const box = el("div", { class: "id" });
  if (label) box.append(el("span", { class: "id-label", text: label }));
  box.append(el("code", { class: "id-value", text: objectId.id }), copyButton(objectId.id, label || "id"));
  if (objectId.changeKey) {
    box.append(el("span", { class: "ck", text: `change key ${objectId.changeKey}` }));
  }
  return box;
}

// ---------- positions ----------

/** Line and column (both from 1, column in characters) of a UTF-8 byte offset. */
function lineColumn(bytes, offset) {
  const end = Math.min(offset, bytes.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  const before = fromUtf8.decode(bytes.subarray(lineStart, end));
  const lineEnd = bytes.indexOf(0x0a, end);
  const text = fromUtf8.decode(bytes.subarray(lineStart, lineEnd < 0 ? bytes.length : lineEnd));
  return { line, column: [...before].length + 1, text, before };
}

/** The offending line with a caret under the column, cut around it when long. */
function caretContext({ text, before }) {
  const chars = [...text.replace(/\r$/, "")];
  const at = [...before].length;
  const from = Math.max(0, at - 60);
  const shown = chars.slice(from, at + 60).join("").replace(/\t/g, " ");
  const lead = from > 0 ? "…" : "";
  const caret = " ".repeat(lead.length + at - from) + "^";
  return `${lead}${shown}\n${caret}`;
}

// ---------- message ----------

function inputBytes() {
  return source.bytes ?? utf8.encode(source.text);
}

function showError(e) {
  const bytes = inputBytes();
  $("error-code").textContent = e.code ?? "error";
  $("error-message").textContent = e.message;
  if (Number.isInteger(e.offset)) {
    const pos = lineColumn(bytes, e.offset);
    $("error-position").textContent = `line ${pos.line}, column ${pos.column} (byte ${e.offset})`;
    $("error-context").textContent = caretContext(pos);
    $("error-context").hidden = false;
  } else {
    $("error-position").textContent = "an unknown position";
    $("error-context").hidden = true;
  }
  $("error").hidden = false;
}

const describeBackOff = (ms) => {
  if (ms == null) return null;
  const s = Math.round(ms / 1000);
  const human = s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
  return `${ms} ms (about ${human})`;
};

function addTerm(dl, term, value, { code = false, copy = false, cls = null } = {}) {
  if (value == null || value === "") return;
  const dd = el("dd", { class: cls });
  dd.append(code ? el("code", { text: String(value) }) : String(value));
  if (copy) dd.append(copyButton(String(value), term));
  dl.append(el("dt", { text: term }), dd);
}

const kindNames = {
  sendNotification: "Push notification (SendNotification)",
  getEventsResponse: "Pull: GetEvents response",
  getStreamingEventsResponse: "Streaming: GetStreamingEvents response",
  subscribeResponse: "Subscribe response",
  unsubscribeResponse: "Unsubscribe response",
  fault: "SOAP fault",
};

function renderSummary(env) {
  const dl = $("summary");
  dl.replaceChildren();
  addTerm(dl, "Message", kindNames[env.kind] ?? env.kind);
  addTerm(dl, "SOAP", env.soapVersion);
  const sv = env.serverVersion;
  if (sv) {
    const build = [sv.majorVersion, sv.minorVersion, sv.majorBuildNumber, sv.minorBuildNumber]
      .filter((x) => x != null)
      .join(".");
    addTerm(dl, "Server version", [sv.version, build].filter(Boolean).join(" "));
  }
  if (env.kind === "fault") {
    addTerm(dl, "Response code", env.responseCode, { code: true, cls: "bad" });
    addTerm(dl, "Fault code", env.faultCode, { code: true });
    addTerm(dl, "Fault", env.faultString);
    addTerm(dl, "Message", env.messageText);
    addTerm(dl, "Back off", describeBackOff(env.backOffMilliseconds), { cls: "warn" });
    for (const [k, v] of Object.entries(env.messageXml ?? {})) addTerm(dl, k, v, { code: true });
  }
}

function renderMessages(env) {
  const box = $("messages");
  box.replaceChildren();
  (env.responseMessages ?? []).forEach((m, i) => {
    const dl = el("dl", { class: "summary" });
    const cls = m.responseClass === "Success" ? "ok" : m.responseClass === "Warning" ? "warn" : "bad";
    addTerm(dl, "Result", `${m.responseClass}${m.responseCode ? ` · ${m.responseCode}` : ""}`, { cls });
    addTerm(dl, "Message", m.messageText);
    addTerm(dl, "Back off", describeBackOff(m.backOffMilliseconds), { cls: "warn" });
    addTerm(dl, "Connection", m.connectionStatus, { cls: m.connectionStatus === "OK" ? "ok" : "warn" });
    addTerm(dl, "Subscription", m.subscriptionId, { code: true, copy: true });
    addTerm(dl, "Watermark", m.watermark, { code: true, copy: true });
    if (m.errorSubscriptionIds.length) {
      addTerm(dl, "Failed subscriptions", m.errorSubscriptionIds.join(", "), { code: true, cls: "bad" });
    }
    for (const [k, v] of Object.entries(m.messageXml ?? {})) {
      if (k !== "BackOffMilliseconds") addTerm(dl, k, v, { code: true });
    }
    m.notifications.forEach((n, j) => {
      const label = m.notifications.length > 1 ? ` ${j + 1}` : "";
      addTerm(dl, `Subscription${label}`, n.subscriptionId, { code: true, copy: true });
      addTerm(dl, "Previous watermark", n.previousWatermark, { code: true, copy: true });
      addTerm(dl, "More events", n.moreEvents == null ? null : n.moreEvents ? "yes: ask again" : "no");
    });
    const title = env.responseMessages.length > 1 ? `Response message ${i + 1}` : "Response message";
    box.append(el("h4", { text: title }), dl);
  });
}

function renderEvents(env) {
  const body = $("events").tBodies[0];
  body.replaceChildren();
  let n = 0;
  for (const m of env.responseMessages ?? []) {
    for (const note of m.notifications) {
      for (const e of note.events) {
        n += 1;
        const kind = e.kind === "unknown" ? `unknown (${e.name ?? "?"})` : e.kind;
        const main = e.itemId ? idCell("item", e.itemId) : idCell("folder", e.folderId);
        const olds = el("div", {}, idCell("old item", e.oldItemId), idCell("old folder", e.oldFolderId), idCell("old parent", e.oldParentFolderId));
        const extra = [];
        if (e.unreadCount != null) extra.push(el("span", { class: "ck", text: `unread ${e.unreadCount}` }));
        if (e.unknownElements?.length) extra.push(el("span", { class: "ck", text: `not read: ${e.unknownElements.join(", ")}` }));
        const what = el(
          "td",
          { "data-label": "Event" },
          el("span", { class: `kind kind-${e.kind}`, text: kind }),
          e.timestamp ? el("span", { class: "time", text: e.timestamp }) : null,
          e.watermark ? el("span", { class: "ck" }, "watermark ", el("code", { class: "wm", text: e.watermark })) : null,
        );
        body.append(
          el(
            "tr",
            { "data-kind": kind },
            el("td", { "data-label": "#", text: String(n) }),
            what,
            el("td", { "data-label": "Item or folder" }, main, idCell("parent folder", e.parentFolderId), ...extra),
            el("td", { "data-label": "Old ids" }, olds.childElementCount ? olds : el("span", { class: "muted", text: "—" })),
          ),
        );
      }
    }
  }
  $("event-count").textContent = n ? `(${n})` : "";
  $("events").hidden = n === 0;
  $("no-events").hidden = n !== 0 || env.kind === "fault";
}

function offerRepair() {
  const box = $("repair");
  box.hidden = true;
  if (source.bytes) return; // the exact bytes of a file are never repaired
  const r = repairPasted(source.text);
  if (!r.changes.length) return;
  const chars = r.changes.reduce((a, c) => a + c.count, 0);
  const kinds = [...new Set(r.changes.map((c) => `${c.name} (${c.codePoint})`))].join(", ");
  $("repair-text").textContent =
    `This text holds ${chars} character${chars === 1 ? "" : "s"} that copying from a web page or ` +
    `an e-mail puts where XML needs a plain space: ${kinds}. Repair replaces only those inside ` +
    `tags and in the indentation between tags, and lists every change.`;
  box.hidden = false;
}

function applyRepair() {
  const before = utf8.encode(source.text);
  const r = repairPasted(source.text);
  const tbody = $("repair-changes");
  tbody.replaceChildren();
  const places = { insideTag: "inside a tag", betweenTags: "between tags", beforeDeclaration: "before <?xml" };
  for (const c of r.changes) {
    const pos = lineColumn(before, c.offset);
    const became = c.replacement === "" ? "removed" : c.replacement === " " ? "space" : JSON.stringify(c.replacement);
    tbody.append(
      el(
        "tr",
        {},
        el("td", { text: `${pos.line}:${pos.column}` }),
        el("td", { text: `${c.codePoint} ${c.name}` }),
        el("td", { text: String(c.count) }),
        el("td", { text: became }),
        el("td", { text: places[c.place] ?? c.place }),
      ),
    );
  }
  const chars = r.changes.reduce((a, c) => a + c.count, 0);
  const lines = new Set(r.changes.map((c) => lineColumn(before, c.offset).line)).size;
  $("repair-summary").textContent =
    `Repaired: ${chars} character${chars === 1 ? "" : "s"} in ${r.changes.length} place${r.changes.length === 1 ? "" : "s"} ` +
    `on ${lines} line${lines === 1 ? "" : "s"}. Nothing else was changed.`;
  $("repair-report").hidden = false;
  $("xml").value = r.text;
  source = { text: r.text, bytes: null };
  decodeMessage({ keepReport: true });
}

let decoded = 0;

function decodeMessage({ keepReport = false } = {}) {
  // A counter the tests wait on: it changes once the page shows the outcome.
  document.body.dataset.decoded = String(++decoded);
  $("error").hidden = true;
  $("result").hidden = true;
  if (!keepReport) $("repair-report").hidden = true;
  offerRepair();
  const empty = source.bytes ? source.bytes.length === 0 : source.text.trim() === "";
  $("envelopes").hidden = true;
  if (empty) return;
  // A GetStreamingEvents body holds several envelopes back to back: core's splitter finds them.
  let parts = [];
  try {
    parts = splitEnvelopes(source.bytes ?? source.text);
  } catch {
    parts = []; // not a sequence of envelopes: the parser below says why
  }
  if (parts.length > 1) {
    const bytes = inputBytes();
    // Where each envelope starts in the input, so error positions point into the whole body.
    let from = 0;
    envelopeParts = parts.map((part) => {
      const start = findBytes(bytes, part, from);
      from = start + part.length;
      return { bytes: part, start };
    });
    const pick = $("envelope-pick");
    pick.replaceChildren(...envelopeParts.map((_, i) => el("option", { value: String(i), text: `envelope ${i + 1}` })));
    $("envelope-count").textContent = String(parts.length);
    $("envelopes").hidden = false;
    showEnvelope(0);
    return;
  }
  envelopeParts = null;
  let env;
  try {
    env = parseNotification(source.bytes ?? source.text);
  } catch (e) {
    showError(e);
    return;
  }
  render(env);
}

let envelopeParts = null;

/** Index of `needle` in `hay` at or after `from` (-1 when absent). */
function findBytes(hay, needle, from) {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function showEnvelope(i) {
  const part = envelopeParts[i];
  $("envelope-pick").value = String(i);
  $("error").hidden = true;
  let env;
  try {
    env = parseNotification(part.bytes);
  } catch (e) {
    $("result").hidden = false;
    $("summary").replaceChildren();
    $("messages").replaceChildren();
    $("events").tBodies[0].replaceChildren();
    showError({ code: e.code, message: e.message, offset: Number.isInteger(e.offset) ? e.offset + part.start : e.offset });
    return;
  }
  render(env);
}

function render(env) {
  renderSummary(env);
  renderMessages(env);
  renderEvents(env);
  $("json").textContent = JSON.stringify(env, null, 2);
  $("result").hidden = false;
}

function setBytes(bytes) {
  source = { text: "", bytes };
  // Shown as text; an invalid UTF-8 sequence shows as U+FFFD, the bytes parsed are the file's.
  $("xml").value = fromUtf8.decode(bytes);
  decodeMessage();
}

// ---------- meeting id ----------

const goidRows = [
  ["Is an exception", (g) => (g.isException ? `yes: one instance of a series, originally on ${g.instanceDate}` : "no: the series itself or a single meeting")],
  ["Instance date", (g) => g.instanceDate],
  ["Creation time", (g) => g.creationTime],
  ["Data size", (g) => `${g.dataSize} bytes`],
  ["Data", (g) => g.dataHex, true],
  ["vCal UID", (g) => g.vcalUid, true],
  ["iCalendar UID", (g) => g.icalUid, true],
  ["Clean id (base64)", (g) => g.cleanBase64, true],
  ["Clean id (hex)", (g) => g.cleanHex, true],
  ["Id (base64)", (g) => g.base64, true],
  ["Id (hex)", (g) => g.hex, true],
];

let goids = 0;

function decodeGoid() {
  document.body.dataset.goid = String(++goids);
  const text = $("goid").value;
  const mode = document.querySelector("input[name=goid-mode]:checked").value;
  $("uid-date-row").hidden = mode !== "uid";
  $("goid-error").hidden = true;
  $("goid-result").hidden = true;
  if (text.trim() === "") return;
  let goid;
  try {
    goid = mode === "uid" ? GlobalObjectId.fromIcalUid(text, $("uid-date").value || null) : GlobalObjectId.decode(text);
  } catch (e) {
    $("goid-error-code").textContent = e.code ?? "error";
    $("goid-error-message").textContent = e.message;
    const bytes = utf8.encode(text);
    if (Number.isInteger(e.offset)) {
      const pos = lineColumn(bytes, e.offset);
      $("goid-error-position").textContent = `${[...fromUtf8.decode(bytes.subarray(0, e.offset))].length + 1}`;
      $("goid-error-context").textContent = caretContext(pos);
    } else {
      $("goid-error-position").textContent = "an unknown position";
      $("goid-error-context").textContent = "";
    }
    $("goid-error").hidden = false;
    return;
  }
  const g = goid.toJSON();
  $("goid-verdict").textContent = g.isException
    ? `Exception or orphan instance of a recurring meeting (instance of ${g.instanceDate}). Its clean id names the whole series.`
    : "Series or single meeting: this id is already its own clean form.";
  $("goid-verdict").className = `verdict ${g.isException ? "warn" : "ok"}`;
  const body = $("goid-fields").tBodies[0];
  body.replaceChildren();
  for (const [label, get, copy] of goidRows) {
    const v = get(g);
    if (v == null) continue;
    const td = el("td", {}, el("span", { class: copy ? "value id-like" : "value", text: v }));
    if (copy) td.append(copyButton(v, label));
    body.append(el("tr", { "data-field": label }, el("th", { scope: "row", text: label }), td));
  }
  body.append(
    el("tr", { "data-field": "Find with" }, el("th", { scope: "row", text: "FindItem restriction value" }),
      el("td", {}, el("span", { class: "value id-like", text: goid.restrictionValue }), copyButton(goid.restrictionValue, "restriction value"))),
  );
  for (const w of g.warnings) {
    body.append(el("tr", { class: "warn", "data-field": "Warning" }, el("th", { scope: "row", text: "Warning" }), el("td", { text: `${w.code} at byte ${w.offset}: ${w.message}` })));
  }
  goid.free();
  $("goid-result").hidden = false;
}

// ---------- samples, theme, wiring ----------

async function loadSamples() {
  try {
    const res = await fetch("samples/index.json");
    const index = await res.json();
    const groups = new Map();
    for (const s of index.messages) {
      if (!groups.has(s.group)) groups.set(s.group, el("optgroup", { label: s.group }));
      groups.get(s.group).append(el("option", { value: s.file, text: s.title }));
    }
    $("sample").append(...groups.values());
    for (const [i, v] of index.goids.entries()) {
      $("goid-sample").append(el("option", { value: String(i), text: v.title }));
    }
    $("goid-sample").addEventListener("change", () => {
      const v = index.goids[Number($("goid-sample").value)];
      if (!v) return;
      document.querySelector(`input[name=goid-mode][value=${v.mode}]`).checked = true;
      $("goid").value = v.value;
      $("uid-date").value = v.instanceDate ?? "";
      decodeGoid();
    });
  } catch {
    $("sample").disabled = true;
    $("goid-sample").disabled = true;
  }
}

function applyTheme(value) {
  if (value === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = value;
}

async function main() {
  await init();
  $("version").textContent = `v${version()}`;
  const saved = localStorage.getItem("ews-notify-theme") ?? "auto";
  $("theme").value = saved;
  applyTheme(saved);
  $("theme").addEventListener("change", () => {
    localStorage.setItem("ews-notify-theme", $("theme").value);
    applyTheme($("theme").value);
  });

  let timer;
  $("xml").addEventListener("input", () => {
    source = { text: $("xml").value, bytes: null };
    $("sample").value = "";
    clearTimeout(timer);
    timer = setTimeout(decodeMessage, 150);
  });
  $("repair-apply").addEventListener("click", applyRepair);
  $("envelope-pick").addEventListener("change", () => showEnvelope(Number($("envelope-pick").value)));
  $("clear").addEventListener("click", () => {
    $("xml").value = "";
    $("sample").value = "";
    source = { text: "", bytes: null };
    decodeMessage();
  });
  $("sample").addEventListener("change", async () => {
    const file = $("sample").value;
    if (!file) return;
    const res = await fetch(`samples/${file}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A sample that shows paste damage is loaded as pasted text, so Repair is offered.
    if (file.startsWith("pasted/")) {
      source = { text: fromUtf8.decode(bytes), bytes: null };
      $("xml").value = source.text;
      decodeMessage();
    } else {
      setBytes(bytes);
    }
  });

  const drop = $("drop");
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    const file = ev.dataTransfer.files[0];
    if (file) setBytes(new Uint8Array(await file.arrayBuffer()));
    else {
      source = { text: ev.dataTransfer.getData("text/plain"), bytes: null };
      $("xml").value = source.text;
      decodeMessage();
    }
  });

  $("goid").addEventListener("input", decodeGoid);
  $("uid-date").addEventListener("input", decodeGoid);
  for (const r of document.querySelectorAll("input[name=goid-mode]")) r.addEventListener("change", decodeGoid);

  document.body.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-copy-from]");
    if (b) navigator.clipboard?.writeText($(b.dataset.copyFrom).textContent).catch(() => {});
  });

  await loadSamples();
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.body.prepend(el("p", { class: "error", role: "alert", text: `The page could not start: ${e.message}` }));
});
