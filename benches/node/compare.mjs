// Compares ews-notify's parseNotification with what a Node user would otherwise write, on the
// same corpus files: fast-xml-parser plus the JS that pulls the same fields out into the same
// canonical shape, and ews-javascript-api's own GetEvents response reader (offline: its XML
// reader and response classes, no server). Results are checked equal first; only inputs whose
// answers are equal are timed. Run from the repository root after building bindings/node:
//
//   (cd bindings/node && npm install && npm run build)
//   (cd benches/node && npm install && node compare.mjs)
//
// Prints the median of 9 runs for each parser and input set.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import os from 'node:os'

import { XMLParser } from 'fast-xml-parser'

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const corpus = join(root, 'tests', 'corpus')
const { parseNotification } = require(join(root, 'bindings', 'node'))

// --- fast-xml-parser + extraction into the canonical shape ---------------------------------

const fxp = new XMLParser({
  preserveOrder: true, // events of different kinds interleave: document order matters
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
})

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

/** fast-xml-parser, then the canonical shape for the notification kinds. */
function fastXmlParserNotification(bytes) {
  const doc = fxp.parse(bytes.toString('utf8'))
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

// --- ews-javascript-api: its GetEvents response reader, offline ----------------------------

let ewsjs = null
try {
  const ews = require('ews-javascript-api')
  const { EwsServiceXmlReader } = require('ews-javascript-api/js/Core/EwsServiceXmlReader')
  const { GetEventsRequest } = require('ews-javascript-api/js/Core/Requests/GetEventsRequest')
  const service = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013)
  ewsjs = {
    ews,
    parse(bytes) {
      const request = new GetEventsRequest(service, ews.ServiceErrorHandling.ReturnErrors)
      const reader = new EwsServiceXmlReader(bytes.toString('utf8'), service)
      return request.ReadResponseXmlJsObject(reader.JsObject)
    },
  }
} catch (error) {
  console.log(`ews-javascript-api could not be loaded: ${error.message}`)
}

/**
 * What both parsers can say about a GetEvents response: per event, kind and ids, sorted.
 * ews-javascript-api drops StatusEvents and groups events by element name (losing document
 * order across kinds), so status events are left out and the lists are compared sorted.
 */
function eventsView(envelope) {
  const out = []
  for (const m of envelope.responseMessages) {
    for (const n of m.notifications) {
      for (const e of n.events) {
        if (e.kind === 'status') continue
        out.push([e.kind, e.itemId?.id ?? null, e.folderId?.id ?? null, e.parentFolderId?.id ?? null])
      }
    }
  }
  return out.map((e) => JSON.stringify(e)).sort()
}

function ewsjsEventsView(responses) {
  const { EventType } = ewsjs.ews
  const names = {
    [EventType.Status]: 'status',
    [EventType.NewMail]: 'newMail',
    [EventType.Created]: 'created',
    [EventType.Deleted]: 'deleted',
    [EventType.Modified]: 'modified',
    [EventType.Moved]: 'moved',
    [EventType.Copied]: 'copied',
    [EventType.FreeBusyChanged]: 'freeBusyChanged',
  }
  const out = []
  for (const response of responses.Responses) {
    for (const e of response.Results?.AllEvents ?? []) {
      out.push([names[e.EventType], e.ItemId?.UniqueId ?? null, e.FolderId?.UniqueId ?? null, e.ParentFolderId?.UniqueId ?? null])
    }
  }
  return out.map((e) => JSON.stringify(e)).sort()
}

// --- inputs and equality checks ------------------------------------------------------------

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.xml') ? [join(dir, e.name)] : [],
  )
}

const inputs = ['push', 'pull', 'streaming', 'subscribe']
  .flatMap((kind) => walk(join(corpus, kind)).filter((p) => !p.includes('bodies')))
  .sort()
  .map((path) => ({ path, name: relative(corpus, path), bytes: readFileSync(path) }))
  .filter((input) => {
    try {
      parseNotification(input.bytes)
      return true
    } catch {
      return false // error goldens: nothing to compare
    }
  })

