// Drives the built demo (web-demo/dist, from build.sh) in headless Debian Chromium through
// playwright-core, served by `python3 -m http.server` on a free local port.
//
// Expected values come from the corpus goldens and GOID vectors, never from the page itself.
// UPDATE_SCREENSHOTS=1 also writes docs/web-demo*.png; otherwise screenshots go to dist/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "../dist");
const repo = join(here, "../..");
const corpus = join(repo, "tests/corpus");
const read = (rel) => readFileSync(join(corpus, rel));
const golden = (rel) => JSON.parse(readFileSync(join(corpus, rel.replace(/\.xml$/, ".json")), "utf8"));
const vectors = Object.fromEntries(
  JSON.parse(readFileSync(join(corpus, "goid/vectors.json"), "utf8")).vectors.map((v) => [v.name, v]),
);
const shots = process.env.UPDATE_SCREENSHOTS === "1" ? join(repo, "docs") : join(dist, "screenshots");

let server;
let context;
let page;
let base;
const requests = [];
const pageErrors = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`static server at ${url} did not start`);
}

let profile;
before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "run web-demo/build.sh first");
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  server = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "-d", dist], {
    stdio: "ignore",
  });
  await waitForServer(base);
  profile = mkdtempSync(join(tmpdir(), "ews-notify-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(base);
  await page.waitForSelector("body[data-ready=true]");
});

test("no script error on the page", () => {
  assert.deepEqual(pageErrors.map(String), []);
});

