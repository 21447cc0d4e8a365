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

// The canonical JSON shape, generated from docs/canonical.schema.json. Every key is always
// present unless marked optional; absent values are `null`, never `undefined`.
// Generated from core's types by `BLESS=1 cargo test -p ews-notify-tests --test generated`: do not edit by hand.
/** One parsed SOAP envelope; `kind` tells which message the SOAP body holds. */
export type Envelope = NotificationEnvelope | GetItemEnvelope | FindItemEnvelope | SyncFolderItemsEnvelope | FaultEnvelope

/**
 * One item of a response: a `CalendarItem`, or another item kind read the same way (a
 * `MeetingRequest` carries the same calendar fields). Fields the item does not carry are
 * `null`.
 *
 * Texts borrow from the input unless escaped; times are verbatim `xs:dateTime` text. The two
 * GlobalObjectIds are decoded (base64 decoding allocates, so they own their bytes).
 */
export interface CalendarItem {
  /** The element's local name: `CalendarItem`, `MeetingRequest`, `Message`, ... */
  element: string
  /** `ItemId`. */
  itemId: ObjectId | null
  /** `ParentFolderId`. */
  parentFolderId: ObjectId | null
  /** `ItemClass`, e.g. `IPM.Appointment`. */
  itemClass: string | null
  /** `Subject`. */
  subject: string | null
  /** `Start`, verbatim. */
  start: string | null
  /** `End`, verbatim. */
  end: string | null
  /**
   * `IsRecurring`: true for occurrences and exceptions of a series (and, on some servers,
   * for the master).
   */
  isRecurring: boolean | null
  /** `CalendarItemType`. */
  calendarItemType: CalendarItemType | null
  /** `RecurrenceId`: the original start of an occurrence or exception, verbatim. */
  recurrenceId: string | null
  /** `OriginalStart`, verbatim. */
  originalStart: string | null
  /** `LastModifiedTime`, verbatim. */
  lastModifiedTime: string | null
  /** `Organizer/Mailbox`. */
  organizer: Mailbox | null
  /** `UID`: the iCalendar UID of the meeting. */
  uid: string | null
  /**
   * PidLidGlobalObjectId (`Meeting` property 0x3), decoded; serialized as the GOID summary.
   * A value that does not decode stays in `CalendarItem::extended_properties` instead.
   */
  globalObjectId: GoidSummary | null
  /** PidLidCleanGlobalObjectId (`Meeting` property 0x23), decoded, as above. */
  cleanGlobalObjectId: GoidSummary | null
  /** Every other `ExtendedProperty`, in document order. */
  extendedProperties: Array<ExtendedProperty>
  /**
   * Child elements this crate does not read, by local name (`{namespace}local` outside
   * the EWS namespaces), in document order. Serialized only when not empty.
   */
  unknownElements?: Array<string>
}

/** `CalendarItemType`: the item's role in a series, or any other value verbatim. */
export type CalendarItemType = 'Single' | 'Occurrence' | 'Exception' | 'RecurringMaster' | (string & {})

/** The item-level event a meeting event comes from. */
export interface Cause {
  /**
   * The event's kind, as in the canonical event JSON: `created`, `modified`, `deleted`,
   * `moved`, `copied`.
   */
  eventKind: string
  /** The event's `Watermark` (catch-up changes have none). */
  watermark: string | null
  /** The event's `TimeStamp`, verbatim (catch-up changes have none). */
  timestamp: string | null
  /** Notification or catch-up. */
  origin: Origin
}

/** What happened to the meeting. */
export type Change = 'created' | 'updated' | 'cancelled' | 'deleted' | 'removedFromCalendar' | 'moved' | 'occurrenceChanged' | 'occurrenceDeleted' | 'seriesSplit' | 'unresolved'

/** `ConnectionStatus` of a GetStreamingEvents message: `OK`, `Closed`, or any other value verbatim. */
export type ConnectionStatus = 'OK' | 'Closed' | (string & {})

