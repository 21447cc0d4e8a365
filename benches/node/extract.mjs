// What a JS user of fast-xml-parser writes to get ews-notify's canonical shape out of an EWS
// notification envelope: the parser's options and the extraction over its `preserveOrder` tree.
// Shared by the Node comparison (compare.mjs) and the browser page (../wasm/bench.mjs), so both
// time the same code. No Node or browser API is used here.

/** fast-xml-parser options the extraction expects. */
export const FXP_OPTIONS = {
  preserveOrder: true, // events of different kinds interleave: document order matters
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
}

const local = (name) => name.slice(name.indexOf(':') + 1)
const nameOf = (node) => {
  for (const key in node) if (key !== ':@') return key
}
const attrs = (node) => node[':@'] ?? {}
const elements = (node) => node[nameOf(node)].filter((c) => !('#text' in c))
const text = (node) => node[nameOf(node)].map((c) => c['#text'] ?? '').join('')
const child = (node, name) => elements(node).find((c) => local(nameOf(c)) === name)
const childText = (node, name) => {
  const c = child(node, name)
  return c === undefined ? null : text(c)
}

const SOAP = {
  'http://schemas.xmlsoap.org/soap/envelope/': '1.1',
  'http://www.w3.org/2003/05/soap-envelope': '1.2',
}
const KINDS = {
  SendNotification: 'sendNotification',
  GetEventsResponse: 'getEventsResponse',
  GetStreamingEventsResponse: 'getStreamingEventsResponse',
  SubscribeResponse: 'subscribeResponse',
  UnsubscribeResponse: 'unsubscribeResponse',
}
const EVENTS = {
  StatusEvent: 'status',
  NewMailEvent: 'newMail',
  CreatedEvent: 'created',
  DeletedEvent: 'deleted',
  ModifiedEvent: 'modified',
  MovedEvent: 'moved',
  CopiedEvent: 'copied',
  FreeBusyChangedEvent: 'freeBusyChanged',
}
const ID_FIELDS = [
  ['ItemId', 'itemId'],
  ['FolderId', 'folderId'],
  ['ParentFolderId', 'parentFolderId'],
  ['OldItemId', 'oldItemId'],
  ['OldFolderId', 'oldFolderId'],
  ['OldParentFolderId', 'oldParentFolderId'],
]
const num = (value) => (value === undefined || value === null ? null : Number(value))

function objectId(node) {
  if (node === undefined) return null
  const a = attrs(node)
  return { id: a.Id, changeKey: a.ChangeKey ?? null }
}

function event(node) {
  const out = { kind: EVENTS[local(nameOf(node))] ?? 'unknown' }
  out.watermark = childText(node, 'Watermark')
  out.timestamp = childText(node, 'TimeStamp')
  for (const [element, key] of ID_FIELDS) out[key] = objectId(child(node, element))
  const unread = childText(node, 'UnreadCount')
  out.unreadCount = unread === null ? null : Number(unread)
  return out
}

function notification(node) {
  const more = childText(node, 'MoreEvents')
  return {
    subscriptionId: childText(node, 'SubscriptionId'),
    previousWatermark: childText(node, 'PreviousWatermark'),
    moreEvents: more === null ? null : more.trim() === 'true',
    events: elements(node)
      .filter((c) => local(nameOf(c)).endsWith('Event'))
      .map(event),
  }
}

function messageXml(node) {
  if (node === undefined) return null
  const out = {}
  for (const c of elements(node)) {
    const name = local(nameOf(c)) === 'Value' ? attrs(c).Name : local(nameOf(c))
    out[name] = text(c)
  }
  return out
}

function responseMessage(node) {
  const xml = messageXml(child(node, 'MessageXml'))
  const backOff = xml?.BackOffMilliseconds
  const notifications = []
  let errorSubscriptionIds = []
  for (const c of elements(node)) {
    const name = local(nameOf(c))
    if (name === 'Notification') notifications.push(notification(c))
    if (name === 'Notifications') {
      for (const n of elements(c)) notifications.push(notification(n))
    }
    if (name === 'ErrorSubscriptionIds') errorSubscriptionIds = elements(c).map(text)
  }
  const code = childText(node, 'ResponseCode')
  const status = childText(node, 'ConnectionStatus')
  return {
    responseClass: attrs(node).ResponseClass,
    responseCode: code === null ? null : code.trim(),
    messageText: childText(node, 'MessageText'),
    descriptiveLinkKey: childText(node, 'DescriptiveLinkKey'),
    messageXml: xml,
    backOffMilliseconds: backOff !== undefined && /^\d+$/.test(backOff.trim()) ? Number(backOff) : null,
    subscriptionId: childText(node, 'SubscriptionId'),
    watermark: childText(node, 'Watermark'),
    connectionStatus: status === null ? null : status.trim(),
    errorSubscriptionIds,
    notifications,
  }
}

function serverVersion(header) {
  if (header === undefined) return null
  for (const c of elements(header)) {
    const name = local(nameOf(c))
    const a = attrs(c)
    if (name === 'ServerVersionInfo') {
      return {
        majorVersion: num(a.MajorVersion),
        minorVersion: num(a.MinorVersion),
        majorBuildNumber: num(a.MajorBuildNumber),
        minorBuildNumber: num(a.MinorBuildNumber),
        version: a.Version ?? null,
      }
    }
    if (name === 'RequestServerVersion') {
      return { majorVersion: null, minorVersion: null, majorBuildNumber: null, minorBuildNumber: null, version: a.Version ?? null }
    }
  }
  return null
}

/** The canonical shape for the notification kinds, from fast-xml-parser's `preserveOrder` tree. */
export function extractNotification(doc) {
  const envelope = doc.find((n) => local(nameOf(n) ?? '') === 'Envelope')
  const name = nameOf(envelope)
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : null
  const ns = attrs(envelope)[prefix ? `xmlns:${prefix}` : 'xmlns']
  const body = child(envelope, 'Body')
  const message = elements(body)[0]
  const messages = child(message, 'ResponseMessages')
  return {
    kind: KINDS[local(nameOf(message))],
    soapVersion: SOAP[ns],
    serverVersion: serverVersion(child(envelope, 'Header')),
    responseMessages: elements(messages).map(responseMessage),
  }
}