after(async () => {
  await context?.close();
  server?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Puts text in the message box as a paste would (an input event), and waits for the result. */
async function afterChange(counter, act) {
  const before = await page.evaluate((c) => document.body.dataset[c] ?? "0", counter);
  await act();
  await page.waitForFunction(([c, b]) => (document.body.dataset[c] ?? "0") !== b, [counter, before]);
}

async function paste(text) {
  await afterChange("decoded", () => page.fill("#xml", text));
}

async function pickSample(file) {
  if ((await page.inputValue("#sample")) === file) await page.selectOption("#sample", "");
  await afterChange("decoded", () => page.selectOption("#sample", file));
}

function goldenEvents(env) {
  return (env.responseMessages ?? []).flatMap((m) => m.notifications.flatMap((n) => n.events));
}

/** Line and column (from 1; column in characters) of a byte offset, computed independently. */
function lineColumn(bytes, offset) {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = [...Buffer.from(before.subarray(lineStart)).toString("utf8")].length + 1;
  return { line, column };
}

test("the page loads offline from its own files", async () => {
  assert.match(await page.textContent("#version"), /^v\d+\.\d+\.\d+/);
  const options = await page.$$eval("#sample option", (o) => o.length);
  assert.ok(options >= 10, `samples listed: ${options}`);
  for (const url of requests) assert.ok(url.startsWith(base), `request outside the page: ${url}`);
});

test("a pasted push notification shows its summary and events", async () => {
  const rel = "push/created_event_blank_lines.xml";
  const g = golden(rel);
  await paste(read(rel).toString("utf8"));
  assert.equal(await page.isHidden("#error"), true);
  const summary = await page.textContent("#summary");
  assert.match(summary, /Push notification/);
  const messages = await page.textContent("#messages");
  const note = g.responseMessages[0].notifications[0];
  assert.ok(messages.includes(note.subscriptionId), "subscription id shown");
  assert.ok(messages.includes(note.previousWatermark), "previous watermark shown");
  const rows = await page.$$eval("#events tbody tr", (trs) => trs.map((tr) => tr.dataset.kind));
  assert.deepEqual(rows, goldenEvents(g).map((e) => e.kind));
  const ids = await page.$$eval("#events tbody tr td:nth-child(3) .id:first-child .id-value", (c) => c.map((x) => x.textContent));
  assert.deepEqual(ids, goldenEvents(g).map((e) => (e.itemId ?? e.folderId).id));
  const copies = await page.$$eval("#events tbody tr button.copy", (b) => b.length);
  assert.ok(copies >= rows.length, "every id has a copy button");
  const json = JSON.parse(await page.textContent("#json"));
  assert.deepEqual(json, g, "the canonical JSON is shown");
});

test("a pull sample lists every event with its kind and old ids", async () => {
  for (const rel of ["pull/get_events_every_event_kind.xml", "pull/get_events_folder_events_moved_copied.xml"]) {
    const g = golden(rel);
    await pickSample(rel);
    const rows = await page.$$eval("#events tbody tr", (trs) => trs.map((tr) => tr.dataset.kind));
    const expected = goldenEvents(g).map((e) => (typeof e.kind === "string" ? e.kind : `unknown (${e.name})`));
    assert.deepEqual(rows, expected, rel);
    const olds = await page.$$eval("#events tbody tr td:nth-child(4)", (c) => c.map((x) => x.textContent));
    goldenEvents(g).forEach((e, i) => {
      for (const old of [e.oldItemId, e.oldFolderId, e.oldParentFolderId]) {
        if (old) assert.ok(olds[i].includes(old.id), `${rel} row ${i + 1} shows old id ${old.id}`);
      }
    });
  }
});

test("a streaming body with several envelopes shows each one", async () => {
  const rel = "streaming/bodies/streaming_two_envelopes_then_closed.xml";
  const items = golden(rel);
  assert.ok(items.length >= 2 && items.every((i) => !i.error));
  await pickSample(rel);
  assert.equal(await page.isVisible("#envelopes"), true);
  assert.equal(await page.textContent("#envelope-count"), String(items.length));
  for (const [i, item] of items.entries()) {
    await page.selectOption("#envelope-pick", String(i));
    assert.deepEqual(JSON.parse(await page.textContent("#json")), item, `envelope ${i + 1}`);
    const rows = await page.$$eval("#events tbody tr", (trs) => trs.map((tr) => tr.dataset.kind));
    assert.deepEqual(rows, goldenEvents(item).map((e) => e.kind), `envelope ${i + 1} events`);
  }
  // An envelope that cannot be read: its error points into the whole body.
  const bad = "streaming/bodies/streaming_second_envelope_malformed.xml";
  const badItems = golden(bad);
  const { error } = badItems[badItems.length - 1];
  await paste(read(bad).toString("utf8"));
  assert.equal(await page.textContent("#envelope-count"), String(badItems.length));
  await page.selectOption("#envelope-pick", String(badItems.length - 1));
  assert.equal(await page.textContent("#error-code"), error.code);
  const { line, column } = lineColumn(read(bad), error.offset);
  assert.equal(await page.textContent("#error-position"), `line ${line}, column ${column} (byte ${error.offset})`);
  // A single envelope shows no envelope picker.
  await pickSample("streaming/streaming_connection_status_ok.xml");
  assert.equal(await page.isHidden("#envelopes"), true);
});

test("errors with codes and back-off are shown", async () => {
  const rel = "streaming/streaming_error_server_busy_backoff.xml";
  const m = golden(rel).responseMessages[0];
  await pickSample(rel);
  const text = await page.textContent("#messages");
  assert.ok(text.includes(m.responseCode), "response code");
  assert.ok(text.includes(`${m.backOffMilliseconds} ms`), "back-off");

  const fault = golden("fault/fault_server_busy_backoff.xml");
  await pickSample("fault/fault_server_busy_backoff.xml");
  const summary = await page.textContent("#summary");
  assert.match(summary, /SOAP fault/);
  assert.ok(summary.includes(fault.responseCode));
  assert.ok(summary.includes(`${fault.backOffMilliseconds} ms`));

  const closed = golden("streaming/streaming_connection_status_closed.xml").responseMessages[0];
  await pickSample("streaming/streaming_connection_status_closed.xml");
  assert.ok((await page.textContent("#messages")).includes(closed.connectionStatus));
});

test("a malformed message shows the error code, line and column", async () => {
  for (const rel of ["malformed/mismatched_end_tag.xml", "malformed/invalid_utf8_in_text.xml"]) {
    const { error } = golden(rel);
    const bytes = read(rel);
    await pickSample(rel);
    assert.equal(await page.isVisible("#error"), true, rel);
    assert.equal(await page.textContent("#error-code"), error.code, rel);
    const { line, column } = lineColumn(bytes, error.offset);
    assert.equal(
      await page.textContent("#error-position"),
      `line ${line}, column ${column} (byte ${error.offset})`,
      rel,
    );
    assert.match(await page.textContent("#error-context"), /\^$/);
  }
  // Pasted text: offsets count the UTF-8 bytes of what is in the box.
  await paste("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>\n  <s:Body>\n    <a></b>");
  assert.match(await page.textContent("#error-position"), /^line 3, column \d+/);
});

test("repair fixes only the paste damage and shows every change", async () => {
  const damagedRel = "malformed/pasted_nbsp_calendar_item_created_default_calendar.xml";
  const fixedRel = "push/calendar_item_created_default_calendar_nbsp_replaced.xml";
  const damaged = read(damagedRel).toString("utf8");
  const nbsp = damaged.split("\u00a0").length - 1;
  await paste(damaged);
  assert.equal(await page.isVisible("#error"), true, "damaged text does not parse");
  assert.equal(await page.textContent("#error-code"), golden(damagedRel).error.code);
  assert.equal(await page.isVisible("#repair"), true, "repair is offered");
  assert.match(await page.textContent("#repair-text"), new RegExp(`${nbsp} characters`));
  assert.match(await page.textContent("#repair-text"), /no-break space \(U\+00A0\)/);
  await page.screenshot({ path: join(shots, "web-demo-repair.png"), fullPage: false });

  await page.click("#repair-apply");
  await page.waitForSelector("#repair-report:not([hidden])");
  assert.equal(await page.inputValue("#xml"), read(fixedRel).toString("utf8"), "repaired text is what Exchange sent");
  assert.match(await page.textContent("#repair-summary"), new RegExp(`Repaired: ${nbsp} characters`));
  const changes = await page.$$eval("#repair-changes tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.ok(changes.length > 0);
  assert.equal(changes.reduce((a, c) => a + Number(c[2]), 0), nbsp, "every replaced character is listed");
  assert.ok(changes.some((c) => c[4] === "inside a tag"));
  assert.ok(changes.every((c) => /^\d+:\d+$/.test(c[0]) && c[1] === "U+00A0 no-break space"));
  assert.equal(await page.isHidden("#error"), true);
  assert.equal(await page.isHidden("#repair"), true, "nothing left to repair");
  const rows = await page.$$eval("#events tbody tr", (trs) => trs.map((tr) => tr.dataset.kind));
  assert.deepEqual(rows, goldenEvents(golden(fixedRel)).map((e) => e.kind));

  // Clean text is never offered a repair.
  await paste(read("push/status_event_wrapped_tags.xml").toString("utf8"));
  assert.equal(await page.isHidden("#repair"), true);
});

async function decodeGoid(mode, value, date = "") {
  await page.check(`input[name=goid-mode][value=${mode}]`);
  if (mode === "uid") await page.fill("#uid-date", date);
  await afterChange("goid", () => page.fill("#goid", value));
}

const field = (label) => page.textContent(`#goid-fields tr[data-field="${label}"] td .value`);

test("a GlobalObjectId shows every decoded field", async () => {
  const series = vectors["seed-1.1"];
  await decodeGoid("goid", series.input.base64);
  assert.equal(await field("iCalendar UID"), series.expected.icalUid);
  assert.equal(await field("Clean id (base64)"), series.expected.cleanBase64);
  assert.equal(await field("Creation time"), series.expected.creationTime);
  assert.equal(await field("Data"), series.expected.dataHex);
  assert.match(await field("Is an exception"), /^no/);
  assert.match(await page.textContent("#goid-verdict"), /Series or single meeting/);

  const exception = vectors["ms-oxocal-exception-2008-03-25"];
  await decodeGoid("goid", exception.input.hex);
  assert.equal(await field("Instance date"), exception.expected.instanceDate);
  assert.match(await field("Is an exception"), /^yes/);
  assert.equal(await field("Clean id (hex)"), exception.expected.cleanHex);
  assert.match(await page.textContent("#goid-verdict"), /Exception/);

  const orphan = vectors["seed-1.1-orphan-2013-08-13"];
  await decodeGoid("uid", orphan.input.uid, orphan.input.instanceDate);
  assert.equal(await field("Instance date"), orphan.expected.instanceDate);
  assert.equal(await field("Id (base64)"), orphan.expected.base64);

  const thirdParty = vectors["ms-asemail-4.3-example-2-from-uid"];
  await decodeGoid("uid", thirdParty.input.uid);
  assert.equal(await field("vCal UID"), thirdParty.expected.vcalUid);
});

test("a bad GlobalObjectId shows its code and position", async () => {
  const bad = vectors["error-bad-base64"];
  await decodeGoid("goid", bad.input.base64);
  assert.equal(await page.textContent("#goid-error-code"), bad.expected.error.code);
  assert.equal(await page.textContent("#goid-error-position"), String(bad.expected.error.offset + 1));
});

test("light, dark and narrow layouts read well", async () => {
  await pickSample("push/calendar_item_created_default_calendar_nbsp_replaced.xml");
  const series = vectors["ms-oxocal-exception-2008-03-25"];
  await decodeGoid("goid", series.input.hex);
  await page.setViewportSize({ width: 1280, height: 1480 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.$eval("#xml", (t) => (t.scrollTop = 0));
  await page.$eval("#goid", (t) => t.blur());
  await page.screenshot({ path: join(shots, "web-demo.png") });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light, "the dark scheme changes the colours");
  const lum = (rgb) => rgb.match(/\d+/g).slice(0, 3).reduce((a, x) => a + Number(x), 0) / (3 * 255);
  assert.ok(lum(dark) < 0.2 && lum(light) > 0.8, `${light} / ${dark}`);
  await page.screenshot({ path: join(shots, "web-demo-dark.png") });

  await page.setViewportSize({ width: 380, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.$eval("#events", (t) => t.scrollIntoView());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px in a narrow window`);
  const head = await page.$eval("#events thead", (t) => getComputedStyle(t).display);
  assert.equal(head, "none", "events become cards in a narrow window");
  await page.screenshot({ path: join(shots, "web-demo-narrow.png"), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
});
