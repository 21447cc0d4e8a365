// tests/corpus/goid/vectors.json through the WebAssembly build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ews from "./load.mjs";

const { GlobalObjectId } = ews;
const vectors = JSON.parse(
  readFileSync(new URL("../../../tests/corpus/goid/vectors.json", import.meta.url), "utf8"),
).vectors;

function decode(input) {
  if ("base64" in input) return GlobalObjectId.fromBase64(input.base64);
  if ("hex" in input) return GlobalObjectId.fromHex(input.hex);
  if ("text" in input) return GlobalObjectId.decode(input.text);
  if ("uid" in input) return GlobalObjectId.fromIcalUid(input.uid, input.instanceDate ?? null);
  throw new Error(`unknown vector input ${JSON.stringify(input)}`);
}

test("the vectors were found", () => {
  assert.ok(vectors.length >= 10, `GOID vectors went missing: ${vectors.length}`);
});

for (const v of vectors) {
  test(`goid ${v.name}`, () => {
    let goid;
    try {
      goid = decode(v.input);
    } catch (e) {
      if (!(e instanceof Error) || typeof e.code !== "string") throw e;
    assert.equal(JSON.stringify({ error: { code: e.code, offset: e.offset } }), JSON.stringify(v.expected));
      return;
    }
    const actual = goid.toJSON();
    assert.equal(JSON.stringify(actual), JSON.stringify(v.expected));
    assert.equal(JSON.stringify(goid), JSON.stringify(actual), "JSON.stringify uses toJSON");
    assert.equal(goid.hex, actual.hex);
    assert.equal(goid.base64, actual.base64);
    assert.equal(goid.vcalUid, actual.vcalUid);
    assert.equal(goid.creationTime, actual.creationTime);
    assert.equal(goid.dataSize, actual.dataSize);
    assert.deepEqual(goid.warnings, actual.warnings);
    assert.equal(goid.isException, actual.isException);
    assert.equal(goid.instanceDate, actual.instanceDate);
    assert.equal(goid.icalUid, actual.icalUid);
    assert.equal(goid.clean().hex, actual.cleanHex);
    assert.equal(goid.clean().base64, actual.cleanBase64);
    assert.ok(goid.sameMeeting(goid.clean()), "an id names the same meeting as its clean form");
    for (const [key, value] of Object.entries(v.published ?? {})) {
    assert.deepEqual(actual[key], value, `published ${key}`);
    }
  });
}
