// The package's surface: errors, options, the splitter fed in chunks, the GOID class, repair.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ews from "./load.mjs";

const corpus = new URL("../../../tests/corpus/", import.meta.url);
const read = (path) => new Uint8Array(readFileSync(new URL(path, corpus)));

test("errors are Error objects with code and offset", () => {
  assert.throws(
    () => ews.parseNotification("<s:Envelope"),
    (e) => e instanceof Error && typeof e.code === "string" && Number.isInteger(e.offset) && e.message.length > 0,
  );
  assert.throws(() => ews.parseNotification(""), (e) => e.code === "unexpected_eof" || typeof e.code === "string");
});

test("a wrong argument type is a TypeError", () => {
  assert.throws(() => ews.parseNotification(42), (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG_TYPE");
});

test("maxBytes caps the input", () => {
  const bytes = read("push/created_event_blank_lines.xml");
  assert.throws(
    () => ews.parseNotification(bytes, { maxBytes: 100 }),
    (e) => e.code === "too_large",
  );
  assert.equal(ews.parseNotification(bytes, { maxBytes: bytes.length }).kind, "sendNotification");
  assert.throws(() => ews.parseNotification(bytes, { maxBytes: -1 }), RangeError);
  assert.throws(() => ews.parseNotification(bytes, { maxByte: 1 }), RangeError);
});

const hex = (list) => list.map((e) => Buffer.from(e).toString("hex"));

test("the splitter gives the same envelopes pushed one byte at a time", () => {
  const body = read("streaming/bodies/streaming_two_envelopes_then_closed.xml");
  const expected = hex(ews.splitEnvelopes(body));
  assert.ok(expected.length >= 2);

  const whole = new ews.StreamSplitter();
  assert.deepEqual(hex(whole.push(body)), expected);
  whole.finish();

  const bytewise = new ews.StreamSplitter();
  const got = [];
  for (let i = 0; i < body.length; i++) got.push(...hex(bytewise.push(body.subarray(i, i + 1))));
  bytewise.finish();
  assert.deepEqual(got, expected);
  assert.equal(bytewise.bytesSeen, body.length);
  assert.equal(bytewise.buffered, 0);
});

test("finish with a partial envelope throws unexpected_eof", () => {
  const s = new ews.StreamSplitter();
  assert.deepEqual(s.push("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"), []);
  assert.ok(s.buffered > 0);
  assert.throws(() => s.finish(), (e) => e.code === "unexpected_eof");
  assert.throws(
    () => ews.splitEnvelopes("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>"),
    (e) => e.code === "unexpected_eof",
  );
});

test("maxStreamBytes caps what the splitter accepts", () => {
  const s = new ews.StreamSplitter({ maxStreamBytes: 10 });
  assert.throws(() => s.push("x".repeat(11)), (e) => typeof e.code === "string" && e instanceof Error);
  assert.throws(() => new ews.StreamSplitter({ maxStreamBytes: 1.5 }), RangeError);
});

test("a GlobalObjectId decodes its fields", () => {
  // [MS-OXOCAL] section 4: an exception moved from 2008-03-25.
  const goid = ews.GlobalObjectId.fromHex(
    "040000008200E00074C5B7101A82E00807D803195025D461E473C8010000000000000000100000002A5844B3A444F74A9C246C60886F116B",
  );
  assert.equal(goid.isException, true);
  assert.equal(goid.instanceDate, "2008-03-25");
  assert.equal(goid.dataSize, 16);
  assert.equal(goid.bytes.length, 56);
  assert.equal(typeof goid.creationFiletime, "bigint");
  assert.equal(goid.hex, goid.toString());
  assert.equal(goid.icalUid.length, goid.hex.length);
  const clean = goid.clean();
  assert.equal(clean.isException, false);
  assert.equal(clean.instanceDate, null);
  assert.ok(goid.sameMeeting(clean));
  assert.ok(!goid.equals(clean));
  assert.equal(goid.withInstanceDate(null).hex, clean.hex);
  assert.equal(goid.withInstanceDate("2008-03-25").hex, goid.hex);
  assert.equal(goid.restrictionValue, clean.base64);
  assert.deepEqual(goid.warnings, []);
  assert.equal(ews.GlobalObjectId.fromBytes(goid.bytes).base64, goid.base64);
});

test("GlobalObjectId errors carry code and offset into the text", () => {
  assert.throws(
    () => ews.GlobalObjectId.fromBase64("BAAAAIIA4AB0x*"),
    (e) => e.code === "goid_bad_base64" && e.offset === 13,
  );
  assert.throws(() => ews.GlobalObjectId.fromIcalUid("x", "2024-13-01"), RangeError);
});

test("a third-party UID round-trips", () => {
  const uid = "{81412D3C-2A24-4E9D-B20E-11F7BBE92799}";
  const goid = ews.GlobalObjectId.fromIcalUid(uid);
  assert.equal(goid.vcalUid, uid);
  assert.equal(goid.icalUid, uid);
  const exception = ews.GlobalObjectId.fromIcalUid(uid, "2024-05-01");
  assert.equal(exception.instanceDate, "2024-05-01");
  assert.ok(exception.sameMeeting(goid));
});

test("repairPasted fixes no-break spaces in tags and reports each change", () => {
  const pasted = "<a\u00a0x='1'>\n\u00a0\u00a0<b>keep\u00a0this</b></a>";
  const r = ews.repairPasted(pasted);
  assert.equal(r.text, "<a x='1'>\n  <b>keep\u00a0this</b></a>");
  assert.deepEqual(
    r.changes.map((c) => [c.offset, c.count, c.codePoint, c.place]),
    [
      [2, 1, "U+00A0", "insideTag"],
      [11, 2, "U+00A0", "betweenTags"],
    ],
  );
  assert.deepEqual(ews.repairPasted("<a/>").changes, []);
});

test("version is the crate version", () => {
  assert.match(ews.version(), /^\d+\.\d+\.\d+/);
});

test("request builders produce the SOAP requests", () => {
  const pull = ews.pullSubscribeRequest({ eventTypes: ["created", "ModifiedEvent"], timeoutMinutes: 30, folders: ["calendar"] });
  assert.match(pull, /<t:Timeout>30<\/t:Timeout>/);
  assert.match(pull, /<t:EventType>CreatedEvent<\/t:EventType>/);
  assert.match(pull, /DistinguishedFolderId Id="calendar"/);
  const push = ews.pushSubscribeRequest("https://listener.example/ews", {
    eventTypes: ["newMail"],
    folders: ["inbox"],
    statusFrequencyMinutes: 5,
    watermark: "AQAAAA==",
    impersonate: "room@example.com",
  });
  assert.match(push, /<t:URL>https:\/\/listener\.example\/ews<\/t:URL>/);
  assert.match(push, /room@example\.com/);
  assert.match(ews.streamingSubscribeRequest({ eventTypes: ["created"], allFolders: true }), /StreamingSubscriptionRequest/);
  assert.match(ews.getEventsRequest("sub-1", "wm-1"), /<m:SubscriptionId>sub-1<\/m:SubscriptionId>/);
  assert.match(ews.getEventsRequest("sub-1", "wm-1", { version: "Exchange2016" }), /Version="Exchange2016"/);
  assert.match(ews.getStreamingEventsRequest(["a", "b"], 10), /<m:ConnectionTimeout>10<\/m:ConnectionTimeout>/);
  assert.match(ews.unsubscribeRequest("sub-1"), /Unsubscribe/);
  assert.match(ews.sendNotificationResult(), /<m:SubscriptionStatus>OK<\/m:SubscriptionStatus>/);
  assert.match(ews.sendNotificationResult("Unsubscribe"), /<m:SubscriptionStatus>Unsubscribe<\/m:SubscriptionStatus>/);
  assert.match(ews.getItemRequest(["AAMk", { id: "AAMl", changeKey: "DwAA" }]), /ChangeKey="DwAA"/);
  const goid = ews.GlobalObjectId.fromBase64("BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=");
  assert.ok(ews.findItemByCleanGoidRequest(goid.restrictionValue).includes(goid.restrictionValue));
});

test("request builders throw core's codes for values EWS refuses", () => {
  const code = (fn) => {
    try {
      fn();
    } catch (e) {
      return e.code;
    }
    return "no error";
  };
  assert.equal(code(() => ews.pullSubscribeRequest({ eventTypes: ["created"], folders: ["calendar"], timeoutMinutes: 0 })), "out_of_range");
  assert.equal(code(() => ews.pullSubscribeRequest({ eventTypes: ["bogus"], folders: ["calendar"], timeoutMinutes: 5 })), "unknown_name");
  assert.equal(code(() => ews.getEventsRequest("sub", "wm", { version: "Exchange1999" })), "unknown_name");
  assert.equal(code(() => ews.sendNotificationResult("maybe")), "unknown_name");
  assert.equal(code(() => ews.getItemRequest([])), "empty_list");
  assert.equal(code(() => ews.pullSubscribeRequest({ eventTypes: ["created"], timeoutMinutes: 5 })), "empty_list");
  assert.throws(() => ews.pullSubscribeRequest({ eventTypes: ["created"], timeoutMinute: 5 }), RangeError);
  assert.throws(() => ews.pullSubscribeRequest({ eventTypes: ["created"] }), TypeError);
  assert.throws(() => ews.getStreamingEventsRequest("sub", 5), TypeError);
});
