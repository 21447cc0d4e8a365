// Streaming: StreamSplitter fed in random chunks gives the same envelopes and errors as
// splitEnvelopes on the whole body, and each envelope parses like its corpus file.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { test } from 'node:test'

import { compact, corpusDir, golden, native, rel, rng, thrown, walk } from './helpers.mjs'

const { StreamSplitter, splitEnvelopes, parseNotification } = native

/** Envelopes and error of splitting a whole body in one call. */
function whole(body) {
  try {
    return { envelopes: splitEnvelopes(body), error: null }
  } catch (error) {
    // splitEnvelopes throws on the first error; the envelopes before it come from the
    // splitter fed the whole body at once.
    return { envelopes: pushAll([body]).envelopes, error: { code: error.code, offset: error.offset } }
  }
}

/** Envelopes and error of feeding `chunks` to a StreamSplitter, then finishing. */
function pushAll(chunks, splitter = new StreamSplitter()) {
  const envelopes = []
  try {
    for (const chunk of chunks) envelopes.push(...splitter.push(chunk))
    splitter.finish()
    return { envelopes, error: null }
  } catch (error) {
    assert.ok(error instanceof Error)
    return { envelopes, error: { code: error.code, offset: error.offset } }
  }
}

/** `body` cut at `count` random points. */
function randomChunks(body, random, count) {
  const cuts = Array.from({ length: count }, () => Math.floor(random() * (body.length + 1)))
  cuts.sort((a, b) => a - b)
  const chunks = []
  let at = 0
  for (const cut of [...cuts, body.length]) {
    chunks.push(body.subarray(at, cut))
    at = cut
  }
  return chunks
}

function same(got, want, label) {
  assert.deepEqual(got.error, want.error, `${label}: error`)
  assert.equal(got.envelopes.length, want.envelopes.length, `${label}: envelope count`)
  got.envelopes.forEach((e, i) => assert.ok(Buffer.isBuffer(e) && e.equals(want.envelopes[i]), `${label}: envelope ${i}`))
}

const bodies = walk(join(corpusDir, 'streaming', 'bodies'), '.xml')

test('the streaming bodies are there', () => {
  assert.ok(bodies.length >= 5, `streaming bodies went missing: ${bodies.length} found`)
})

for (const path of bodies) {
  test(`streaming body ${rel(path)} in random chunks`, () => {
    const body = readFileSync(path)
    const want = whole(body)
    // Envelopes are the body's own bytes, in order.
    let from = 0
    for (const envelope of want.envelopes) {
      const at = body.indexOf(envelope, from)
      assert.ok(at >= from, 'each envelope is a slice of the body, in order')
      from = at + envelope.length
    }
    same(pushAll([body]), want, 'one chunk')
    same(pushAll([new Uint8Array(body)]), want, 'one Uint8Array chunk')
    const random = rng(0x5eed + body.length)
    for (let round = 0; round < 25; round++) {
      same(pushAll(randomChunks(body, random, 1 + (round % 12))), want, `random round ${round}`)
    }
    // Two chunks cut at every byte (at 500 random bytes for the long bodies).
    const cuts = body.length <= 16384
      ? Array.from({ length: body.length + 1 }, (_, i) => i)
      : Array.from({ length: 500 }, () => Math.floor(random() * (body.length + 1)))
    for (const cut of cuts) {
      same(pushAll([body.subarray(0, cut), body.subarray(cut)]), want, `two chunks at ${cut}`)
    }
    const small = Math.min(body.length, 16384)
    same(pushAll(randomChunks(body, random, small)), want, `${small} chunks`)
  })
}

/**
 * The golden of a streaming body: one entry per envelope (its canonical JSON) until the first
 * error (from the splitter, or from parsing an envelope, its offset counted from the body's
 * start), which ends the list.
 */
function bodyItems(body, chunks) {
  const { envelopes, error } = pushAll(chunks)
  const items = []
  let from = 0
  for (const envelope of envelopes) {
    const start = body.indexOf(envelope, from)
    from = start + envelope.length
    try {
      items.push(parseNotification(envelope))
    } catch (e) {
      items.push({ error: { code: e.code, offset: e.offset === null ? null : e.offset + start } })
      return items
    }
  }
  if (error) items.push({ error })
  return items
}

