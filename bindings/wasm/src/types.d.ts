/** Caps for one parse; an omitted field keeps the default. */
export interface ParseOptions {
  /** Largest input accepted, in bytes (default 16 MiB). */
  maxBytes?: number;
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
  /** Most events accepted in one envelope (default 100,000). */
  maxEvents?: number;
}

/** Caps for one streaming connection; an omitted field keeps the default. */
export interface StreamSplitterOptions {
  /** Largest single envelope accepted, in bytes (default 16 MiB). */
  maxBytes?: number;
  /** Most bytes the connection may deliver (default 256 MiB). */
  maxStreamBytes?: number;
}

/**
 * Thrown for input that cannot be read: an `Error` with the stable snake_case `code` (the same
 * string in every binding) and the byte `offset` into the input (for a string: into its UTF-8
 * encoding), or `null`.
 */
export interface EwsNotifyError extends Error {
  code: string;
  offset: number | null;
}

/** One parsed SOAP envelope: the canonical JSON shape. */
export type Envelope = ResponseEnvelope | FaultEnvelope;

export type SoapVersion = "1.1" | "1.2";

export interface EnvelopeCommon {
  soapVersion: SoapVersion;
  /** `ServerVersionInfo` (responses) or `RequestServerVersion` (push), when present. */
  serverVersion: ServerVersion | null;
}

export interface ResponseEnvelope extends EnvelopeCommon {
  kind:
    | "sendNotification"
    | "getEventsResponse"
    | "getStreamingEventsResponse"
    | "subscribeResponse"
    | "unsubscribeResponse";
  responseMessages: ResponseMessage[];
}

/** A SOAP fault: an answer from the server (for example throttling), not a parse error. */
export interface FaultEnvelope extends EnvelopeCommon {
  kind: "fault";
  faultCode: string | null;
  faultString: string | null;
  responseCode: string | null;
  messageText: string | null;
  backOffMilliseconds: number | null;
  messageXml: MessageXml | null;
}

export interface ServerVersion {
  majorVersion: number | null;
  minorVersion: number | null;
  majorBuildNumber: number | null;
  minorBuildNumber: number | null;
  version: string | null;
}

/** `MessageXml` name/value pairs (the last value wins when a name repeats). */
export type MessageXml = Record<string, string | null>;

export type ResponseClass = "Success" | "Warning" | "Error";

export interface ResponseMessage {
  responseClass: ResponseClass;
  /** `ResponseCode` as EWS spells it, e.g. `NoError`, `ErrorServerBusy`. */
  responseCode: string | null;
  messageText: string | null;
  descriptiveLinkKey: string | null;
  messageXml: MessageXml | null;
  backOffMilliseconds: number | null;
  /** SubscribeResponse only. */
  subscriptionId: string | null;
  /** SubscribeResponse only. */
  watermark: string | null;
  /** GetStreamingEvents only: `OK`, `Closed`, or another value verbatim. */
  connectionStatus: "OK" | "Closed" | (string & {}) | null;
  errorSubscriptionIds: string[];
  notifications: Notification[];
}

export interface Notification {
  subscriptionId: string;
  /** Absent in streaming notifications. */
  previousWatermark: string | null;
  /** Absent in streaming notifications. */
  moreEvents: boolean | null;
  events: Event[];
}

export type EventKind =
  | "status"
  | "newMail"
  | "created"
  | "deleted"
  | "modified"
  | "moved"
  | "copied"
  | "freeBusyChanged"
  | "unknown";

export interface ObjectId {
  id: string;
  changeKey: string | null;
}

/** One event; fields its kind does not carry are `null`. */
export interface Event {
  /** An element that is not a known event is kept: its kind is `"unknown"` and `name` holds
   * its local name. */
  kind: EventKind;
  /** Present only for an unknown event. */
  name?: string;
  watermark: string | null;
  timestamp: string | null;
  itemId: ObjectId | null;
  folderId: ObjectId | null;
  parentFolderId: ObjectId | null;
  oldItemId: ObjectId | null;
  oldFolderId: ObjectId | null;
  oldParentFolderId: ObjectId | null;
  unreadCount: number | null;
  /** Child elements not read, by local name; present only when not empty. */
  unknownElements?: string[];
}

