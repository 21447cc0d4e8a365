// The whole corpus through the WebAssembly build: every tests/corpus/**/NAME.xml that has a
// golden NAME.json must give exactly the golden (compact), errors included (code and offset).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ews from "./load.mjs";

const corpus = fileURLToPath(new URL("../../../tests/corpus/", import.meta.url));

function* xmlFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* xmlFiles(path);
    else if (name.endsWith(".xml")) yield path;
  }
}

const compact = (text) => JSON.stringify(JSON.parse(text));

function outcome(fn) {
  try {
    return fn();
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${e}`);
    assert.equal(typeof e.code, "string", "errors carry a code");
    assert.ok(e.offset === null || Number.isInteger(e.offset), "offset is an integer or null");
    return { error: { code: e.code, offset: e.offset } };
  }
}

/** The golden of a streaming body: split with StreamSplitter (the whole body in one push),
 * parse each envelope until the first error, errors counted from the start of the body. */
function splitAndParse(body) {
  const items = [];
  const splitter = new ews.StreamSplitter();
  const hay = Buffer.from(body.buffer, body.byteOffset, body.length);
  let from = 0;
  let envelopes = [];
  const failed = outcome(() => {
    envelopes = splitter.push(body);
    return null;
  });
  for (const envelope of envelopes) {
    // Where this envelope's bytes sit in the body, to count parse errors from the body start.
    const start = hay.indexOf(envelope, from);
    assert.ok(start >= 0, "an envelope is a slice of the body");
    from = start + envelope.length;
    const item = outcome(() => ews.parseNotification(envelope));
    if (item.error) {
      if (item.error.offset !== null) item.error.offset += start;
      return [...items, item];
    }
    items.push(item);
  }
  if (failed) return [...items, failed];
  // A push that returned envelopes defers its error to the next call.
  const later = outcome(() => splitter.push(new Uint8Array(0)) && splitter.finish() && null);
  return later ? [...items, later] : items;
}

const cases = [];
for (const path of xmlFiles(corpus)) {
  const golden = path.replace(/\.xml$/, ".json");
  if (existsSync(golden)) cases.push({ path, golden });
}

test("the corpus was found", () => {
  assert.ok(cases.length >= 100, `corpus went missing: ${cases.length} cases`);
  assert.ok(cases.some((c) => c.path.includes("malformed")), "malformed inputs present");
  assert.ok(cases.some((c) => c.path.includes("bodies")), "streaming bodies present");
});

for (const { path, golden } of cases) {
  const name = relative(corpus, path);
  test(`corpus ${name}`, () => {
    const bytes = new Uint8Array(readFileSync(path));
    const expected = compact(readFileSync(golden, "utf8"));
    const result = name.startsWith("streaming/bodies/")
      ? splitAndParse(bytes)
      : outcome(() => ews.parseNotification(bytes));
    assert.equal(JSON.stringify(result), expected);
  });
}

test("a string gives the same result as its UTF-8 bytes", () => {
  let n = 0;
  for (const { path } of cases) {
    const bytes = readFileSync(path);
    const text = bytes.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(bytes)) continue; // not valid UTF-8
    if (path.includes("bodies")) continue;
    n += 1;
    assert.deepEqual(
      outcome(() => ews.parseNotification(text)),
      outcome(() => ews.parseNotification(new Uint8Array(bytes))),
      path,
    );
  }
  assert.ok(n >= 50, `only ${n} UTF-8 inputs`);
});
