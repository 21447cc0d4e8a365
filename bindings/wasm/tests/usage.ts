// Compiled with `tsc --noEmit -p tests/tsconfig.json`: every export is declared, and results
// have the declared types (a wrong field or a missing null check fails the build).
import init, {
  initSync,
  parseNotification,
  splitEnvelopes,
  repairPasted,
  version,
  pullSubscribeRequest,
  pushSubscribeRequest,
  streamingSubscribeRequest,
  getEventsRequest,
  getStreamingEventsRequest,
  unsubscribeRequest,
  sendNotificationResult,
  getItemRequest,
  findItemByCleanGoidRequest,
  GlobalObjectId,
  StreamSplitter,
  type Envelope,
  type Event,
  type EwsNotifyError,
  type GoidSummary,
  type GoidWarning,
  type Repair,
  type RepairChange,
} from "../pkg/ews_notify.js";

export async function demo(bytes: Uint8Array, wasm: BufferSource): Promise<string[]> {
  initSync({ module: wasm });
  await init();
  const out: string[] = [version()];

  const envelope: Envelope = parseNotification(bytes, { maxBytes: 1 << 20, maxDepth: 64 });
  if (envelope.kind === "fault") {
    const backOff: number | null = envelope.backOffMilliseconds;
    out.push(`${envelope.responseCode ?? "?"} ${backOff ?? 0}`);
  } else if (envelope.kind === "getItemResponse" || envelope.kind === "findItemResponse") {
    for (const message of envelope.responseMessages) {
      for (const item of message.items) {
        const role: string | null = item.calendarItemType;
        out.push(item.uid ?? "", item.cleanGlobalObjectId?.cleanBase64 ?? "", role ?? "");
      }
    }
  } else if (envelope.kind === "syncFolderItemsResponse") {
    for (const message of envelope.responseMessages) {
      out.push(message.syncState ?? "", ...message.changes.map((c) => c.kind));
    }
  } else {
    for (const message of envelope.responseMessages) {
      out.push(message.responseClass, message.connectionStatus ?? "");
      for (const n of message.notifications) {
        const watermark: string | null = n.previousWatermark;
        out.push(n.subscriptionId, watermark ?? "");
        n.events.forEach((e: Event) => {
          const kind: string = e.kind === "unknown" ? e.name ?? "unknown" : e.kind;
          out.push(kind, e.itemId?.id ?? e.folderId?.id ?? "", e.oldItemId?.changeKey ?? "");
        });
      }
    }
  }
  out.push(JSON.stringify(parseNotification("<x/>")));

  try {
    parseNotification("<s:Envelope");
  } catch (e) {
    const err = e as EwsNotifyError;
    out.push(err.code, String(err.offset ?? -1), err.message);
  }

  const splitter = new StreamSplitter({ maxStreamBytes: 1 << 30 });
  for (const part of splitter.push(bytes)) out.push(String(part.length));
  splitter.finish();
  out.push(String(splitter.bytesSeen + splitter.buffered), String(splitEnvelopes(bytes).length));

  const goid = GlobalObjectId.decode("BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=");
  const summary: GoidSummary = goid.toJSON();
  const warnings: GoidWarning[] = goid.warnings;
  const date: string | null = goid.instanceDate;
  const ticks: bigint = goid.creationFiletime;
  const bytesOut: Uint8Array = goid.bytes;
  out.push(summary.icalUid, String(warnings.length), date ?? "", ticks.toString(), String(bytesOut.length));
  out.push(goid.clean().hex, goid.base64, goid.icalUid, goid.restrictionValue, String(goid.isException));
  out.push(String(goid.sameMeeting(GlobalObjectId.fromIcalUid(goid.icalUid, "2024-01-31"))));
  out.push(GlobalObjectId.fromHex(goid.hex).withInstanceDate(null).toString());
  out.push(String(GlobalObjectId.fromBytes(bytesOut).equals(GlobalObjectId.fromBase64(goid.base64))));
  out.push(String(goid.vcalUid ?? ""), goid.creationTime ?? "", String(goid.dataSize), String(goid.data.length));
  out.push(String(goid.reserved.length));

  const repair: Repair = repairPasted("<a\u00a0b='1'/>");
  repair.changes.forEach((c: RepairChange) => out.push(`${c.codePoint} ${c.place} ${c.offset} ${c.count}`));

  const requests: string[] = [
    pullSubscribeRequest({ eventTypes: ["created"], timeoutMinutes: 30, folders: ["calendar"], watermark: "w" }),
    pushSubscribeRequest("https://x.example/", { eventTypes: ["newMail"], folders: ["inbox"], statusFrequencyMinutes: 5 }),
    streamingSubscribeRequest({ eventTypes: ["modified"], allFolders: true, version: "Exchange2016" }),
    getEventsRequest("s", "w"),
    getStreamingEventsRequest(["s"], 10, { impersonate: "a@example.com" }),
    unsubscribeRequest("s"),
    sendNotificationResult("Unsubscribe"),
    sendNotificationResult(),
    getItemRequest(["id", { id: "id2", changeKey: null }]),
    findItemByCleanGoidRequest(goid.restrictionValue, { folders: ["calendar"], mailbox: "room@example.com" }),
  ];
  return out.concat(requests);
}
