// Errors: thrown `Error`s with core's `code` slug and a byte `offset`, one case per line.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { corpusDir, native, thrown } from './helpers.mjs'

const { parseNotification } = native
const SOAP = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"'
const pull = readFileSync(join(corpusDir, 'pull', 'get_events_every_event_kind.xml'))

function fails(input, options, code, offset) {
  const error = thrown(() => parseNotification(input, options))
  assert.ok(error instanceof Error, 'thrown value is an Error')
  assert.equal(typeof error.message, 'string')
  assert.deepEqual({ code: error.code, offset: error.offset }, { code, offset }, error.message)
}

test('bad input throws code and offset', () => {
  fails('', undefined, 'unexpected_eof', 0)
  fails(`<!DOCTYPE x [<!ENTITY a "b">]><s:Envelope ${SOAP}/>`, undefined, 'dtd_refused', 0)
  fails(`<s:Envelope ${SOAP}><s:Body>`, undefined, 'unexpected_eof', 72)
  fails(Buffer.from([0x3c, 0x61, 0xff, 0x3e]), undefined, 'invalid_utf8', 2)
  fails('<x/>', undefined, 'wrong_root', 0)
  fails(`<s:Envelope ${SOAP}><s:Body>&foo;</s:Body></s:Envelope>`, undefined, 'unknown_entity', 72)
})

test('limits from options are enforced', () => {
  fails(pull, { maxBytes: 100 }, 'too_large', 100)
  assert.equal(thrown(() => parseNotification(pull, { maxDepth: 3 })).code, 'too_deep')
  assert.equal(thrown(() => parseNotification(pull, { maxEvents: 1 })).code, 'too_many_events')
  // Generous limits change nothing.
  const big = { maxBytes: 1 << 30, maxDepth: 1000, maxEvents: 1e6 }
  assert.equal(JSON.stringify(parseNotification(pull, big)), JSON.stringify(parseNotification(pull)))
})

test('offsets of a string input count UTF-8 bytes', () => {
  const text = `<s:Envelope ${SOAP}><!-- 한글 메시지 --><s:Body>`
  assert.notEqual(Buffer.byteLength(text), text.length)
  fails(text, undefined, 'unexpected_eof', Buffer.byteLength(text))
})

test('Buffer, Uint8Array and string inputs agree', () => {
  const want = JSON.stringify(parseNotification(pull))
  assert.equal(JSON.stringify(parseNotification(new Uint8Array(pull))), want)
  assert.equal(JSON.stringify(parseNotification(pull.toString('utf8'))), want)
  assert.equal(JSON.stringify(parseNotification(pull.subarray(0))), want)
})

test('a bad option is a RangeError with ERR_OUT_OF_RANGE', () => {
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const error = thrown(() => parseNotification(pull, { maxBytes: bad }))
    assert.ok(error instanceof RangeError, `maxBytes ${bad}`)
    assert.equal(error.code, 'ERR_OUT_OF_RANGE')
  }
})

test('a wrong argument type throws', () => {
  assert.ok(thrown(() => parseNotification(42)) instanceof Error)
  assert.ok(thrown(() => parseNotification(pull, { maxBytes: 'x' })) instanceof Error)
})