/** One event. Fields its kind does not carry are `null`. */
export interface Event {
  /** What happened. */
  kind: EventKind
  /** The element's local name, only on `unknown` events. */
  name?: string
  /** `Watermark`: the position after this event. */
  watermark: string | null
  /** `TimeStamp`, verbatim (`2013-06-14T05:49:19Z`). */
  timestamp: string | null
  /** `ItemId`, for item events. */
  itemId: ObjectId | null
  /** `FolderId`, for folder events. */
  folderId: ObjectId | null
  /** `ParentFolderId`. */
  parentFolderId: ObjectId | null
  /** `OldItemId` (moved and copied items). */
  oldItemId: ObjectId | null
  /** `OldFolderId` (moved and copied folders). */
  oldFolderId: ObjectId | null
  /** `OldParentFolderId` (moved and copied). */
  oldParentFolderId: ObjectId | null
  /** `UnreadCount` (modified folder events, Exchange 2010 and later). */
  unreadCount: number | null
  /**
   * Child elements that are not read, by local name, in document order; present only when
   * not empty.
   */
  unknownElements?: Array<string>
}

/** What an event says happened; `unknown` keeps an unrecognised element (its local name is the event's `name`). */
export type EventKind = 'status' | 'newMail' | 'created' | 'deleted' | 'modified' | 'moved' | 'copied' | 'freeBusyChanged' | 'unknown'

/** One delivered event as a JSON line. Borrows everything from the `Delivered`. */
export interface EventLine {
  /** The mailbox the event belongs to (its SMTP address, as it was watched). */
  mailbox: string
  /** The event, in the canonical JSON. */
  event: Event
  /** How the event reached the stream. */
  origin: LineOrigin
  /** Where the stream stands after this event: persist it to resume from here. */
  position: LinePosition
}

/**
 * `ExtendedFieldURI`: which MAPI property an `ExtendedProperty` holds, attributes verbatim.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri>.
 */
export interface ExtendedFieldUri {
  /** `DistinguishedPropertySetId`, e.g. `Meeting`. */
  distinguishedPropertySetId: string | null
  /** `PropertySetId`: a property set GUID. */
  propertySetId: string | null
  /** `PropertyTag`, e.g. `0x0E08`. */
  propertyTag: string | null
  /** `PropertyName`: a named property's name. */
  propertyName: string | null
  /** `PropertyId`: a named property's numeric id, as written (decimal). */
  propertyId: string | null
  /** `PropertyType`, e.g. `Binary`, `String`. */
  propertyType: string | null
}

/**
 * An `ExtendedProperty`: a MAPI property by its URI, with its value as text.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedproperty>.
 */
export interface ExtendedProperty {
  /** `ExtendedFieldURI`. */
  fieldUri: ExtendedFieldUri
  /** `Value`, verbatim (base64 for binary properties). `null` for array properties. */
  value: string | null
  /** `Values/Value`, for array properties. Empty otherwise. */
  values: Array<string>
}

/** A SOAP fault: an answer from the server (for example `ErrorServerBusy`), not a parse error. */
export interface FaultEnvelope {
  /** `fault`. */
  kind: 'fault'
  /** SOAP 1.1 or 1.2. */
  soapVersion: SoapVersion
  /** `ServerVersionInfo`, when present. */
  serverVersion: ServerVersion | null
  /** `faultcode` (1.1) or `Code/Value` (1.2), verbatim, e.g. `a:ErrorServerBusy`. */
  faultCode: string | null
  /** `faultstring` (1.1) or `Reason/Text` (1.2). */
  faultString: string | null
  /** `detail/ResponseCode`, trimmed. */
  responseCode: ResponseCode | null
  /** `detail/Message`. */
  messageText: string | null
  /** `BackOffMilliseconds` from `detail/MessageXml`, when present and valid. */
  backOffMilliseconds: number | null
  /** `detail/MessageXml` name/value pairs. */
  messageXml: MessageXml | null
  /**
   * `detail` children that are not read, by local name, in document order; present only
   * when not empty.
   */
  unknownElements?: Array<string>
}

/** A `FindItemResponse`: calendar items found in a folder. */
export interface FindItemEnvelope {
  /** `findItemResponse`. */
  kind: 'findItemResponse'
  /** SOAP 1.1 or 1.2. */
  soapVersion: SoapVersion
  /** `ServerVersionInfo`, when present. */
  serverVersion: ServerVersion | null
  /** The response messages, in document order. */
  responseMessages: Array<FindItemResponseMessage>
}

/**
 * A `FindItemResponseMessage`: status, paging of the `RootFolder`, and its items.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditemresponsemessage>.
 */
