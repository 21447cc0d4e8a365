// Conformance: every envelope in tests/corpus parses to its golden canonical JSON, byte for
// byte (key order included), or throws the golden error's code and offset.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { compact, corpusDir, golden, native, rel, thrown, walk } from './helpers.mjs'

const { parseNotification } = native

// Multi-envelope streaming bodies are split first; streaming.test.mjs covers them.
const inputs = walk(corpusDir, '.xml').filter((p) => !p.includes(join('streaming', 'bodies')))

test('the corpus is there', () => {
  assert.ok(inputs.length >= 40, `corpus went missing: ${inputs.length} envelope files found`)
})

for (const path of inputs) {
  test(`corpus ${rel(path)}`, () => {
    const expected = golden(path)
    assert.ok(expected !== undefined, `no golden .json next to ${rel(path)}`)
    const bytes = readFileSync(path)
    const want = JSON.parse(expected)
    if (want.error) {
      const error = thrown(() => parseNotification(bytes))
      assert.ok(error instanceof Error, 'a parse failure is a thrown Error')
      assert.deepEqual({ code: error.code, offset: error.offset }, want.error)
      return
    }
    const got = JSON.stringify(parseNotification(bytes))
    assert.equal(got, compact(expected))
    // A string input reads as its UTF-8 bytes, so it gives the same answer.
    assert.equal(JSON.stringify(parseNotification(bytes.toString('utf8'))), got)
  })
}
