// The package loads as CommonJS and as an ES module, with the same exports.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import * as esm from 'ews-notify'
import esmDefault, { GlobalObjectId, StreamSplitter, parseNotification, splitEnvelopes } from '../index.mjs'

const cjs = createRequire(import.meta.url)('ews-notify')

test('ESM and CommonJS entries export the same functions and classes', () => {
  const names = Object.keys(cjs).filter((n) => !n.startsWith('__')).sort()
  assert.deepEqual(names.length > 0 && names, Object.keys(esm).filter((n) => n !== 'default' && !n.startsWith('__')).sort())
  assert.equal(esmDefault, cjs)
  for (const name of names) assert.equal(esm[name], cjs[name], name)
  assert.equal(parseNotification, cjs.parseNotification)
  assert.equal(splitEnvelopes, cjs.splitEnvelopes)
  assert.equal(StreamSplitter, cjs.StreamSplitter)
  assert.equal(GlobalObjectId, cjs.GlobalObjectId)
})