export interface FindItemResponseMessage {
  /** `ResponseClass` attribute. */
  responseClass: ResponseClass
  /** `ResponseCode`, trimmed. `null` when the element is absent. */
  responseCode: ResponseCode | null
  /** `MessageText`, verbatim. */
  messageText: string | null
  /** `DescriptiveLinkKey`, verbatim. */
  descriptiveLinkKey: string | null
  /**
   * `MessageXml`: its `Value Name="..."` children (and the text of any other child element,
   * keyed by its local name), in document order. `null` when absent.
   */
  messageXml: MessageXml | null
  /** `BackOffMilliseconds` from `MessageXml`, as a number, when present and valid. */
  backOffMilliseconds: number | null
  /** `RootFolder/@TotalItemsInView`. */
  totalItemsInView: number | null
  /** `RootFolder/@IncludesLastItemInRange`: false when more pages follow. */
  includesLastItemInRange: boolean | null
  /** `RootFolder/@IndexedPagingOffset`: where the next page starts. */
  indexedPagingOffset: number | null
  /** `RootFolder/Items`, in document order. */
  items: Array<CalendarItem>
  /**
   * Child elements this crate does not read (for example grouped results). Serialized only
   * when not empty.
   */
  unknownElements?: Array<string>
}

/** A `GetItemResponse`: calendar items by id. */
export interface GetItemEnvelope {
  /** `getItemResponse`. */
  kind: 'getItemResponse'
  /** SOAP 1.1 or 1.2. */
  soapVersion: SoapVersion
  /** `ServerVersionInfo`, when present. */
  serverVersion: ServerVersion | null
  /** The response messages, in document order. */
  responseMessages: Array<GetItemResponseMessage>
}

/**
 * A `GetItemResponseMessage`: the status fields every response message has, and its items.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitemresponsemessage>.
 */
export interface GetItemResponseMessage {
  /** `ResponseClass` attribute. */
  responseClass: ResponseClass
  /** `ResponseCode`, trimmed. `null` when the element is absent. */
  responseCode: ResponseCode | null
  /** `MessageText`, verbatim. */
  messageText: string | null
  /** `DescriptiveLinkKey`, verbatim. */
  descriptiveLinkKey: string | null
  /**
   * `MessageXml`: its `Value Name="..."` children (and the text of any other child element,
   * keyed by its local name), in document order. `null` when absent.
   */
  messageXml: MessageXml | null
  /** `BackOffMilliseconds` from `MessageXml`, as a number, when present and valid. */
  backOffMilliseconds: number | null
  /** `Items`, in document order. */
  items: Array<CalendarItem>
  /** Child elements this crate does not read. Serialized only when not empty. */
  unknownElements?: Array<string>
}

/**
 * Every decoded field of a GlobalObjectId, as plain values.
 *
 * `serde_json::to_string(&summary)` is the canonical GOID JSON:
 * `{"hex","base64","instanceDate","creationTime","dataSize","dataHex","vcalUid","isException",
 * "cleanHex","cleanBase64","icalUid","warnings"}`. Hex is uppercase; `creationTime` is RFC 3339
 * UTC with seven fractional digits (one per 100 ns FILETIME tick).
 */
export interface GoidSummary {
  /** Uppercase hex of every byte. */
  hex: string
  /** Standard padded base64 of every byte (the form EWS returns). */
  base64: string
  /** `YYYY-MM-DD` of the exception's original instance, `null` for a series or single meeting. */
  instanceDate: string | null
  /** Creation time, `null` when the field is zero or out of range. */
  creationTime: string | null
  /** The Size field. */
  dataSize: number
  /** Uppercase hex of the data the Size field counts. */
  dataHex: string
  /** The embedded third-party UID, when the data is in `vCal-Uid` form and UTF-8. */
  vcalUid: string | null
  /** Whether the instance date is set. */
  isException: boolean
  /** Uppercase hex of the clean form (instance date zeroed). */
  cleanHex: string
  /**
   * Base64 of the clean form: the PidLidCleanGlobalObjectId value, and the value a FindItem
   * restriction on it compares with.
   */
  cleanBase64: string
  /** The iCalendar UID. */
  icalUid: string
  /** Readable-but-odd findings, in byte order. */
  warnings: Array<GoidWarning>
}

/** A `GoidWarning` as it appears in the canonical JSON. */
export interface GoidWarning {
  /** `GoidWarning::code`. */
  code: string
  /** `GoidWarning::offset`. */
  offset: number
  /** The `Display` text. */
  message: string
}

/** `CalendarItemType`, in the JSON's camelCase. */
export type ItemType = 'single' | 'occurrence' | 'exception' | 'recurringMaster' | string

/** How an event reached the stream (the JSON form of `Origin`). */
export type LineOrigin = 'notification' | 'catchUp'

