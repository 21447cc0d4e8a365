// Request builders: strings that Exchange's own schema accepts, and core's errors for bad values.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { corpusDir, native, packageDir, thrown } from './helpers.mjs'

// Exchange's schema is not part of the repository: EWS_SCHEMA_DIR, else ../shared/ews-schema
// beside it (docs/ews-schema.md). Without it the schema check is reported as skipped, by name;
// with EWS_SCHEMA_REQUIRED=1 it fails.
const schemaDir = process.env.EWS_SCHEMA_DIR || join(packageDir, '..', '..', '..', 'shared', 'ews-schema')
const schema = join(schemaDir, 'soap-envelope.xsd')
const haveSchema = existsSync(schema)

/** Validates `xml` with xmllint against the EWS schema; fails the test when it is not valid. */
function valid(xml) {
  assert.match(xml, /^<\?xml[^>]*\?>\s*<soap:Envelope /, 'a SOAP envelope')
  assert.match(xml, /http:\/\/schemas\.microsoft\.com\/exchange\/services\/2006\/messages/, 'an EWS message')
  if (!haveSchema) return xml
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', schema, '-'], { input: xml, stdio: 'pipe' })
  } catch (error) {
    assert.fail(`request is not schema-valid:\n${error.stderr}\n${xml}`)
  }
  return xml
}

test('the EWS schema is at hand, or its absence is reported', () => {
  if (haveSchema) return
  assert.notEqual(process.env.EWS_SCHEMA_REQUIRED, '1', `no EWS schema in ${schemaDir} and EWS_SCHEMA_REQUIRED=1`)
  const line = 'SKIPPED: ews-notify(node)::every builder gives a schema-valid request (no EWS schema)'
  console.log(line)
  if (process.env.EWS_SKIP_LOG) appendFileSync(process.env.EWS_SKIP_LOG, line + '\n')
})

const ids = ['EQBleGNoMDEuY29udG9zby5jb20QAAAAxkZbN4wC9kWjCk4hX0F1ZQcB2k9Q3NgI']

test('every builder gives a schema-valid request', () => {
  const pull = valid(native.pullSubscribeRequest({ eventTypes: ['created', 'ModifiedEvent'], timeoutMinutes: 30, folders: ['calendar'] }))
  assert.match(pull, /<t:Timeout>30<\/t:Timeout>/)
  const push = valid(
    native.pushSubscribeRequest('https://listener.example/ews', {
      eventTypes: ['newMail'],
      statusFrequencyMinutes: 5,
      folders: ['inbox'],
      mailbox: 'room1@example.com',
      version: 'Exchange2016',
    }),
  )
  assert.match(push, /https:\/\/listener\.example\/ews/)
  assert.match(push, /Exchange2016/)
  valid(native.streamingSubscribeRequest({ eventTypes: ['created'], folderIds: ['AAMkAD=='], impersonate: 'a@example.com' }))
  assert.match(valid(native.getEventsRequest(ids[0], 'AQAAAA==')), /<m:Watermark>AQAAAA==<\/m:Watermark>/)
  valid(native.getStreamingEventsRequest(ids, 30))
  valid(native.unsubscribeRequest(ids[0], { version: 'Exchange2013' }))
  assert.match(valid(native.sendNotificationResult()), /<m:SubscriptionStatus>OK<\/m:SubscriptionStatus>/)
  assert.match(valid(native.sendNotificationResult('Unsubscribe')), /Unsubscribe/)
  valid(native.findItemByCleanGoidRequest(native.GlobalObjectId.fromBase64('BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=').restrictionValue))
  valid(native.calendarViewRequest(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-08T00:00:00Z'), { maxEntries: 100 }))
  assert.match(valid(native.syncFolderItemsRequest(512, { folder: 'calendar', syncState: 'H4sI' })), /<m:MaxChangesReturned>512</)
})

test('getItemRequest takes id strings and the ObjectIds of parsed events', () => {
  const envelope = native.parseNotification(readFileSync(join(corpusDir, 'pull', 'get_events_every_event_kind.xml')))
  const itemIds = envelope.responseMessages[0].notifications[0].events.flatMap((e) => (e.itemId ? [e.itemId] : []))
  assert.ok(itemIds.length > 0)
  const xml = valid(native.getItemRequest([...itemIds, 'AAMkADkz==', { id: 'AAMk', changeKey: null }]))
  for (const id of itemIds) {
    assert.ok(xml.includes(`Id="${id.id}"`), id.id)
    if (id.changeKey) assert.ok(xml.includes(`ChangeKey="${id.changeKey}"`))
  }
  assert.ok(thrown(() => native.getItemRequest([{ nope: 1 }])) instanceof Error)
})

test('httpHeaders returns name/value pairs', () => {
  const headers = Object.fromEntries(native.httpHeaders({ anchorMailbox: 'room1@example.com', preferServerAffinity: true }))
  assert.equal(headers['X-AnchorMailbox'], 'room1@example.com')
  assert.equal(headers['X-PreferServerAffinity'], 'true')
})

function fails(fn, code) {
  const error = thrown(fn)
  assert.ok(error instanceof Error)
  assert.equal(error.code, code, error.message)
  return error
}

test('bad values throw core codes', () => {
  fails(() => native.pullSubscribeRequest({ eventTypes: ['bogus'], timeoutMinutes: 30, folders: ['calendar'] }), 'unknown_name')
  fails(() => native.pullSubscribeRequest({ eventTypes: ['created'], timeoutMinutes: 0, folders: ['calendar'] }), 'out_of_range')
  fails(() => native.pullSubscribeRequest({ eventTypes: ['created'], timeoutMinutes: 30 }), 'empty_list')
  fails(() => native.getStreamingEventsRequest([], 5), 'empty_list')
  fails(() => native.getStreamingEventsRequest(ids, 31), 'out_of_range')
  fails(() => native.getEventsRequest(ids[0], 'AQAAAA==', { version: 'Exchange1999' }), 'unknown_name')
  fails(() => native.sendNotificationResult('Maybe'), 'unknown_name')
  fails(() => native.calendarViewRequest(new Date('2026-11-08T00:00:00Z'), new Date('2026-11-01T00:00:00Z')), 'inverted_range')
  fails(() => native.syncFolderItemsRequest(513, { folder: 'calendar' }), 'out_of_range')
  fails(() => native.httpHeaders({ backendOverrideCookie: 'a;b' }), 'invalid_text')
  // Arguments the binding itself refuses.
  assert.ok(thrown(() => native.pullSubscribeRequest({ eventTypes: ['created'], timeoutMinutes: -1 })) instanceof RangeError)
  assert.ok(thrown(() => native.pullSubscribeRequest({ eventTypes: ['created'] })) instanceof Error)
  assert.ok(thrown(() => native.syncFolderItemsRequest(10, {})) instanceof Error)
  assert.ok(thrown(() => native.calendarViewRequest(new Date('x'), new Date())) instanceof RangeError)
})