const fxpEqual = []
const fxpDiffer = []
for (const input of inputs) {
  const ours = JSON.stringify(parseNotification(input.bytes))
  let theirs
  try {
    theirs = JSON.stringify(fastXmlParserNotification(input.bytes))
  } catch (error) {
    theirs = `threw ${error.message}`
  }
  ;(ours === theirs ? fxpEqual : fxpDiffer).push(input)
}

const pulls = inputs.filter((i) => JSON.parse(JSON.stringify(parseNotification(i.bytes))).kind === 'getEventsResponse')
const ewsjsEqual = []
const ewsjsDiffer = []
if (ewsjs) {
  for (const input of pulls) {
    let theirs
    try {
      theirs = JSON.stringify(ewsjsEventsView(ewsjs.parse(input.bytes)))
    } catch (error) {
      theirs = `threw ${error.message}`
    }
    const ours = JSON.stringify(eventsView(parseNotification(input.bytes)))
    ;(ours === theirs ? ewsjsEqual : ewsjsDiffer).push(input)
  }
}

// --- timing --------------------------------------------------------------------------------

/** Median wall time (ms) of `runs` runs, each parsing every input `rounds` times. */
function time(fn, set, rounds, runs = 9) {
  for (let i = 0; i < Math.max(1, rounds >> 2); i++) for (const input of set) fn(input.bytes)
  const times = []
  for (let r = 0; r < runs; r++) {
    const start = performance.now()
    for (let i = 0; i < rounds; i++) for (const input of set) fn(input.bytes)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[runs >> 1]
}

function row(label, set, rounds, contenders) {
  const bytes = set.reduce((n, i) => n + i.bytes.length, 0) * rounds
  const results = contenders.map(([name, fn]) => [name, time(fn, set, rounds)])
  const base = results[0][1]
  console.log(`\n${label}: ${set.length} files, ${(bytes / rounds / 1024).toFixed(1)} KiB, ${rounds} rounds per run`)
  for (const [name, ms] of results) {
    const mbs = bytes / (ms / 1000) / 1e6
    console.log(`  ${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${mbs.toFixed(1).padStart(7)} MB/s  ${(ms / base).toFixed(2)}x`)
  }
}

console.log(`node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores, ${new Date().toISOString()}`)
console.log(`fast-xml-parser: equal canonical JSON on ${fxpEqual.length} of ${inputs.length} corpus envelopes`)
for (const input of fxpDiffer) console.log(`  differs (not timed): ${input.name}`)
if (ewsjs) {
  console.log(
    `ews-javascript-api: equal events (status events left out, compared sorted) on ${ewsjsEqual.length} of ${pulls.length} GetEvents responses`,
  )
  for (const input of ewsjsDiffer) console.log(`  differs (not timed): ${input.name}`)
}

const big = fxpEqual.filter((i) => i.bytes.length > 100_000)
const small = fxpEqual.filter((i) => i.bytes.length <= 100_000)
const ours = ['ews-notify parseNotification', (b) => parseNotification(b)]
const theirs = ['fast-xml-parser + extraction', (b) => fastXmlParserNotification(b)]
row('corpus envelopes (each < 100 KB)', small, 40, [ours, theirs])
if (big.length) row('large GetEvents pages (> 100 KB)', big, 4, [ours, theirs])
if (ewsjs && ewsjsEqual.length) {
  // Inputs where all three answers agree.
  const all = ewsjsEqual.filter((i) => fxpEqual.includes(i))
  const ewsSmall = all.filter((i) => i.bytes.length <= 100_000)
  const ewsBig = all.filter((i) => i.bytes.length > 100_000)
  const api = ['ews-javascript-api GetEvents reader', (b) => ewsjs.parse(b)]
  if (ewsSmall.length) row('GetEvents responses (< 100 KB)', ewsSmall, 40, [ours, theirs, api])
  if (ewsBig.length) row('large GetEvents pages (> 100 KB)', ewsBig, 2, [ours, theirs, api])
}