for (const path of bodies) {
  test(`streaming body ${rel(path)} matches its golden`, () => {
    const expected = golden(path)
    assert.ok(expected !== undefined, `no golden .json next to ${rel(path)}`)
    const body = readFileSync(path)
    const random = rng(7 * body.length)
    assert.equal(JSON.stringify(bodyItems(body, [body])), compact(expected))
    assert.equal(JSON.stringify(bodyItems(body, randomChunks(body, random, 64))), compact(expected))
  })
}

function trimEnd(bytes) {
  let end = bytes.length
  while (end > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[end - 1])) end--
  return bytes.subarray(0, end)
}

// A body built from the corpus's single streaming envelopes: each must come back byte for byte
// and parse to its golden.
const singles = walk(join(corpusDir, 'streaming'), '.xml')
  .filter((p) => !p.includes(join('streaming', 'bodies')))
  // Without the file's final newline: an envelope ends at its root end tag.
  .map((path) => ({ path, bytes: trimEnd(readFileSync(path)), golden: golden(path) }))
  .filter((s) => s.bytes[0] !== 0xef && s.golden !== undefined && !JSON.parse(s.golden).error)

test('a body of corpus envelopes splits back into them, and each parses to its golden', async () => {
  assert.ok(singles.length >= 5, `streaming envelopes with goldens went missing: ${singles.length}`)
  const body = Buffer.concat(singles.flatMap((s) => [s.bytes, Buffer.from('\r\n')]))
  const random = rng(42)
  const splitter = new StreamSplitter()
  const seen = []
  // The way a caller reads a fetch body or a socket: for await over a Readable.
  for await (const chunk of Readable.from(randomChunks(body, random, 200))) {
    for (const envelope of splitter.push(chunk)) seen.push(envelope)
  }
  splitter.finish()
  assert.equal(seen.length, singles.length)
  assert.equal(splitter.bytesSeen, body.length)
  assert.equal(splitter.buffered, 0)
  seen.forEach((envelope, i) => {
    assert.ok(envelope.equals(singles[i].bytes), `envelope ${i} is ${rel(singles[i].path)}`)
    assert.equal(JSON.stringify(parseNotification(envelope)), compact(singles[i].golden), rel(singles[i].path))
  })
})

test('string chunks work too', () => {
  const body = Buffer.concat(singles.map((s) => s.bytes)).toString('utf8')
  const splitter = new StreamSplitter()
  const seen = [...splitter.push(body.slice(0, 100)), ...splitter.push(body.slice(100))]
  splitter.finish()
  assert.equal(seen.length, singles.length)
})

test('a body cut inside an envelope fails at finish with unexpected_eof at its end', () => {
  const bytes = singles[0].bytes
  const part = bytes.subarray(0, bytes.length - 5)
  const splitter = new StreamSplitter()
  assert.deepEqual(splitter.push(part), [])
  assert.ok(splitter.buffered > 0)
  const error = thrown(() => splitter.finish())
  assert.deepEqual({ code: error.code, offset: error.offset }, { code: 'unexpected_eof', offset: part.length })
  // Once failed, the splitter keeps failing with the same error.
  assert.equal(thrown(() => splitter.push(Buffer.from('x'))).code, 'unexpected_eof')
  assert.equal(thrown(() => splitEnvelopes(part)).code, 'unexpected_eof')
})

test('the stream byte budget is enforced', () => {
  const bytes = singles[0].bytes
  const splitter = new StreamSplitter({ maxStreamBytes: bytes.length + 2 })
  assert.equal(splitter.push(bytes).length, 1)
  const error = thrown(() => splitter.push(bytes))
  assert.equal(error.code, 'too_large')
  const small = thrown(() => new StreamSplitter({ maxBytes: 10 }).push(bytes))
  assert.equal(small.code, 'too_large')
  assert.ok(thrown(() => new StreamSplitter({ maxBytes: -3 })) instanceof RangeError)
})

test('envelopes before a bad byte come out first, the error on the next call', () => {
  const good = singles[0].bytes
  const splitter = new StreamSplitter()
  const out = splitter.push(Buffer.concat([good, Buffer.from('junk<')]))
  assert.equal(out.length, 1)
  assert.ok(out[0].equals(good))
  const error = thrown(() => splitter.push(Buffer.from(' ')))
  assert.equal(error.code, 'trailing_content')
  assert.equal(error.offset, good.length)
})