/** Every field of a GlobalObjectId: the canonical GOID JSON shape. */
export interface GoidSummary {
  /** Uppercase hex of every byte. */
  hex: string;
  /** Standard padded base64 of every byte (the form EWS returns). */
  base64: string;
  /** `YYYY-MM-DD` of the exception's original instance; `null` for a series or single meeting. */
  instanceDate: string | null;
  /** RFC 3339 UTC with seven fractional digits; `null` when zero or out of range. */
  creationTime: string | null;
  dataSize: number;
  dataHex: string;
  /** The third-party UID inside a `vCal-Uid` id. */
  vcalUid: string | null;
  isException: boolean;
  cleanHex: string;
  cleanBase64: string;
  icalUid: string;
  warnings: GoidWarning[];
}

/** Something odd about a GlobalObjectId that is still readable. */
export interface GoidWarning {
  code: string;
  /** Byte offset into the id. */
  offset: number;
  message: string;
}

/** The result of `repairPasted`: the repaired text and every change made. */
export interface Repair {
  text: string;
  changes: RepairChange[];
}

/** A run of `count` identical characters at one place, each replaced by `replacement`. */
export interface RepairChange {
  /** UTF-8 byte offset of the run in the input. */
  offset: number;
  /** Length of the run in the input, in UTF-8 bytes. */
  length: number;
  /** UTF-8 byte offset of the replacement in the repaired text. */
  repairedOffset: number;
  found: string;
  count: number;
  /** `U+00A0` */
  codePoint: string;
  /** `no-break space` */
  name: string;
  /** `" "`, or `""` when removed. */
  replacement: string;
  place: "insideTag" | "betweenTags" | "beforeDeclaration";
}

/** `RequestServerVersion` and `ExchangeImpersonation` of a request. */
export interface RequestOptions {
  /** `RequestServerVersion`, e.g. `"Exchange2013_SP1"` (the default) or `"Exchange2016"`. */
  version?: string;
  /** SMTP address to act as (`ExchangeImpersonation`). */
  impersonate?: string;
}

/** Options of a FindItem request on calendar folders. */
export interface FolderRequestOptions extends RequestOptions {
  /** Distinguished folder names (`"calendar"`, ...); the default calendar when empty. */
  folders?: string[];
  /** SMTP address of the mailbox that holds `folders` (delegate access). */
  mailbox?: string;
}

export interface CalendarViewOptions extends FolderRequestOptions {
  maxEntries?: number;
}

/** What a Subscribe request watches. */
export interface SubscribeOptions extends RequestOptions {
  /** `"created"`, `"CreatedEvent"`, `"newMail"`, `"modified"`, ... */
  eventTypes: string[];
  /** Distinguished folder names (`"calendar"`, `"inbox"`, ...). */
  folders?: string[];
  /** Folders by EWS id. */
  folderIds?: string[];
  /** SMTP address of the mailbox that holds `folders`. */
  mailbox?: string;
  /** Watch every folder of the mailbox instead of a list. */
  allFolders?: boolean;
}

export interface PullSubscribeOptions extends SubscribeOptions {
  /** Minutes the server keeps the subscription without a poll (1-1440). */
  timeoutMinutes: number;
  /** Resume from this watermark. */
  watermark?: string;
}

export interface PushSubscribeOptions extends SubscribeOptions {
  /** Minutes between status heartbeats (1-1440). */
  statusFrequencyMinutes: number;
  /** Resume from this watermark. */
  watermark?: string;
}

/** Exactly one of `folder` and `folderId`. */
export interface SyncFolderItemsOptions extends RequestOptions {
  folder?: string;
  folderId?: string;
  mailbox?: string;
  syncState?: string;
  includeAssociatedItems?: boolean;
}

export interface HttpHeadersOptions {
  /** `X-AnchorMailbox`: the mailbox the request is about (routes it to its server). */
  anchorMailbox?: string;
  /** `X-PreferServerAffinity: true` (streaming and notifications across servers). */
  preferServerAffinity?: boolean;
  /** `X-BackEndOverrideCookie` from an earlier response. */
  backendOverrideCookie?: string;
}
