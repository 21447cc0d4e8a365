// GlobalObjectId: every vector of tests/corpus/goid/vectors.json, through the class.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { corpusDir, native, thrown } from './helpers.mjs'

const { GlobalObjectId } = native
const { vectors } = JSON.parse(readFileSync(join(corpusDir, 'goid', 'vectors.json'), 'utf8'))

/** Builds the id the way the vector's input says. */
function build(input) {
  if ('base64' in input) return GlobalObjectId.fromBase64(input.base64)
  if ('hex' in input) return GlobalObjectId.fromHex(input.hex)
  if ('text' in input) return GlobalObjectId.decode(input.text)
  if ('uid' in input) return GlobalObjectId.fromIcalUid(input.uid, input.instanceDate)
  throw new Error(`unknown vector input ${JSON.stringify(input)}`)
}

test('the GOID vectors are there', () => {
  assert.ok(vectors.length >= 20, `GOID vectors went missing: ${vectors.length}`)
})

for (const vector of vectors) {
  test(`goid ${vector.name}`, () => {
    const { expected } = vector
    if (expected.error) {
      const error = thrown(() => build(vector.input))
      assert.ok(error instanceof Error)
      assert.deepEqual({ code: error.code, offset: error.offset }, expected.error, error.message)
      return
    }
    const id = build(vector.input)
    // toJSON is the canonical GOID JSON, key order included.
    assert.equal(JSON.stringify(id), JSON.stringify(expected))
    assert.deepEqual(id.toJSON(), expected)
    // Published values appear unchanged.
    for (const [key, value] of Object.entries(vector.published ?? {})) {
      assert.deepEqual(expected[key], value, `published ${key}`)
    }
    // Every getter agrees with the summary.
    assert.equal(id.hex, expected.hex)
    assert.equal(id.base64, expected.base64)
    assert.equal(id.instanceDate, expected.instanceDate)
    assert.equal(id.creationTime, expected.creationTime)
    assert.equal(id.dataSize, expected.dataSize)
    assert.equal(id.data.toString('hex').toUpperCase(), expected.dataHex)
    assert.equal(id.vcalUid, expected.vcalUid)
    assert.equal(id.isException, expected.isException)
    assert.equal(id.icalUid, expected.icalUid)
    assert.deepEqual(id.warnings, expected.warnings)
    assert.equal(id.bytes.toString('hex').toUpperCase(), expected.hex)
    assert.equal(id.reserved.length, 8)
    assert.equal(typeof id.creationFiletime, 'bigint')
    assert.equal(String(id), expected.hex)
    const clean = id.clean()
    assert.equal(clean.hex, expected.cleanHex)
    assert.equal(clean.base64, expected.cleanBase64)
    assert.equal(id.restrictionValue, expected.cleanBase64)
    assert.equal(clean.isException, false)
    assert.ok(id.sameMeeting(clean) && clean.sameMeeting(id), 'an id and its clean form are the same meeting')
    // The other constructors give the same id.
    assert.ok(GlobalObjectId.fromHex(expected.hex).equals(id))
    assert.ok(GlobalObjectId.fromBase64(expected.base64).equals(id))
    assert.ok(GlobalObjectId.decode(expected.base64).equals(id))
    assert.ok(GlobalObjectId.fromBytes(id.bytes).equals(id))
    assert.ok(GlobalObjectId.fromBytes(new Uint8Array(id.bytes)).equals(id))
  })
}

test('exceptions of one series are the same meeting, another series is not', () => {
  const series = GlobalObjectId.fromHex(vectors.find((v) => v.name === 'ms-oxocal-exception-2008-03-25').expected.cleanHex)
  const exception = series.withInstanceDate('2008-03-25')
  assert.equal(exception.instanceDate, '2008-03-25')
  assert.ok(exception.isException)
  assert.ok(exception.sameMeeting(series))
  assert.ok(!exception.equals(series))
  assert.ok(exception.withInstanceDate(null).equals(series))
  const other = GlobalObjectId.fromBase64(vectors.find((v) => v.name === 'seed-1.1').input.base64)
  assert.ok(!other.sameMeeting(series))
  assert.ok(GlobalObjectId.fromIcalUid(series.icalUid).equals(series))
})

test('a malformed date argument is rejected', () => {
  const series = GlobalObjectId.fromIcalUid('5fc22493-7212-4c44-9cd6-971c3bae28af')
  assert.ok(thrown(() => series.withInstanceDate('2020/02/29')) instanceof Error)
  assert.ok(thrown(() => GlobalObjectId.fromIcalUid('x', '2020-02-30')) instanceof Error)
})