/** Where a stream stands (the JSON form of `Position`). */
export interface LinePosition {
  /** The last watermark: events after it are still to come. */
  watermark: string | null
  /** The SyncFolderItems state of the last catch-up. */
  syncState: string | null
  /**
   * What a resumption starts from: the watermark, or (on a server that gives no
   * watermarks, such as gromox) a SyncFolderItems catch-up from the sync state; null before
   * either is known.
   */
  resumeFrom: ResumeFrom | null
}

/**
 * A `Mailbox` (the organizer's).
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/mailbox>.
 */
export interface Mailbox {
  /** `Name`: the display name. */
  name: string | null
  /** `EmailAddress`: for `SMTP` routing, the SMTP address. */
  emailAddress: string | null
  /** `RoutingType`, e.g. `SMTP` or `EX`. */
  routingType: string | null
  /** `MailboxType`, e.g. `Mailbox`, `OneOff`. */
  mailboxType: string | null
}

/**
 * One change to a meeting, in one mailbox.
 *
 * Serialized as
 * `{"kind":"meeting","eventId","change","mailbox","meeting","instanceDate","itemType","itemId",
 * "previousItemId","globalObjectId","subject","organizer","start","end","lastModifiedTime",
 * "split","reason","cause"}`.
 */
export interface MeetingEvent {
  /** Always `MeetingKind::Meeting`. */
  kind: MeetingKind
  /**
   * Deterministic id: the same source change always gives the same id, so a consumer can
   * drop repeats (the rules are in `docs/meetings.md`). 32 lowercase hex digits.
   */
  eventId: string
  /** What happened. */
  change: Change
  /** The mailbox the item is in. */
  mailbox: string
  /**
   * The meeting; `null` only for `Change::Unresolved` and for a calendar item that carries
   * neither GlobalObjectId nor `UID`.
   */
  meeting: MeetingKey | null
  /**
   * The instance concerned (`YYYY-MM-DD`, its original date); `null` for a whole series or a
   * single meeting.
   */
  instanceDate: string | null
  /** The item's `CalendarItemType`. */
  itemType: ItemType | null
  /** The item's `ItemId` (the new one after a move). */
  itemId: string
  /** The `ItemId` before a move (`moved`, `removedFromCalendar`, or `created` by a move). */
  previousItemId: string | null
  /**
   * PidLidGlobalObjectId, base64 ([MS-OXOCAL] 2.2.1.27): differs from the clean id for an
   * exception or an orphan instance.
   */
  globalObjectId: string | null
  /** `Subject`. */
  subject: string | null
  /** `Organizer`. */
  organizer: Organizer | null
  /** `Start`, verbatim (of the occurrence, for occurrence changes when known). */
  start: string | null
  /** `End`, verbatim. */
  end: string | null
  /** `LastModifiedTime`, verbatim. */
  lastModifiedTime: string | null
  /** Both meetings of a `Change::SeriesSplit`; `null` otherwise. */
  split: Split | null
  /** Why facts are missing or come from the map only; `null` when the item was read. */
  reason: Reason | null
  /** The source event. */
  cause: Cause
}

/**
 * The key that joins every copy of one meeting, in every mailbox: the organizer's item, the
 * attendees' items, the series, its exceptions and orphan instances.
 */
export interface MeetingKey {
  /**
   * PidLidCleanGlobalObjectId, base64 ([MS-OXOCAL] 2.2.1.28): the GlobalObjectId with its
   * instance date zeroed.
   */
  cleanGlobalObjectId: string
  /**
   * The iCalendar UID ([MS-OXCICAL] 2.1.3.1.1.20.26): the item's `UID`, or the uppercase hex
   * of the clean GlobalObjectId when the item has none.
   */
  icalUid: string
}

/**
 * The value of a meeting event's `kind` key: always `"meeting"`, so a consumer reading mixed
 * lines (item events and meeting events) can tell them apart.
 */
export type MeetingKind = 'meeting'

/** `MessageXml` name/value pairs, keys in document order (the last value wins when a name repeats). */
export type MessageXml = Record<string, string>

/** One `Notification`: the events of one subscription since `previous_watermark`. */
export interface Notification {
  /** `SubscriptionId`. Borrowed unless escaped. */
  subscriptionId: string
  /** `PreviousWatermark`; absent in streaming notifications. */
  previousWatermark: string | null
  /** `MoreEvents`; `null` when absent (streaming notifications omit it). */
  moreEvents: boolean | null
  /** The events, in document order. */
  events: Array<Event>
}

