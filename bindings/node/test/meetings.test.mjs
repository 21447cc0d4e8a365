// The meeting correlator from Node: the seed's split series, fed as raw envelopes.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { native, thrown } from './helpers.mjs'

const { Correlator } = native
const fixtures = join(import.meta.dirname, '..', '..', '..', 'meetings', 'tests', 'fixtures')
const OLD = 'BAAAAIIA4AB0xbcQGoLgCAAAAADIsGZkvZTOAQAAAAAAAAAAEAAAAL7jcbkKvu5CkiLigoQ5+PI='
const NEW = 'BAAAAIIA4AB0xbcQGoLgCAAAAAAouLOLvZTOAQAAAAAAAAAAEAAAAKD44Bwh7SFNoqxBurnSKYk='
const MAILBOX = 'test@test.com'

function feed(c, events, answer) {
  const ids = c.accept(MAILBOX, readFileSync(join(fixtures, events)))
  if (answer === null) {
    assert.deepEqual(ids, [])
    return c.bound()
  }
  const request = c.getItemRequest(ids)
  assert.ok(request.includes('PropertyId="35"') && request.includes('calendar:DeletedOccurrences'))
  return c.bound(readFileSync(join(fixtures, answer)))
}

test('the split series names every part', () => {
  const c = new Correlator()
  const created = feed(c, 'seed-2.1-created-events.xml', 'seed-2.1-getitem.xml')
  assert.deepEqual(created.map((e) => e.change), ['created'])
  assert.equal(created[0].meeting.cleanGlobalObjectId, OLD)
  assert.deepEqual(Object.keys(created[0]).slice(0, 3), ['kind', 'eventId', 'change'])
  const split = feed(c, 'seed-2.3-split-events.xml', 'seed-2.3-split-getitem.xml')
  assert.deepEqual(split.map((e) => e.change), ['updated', 'seriesSplit'])
  assert.equal(split[1].meeting.cleanGlobalObjectId, NEW)
  assert.equal(split[1].split.previousMeeting.cleanGlobalObjectId, OLD)
  assert.equal(split[1].split.splitDate, '2013-08-09')
  const deleted = feed(c, 'seed-2.4-2.5-deleted-events.xml', null)
  assert.deepEqual(deleted.map((e) => [e.change, e.meeting.cleanGlobalObjectId]), [
    ['deleted', OLD],
    ['deleted', NEW],
  ])
  assert.equal(c.tracked, 0)
})

test('one batch at a time, and errors carry code and offset', () => {
  const c = new Correlator()
  c.accept(MAILBOX, readFileSync(join(fixtures, 'seed-2.1-created-events.xml'), 'utf8'))
  assert.equal(c.pending, MAILBOX)
  assert.throws(() => c.accept(MAILBOX, readFileSync(join(fixtures, 'seed-2.1-created-events.xml'))))
  const bad = thrown(() => c.bound('<s:Envelope'))
  assert.equal(bad.code, 'unexpected_eof')
  assert.equal(c.pending, MAILBOX, 'a bad answer leaves the batch waiting')
  const events = c.bound(null)
  assert.deepEqual(events.map((e) => [e.change, e.reason]), [['unresolved', 'noAnswer']])
  const wrong = thrown(() => c.accept(MAILBOX, readFileSync(join(fixtures, 'getitem-item-not-found.xml'))))
  assert.equal(wrong.code, 'unexpected_body')
  assert.equal(wrong.offset, null)
  assert.throws(() => c.bound())
})