/** A push `SendNotification`, or a pull, streaming, subscribe or unsubscribe response. */
export interface NotificationEnvelope {
  /** Which message the SOAP body holds. */
  kind: 'sendNotification' | 'getEventsResponse' | 'getStreamingEventsResponse' | 'subscribeResponse' | 'unsubscribeResponse'
  /** SOAP 1.1 or 1.2, from the envelope's namespace URI. */
  soapVersion: SoapVersion
  /** `ServerVersionInfo` (responses) or `RequestServerVersion` (push), when present. */
  serverVersion: ServerVersion | null
  /** The response messages, in document order. */
  responseMessages: Array<ResponseMessage>
}

/** An item or folder id with its change key (`ItemId`, `FolderId`, `ParentFolderId`, ...). */
export interface ObjectId {
  /** `Id` attribute. Borrowed unless escaped. */
  id: string
  /** `ChangeKey` attribute, when present. */
  changeKey: string | null
}

/** The organizer, as `CalendarItem/Organizer/Mailbox` gives it. */
export interface Organizer {
  /** `Name`. */
  name: string | null
  /** `EmailAddress` (SMTP for `SMTP` routing, a legacy DN for `EX`). */
  emailAddress: string | null
}

/** Whether the source event came from the server's notifications or from a catch-up. */
export type Origin = 'notification' | 'catchUp'

/** Why a meeting event's facts are incomplete or come from the map only. */
export type Reason = 'itemNotFound' | 'notTracked' | 'noAnswer'

/** `ResponseClass` of a response message. */
export type ResponseClass = 'Success' | 'Warning' | 'Error'

/** An EWS `ResponseCode`: one of the named codes a notification client acts on, or any other code verbatim. */
export type ResponseCode = 'NoError' | 'ErrorServerBusy' | 'ErrorSubscriptionNotFound' | 'ErrorInvalidSubscription' | 'ErrorExpiredSubscription' | 'ErrorReadEventsFailed' | 'ErrorEventNotFound' | 'ErrorInvalidWatermark' | 'ErrorInvalidPullSubscriptionId' | 'ErrorInvalidPushSubscriptionUrl' | 'ErrorMissedNotificationEvents' | 'ErrorSubscriptionUnsubscribed' | 'ErrorSubscriptionAccessDenied' | 'ErrorNewEventStreamConnectionOpened' | 'ErrorExceededConnectionCount' | 'ErrorMailboxMoveInProgress' | 'ErrorMailboxStoreUnavailable' | 'ErrorInternalServerTransientError' | 'ErrorInternalServerError' | 'ErrorItemNotFound' | 'ErrorAccessDenied' | 'ErrorSchemaValidation' | 'ErrorInvalidRequest' | 'ErrorInvalidSyncStateData' | 'ErrorTimeoutExpired' | 'ErrorExceededSubscriptionCount' | 'ErrorFolderNotFound' | 'ErrorNonExistentMailbox' | (string & {})

/**
 * One `*ResponseMessage` element: its status and, for notification kinds, what it carries.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsemessages>.
 */
export interface ResponseMessage {
  /** `ResponseClass` attribute. */
  responseClass: ResponseClass
  /** `ResponseCode`, trimmed. `null` when the element is absent. */
  responseCode: ResponseCode | null
  /** `MessageText`, verbatim. */
  messageText: string | null
  /** `DescriptiveLinkKey`, verbatim. */
  descriptiveLinkKey: string | null
  /**
   * `MessageXml`: its `Value Name="..."` children (and the text of any other child element,
   * keyed by its local name), in document order. `null` when absent.
   */
  messageXml: MessageXml | null
  /** `BackOffMilliseconds` from `MessageXml`, as a number, when present and valid. */
  backOffMilliseconds: number | null
  /** `SubscriptionId` of a SubscribeResponse message. */
  subscriptionId: string | null
  /** `Watermark` of a SubscribeResponse message (pull and push subscriptions). */
  watermark: string | null
  /** `ConnectionStatus` of a GetStreamingEvents response message. */
  connectionStatus: ConnectionStatus | null
  /**
   * `ErrorSubscriptionIds` of a GetStreamingEvents response message (the `m:` and `t:`
   * spellings are both read). Empty when absent.
   */
  errorSubscriptionIds: Array<string>
  /** The `Notification`s carried (one for push and pull, any number for streaming). */
  notifications: Array<Notification>
  /**
   * The local name the message element had when it was not the one its kind expects
   * (gromox names each `GetEventsResponseMessage` `m:x`): the message was then read by its
   * position and content. `null` for a well-named message; serialized as `"elementName"`
   * only when set.
   */
  elementName?: string | null
  /**
   * Child elements this crate does not read, by local name (`{namespace}local` when the
   * element is outside the EWS namespaces), in document order. Serialized as
   * `"unknownElements"` only when not empty, so they are never dropped quietly.
   */
  unknownElements?: Array<string>
}

/** What a resumption from a `LinePosition` starts from. */
export type ResumeFrom = 'watermark' | 'syncState'

/**
 * Version information from the SOAP header.
 *
 * Responses carry `ServerVersionInfo` with all five values; a push `SendNotification` carries
 * `RequestServerVersion` with only `version`.
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/serverversioninfo>.
 */
export interface ServerVersion {
  /** `MajorVersion`, e.g. 15. */
  majorVersion: number | null
  /** `MinorVersion`. */
  minorVersion: number | null
  /** `MajorBuildNumber`. */
  majorBuildNumber: number | null
  /** `MinorBuildNumber`. */
  minorBuildNumber: number | null
  /** `Version`, e.g. `V2_23` or `Exchange2013`. Borrowed unless escaped. */
  version: string | null
}

/** The SOAP version of an envelope, told by its namespace URI. */
export type SoapVersion = '1.1' | '1.2'

/** The two parts of a split series (`Change::SeriesSplit`). */
export interface Split {
  /** The meeting the series was before the split: the past part keeps it. */
  previousMeeting: MeetingKey
  /**
   * The item holding the past part (a new item carrying the old GlobalObjectId), when it has
   * been seen; `null` until then.
   */
  pastItemId: string | null
  /** The item holding the ongoing part: the series' item, now with a new GlobalObjectId. */
  ongoingItemId: string
  /** The first day of the ongoing part (`YYYY-MM-DD`, the date of its `Start`). */
  splitDate: string | null
}

/**
 * One change in a `SyncFolderItems` response. Fields a kind does not carry are `null`.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/changes-items>.
 */
export interface SyncChange {
  /** What happened. */
  kind: SyncChangeKind
  /** The item (`Create`, `Update`). */
  item: CalendarItem | null
  /** `ItemId` (`Delete`, `ReadFlagChange`). */
  itemId: ObjectId | null
  /** `IsRead` (`ReadFlagChange`). */
  isRead: boolean | null
}

/** What a `SyncChange` says happened. */
export type SyncChangeKind = 'create' | 'update' | 'delete' | 'readFlagChange'

/** A `SyncFolderItemsResponse`: the changes to a folder since a sync state. */
export interface SyncFolderItemsEnvelope {
  /** `syncFolderItemsResponse`. */
  kind: 'syncFolderItemsResponse'
  /** SOAP 1.1 or 1.2. */
  soapVersion: SoapVersion
  /** `ServerVersionInfo`, when present. */
  serverVersion: ServerVersion | null
  /** The response messages, in document order. */
  responseMessages: Array<SyncFolderItemsResponseMessage>
}

/**
 * A `SyncFolderItemsResponseMessage`: status, the new `SyncState`, and the changes.
 *
 * See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitemsresponsemessage>.
 */
export interface SyncFolderItemsResponseMessage {
  /** `ResponseClass` attribute. */
  responseClass: ResponseClass
  /** `ResponseCode`, trimmed. `null` when the element is absent. */
  responseCode: ResponseCode | null
  /** `MessageText`, verbatim. */
  messageText: string | null
  /** `DescriptiveLinkKey`, verbatim. */
  descriptiveLinkKey: string | null
  /**
   * `MessageXml`: its `Value Name="..."` children (and the text of any other child element,
   * keyed by its local name), in document order. `null` when absent.
   */
  messageXml: MessageXml | null
  /** `BackOffMilliseconds` from `MessageXml`, as a number, when present and valid. */
  backOffMilliseconds: number | null
  /** `SyncState`: send it with the next `SyncFolderItems` request. */
  syncState: string | null
  /** `IncludesLastItemInRange`: false when more changes wait. */
  includesLastItemInRange: boolean | null
  /** `Changes`, in document order. */
  changes: Array<SyncChange>
  /** Child elements this crate does not read. Serialized only when not empty. */
  unknownElements?: Array<string>
}
// End of the generated types.

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
