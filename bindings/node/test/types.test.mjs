// Types: the committed index.d.ts compiles against a usage file, and its interfaces list exactly
// the keys (in order) that parseNotification returns for every corpus envelope.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { corpusDir, native, packageDir, rel, walk } from './helpers.mjs'

test('tsc --noEmit accepts the usage file', () => {
  const tsc = join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc')
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(packageDir, 'test', 'types')], {
      stdio: 'pipe',
      encoding: 'utf8',
    })
  } catch (error) {
    assert.fail(`tsc found type errors:\n${error.stdout}${error.stderr}`)
  }
})

/** `interface Name { key: ...; key?: ... }` blocks of index.d.ts, as [key, optional] lists. */
function interfaces() {
  const dts = readFileSync(join(packageDir, 'index.d.ts'), 'utf8')
  const out = {}
  for (const [, name, body] of dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    out[name] = [...body.matchAll(/^ {2}(\w+)(\??):/gm)].map(([, key, optional]) => [key, optional === '?'])
  }
  return out
}

const declared = interfaces()

/** Asserts `value` has the declared keys of `name`, in declared order, optional ones may be absent. */
function conforms(value, name, where) {
  const keys = declared[name]
  assert.ok(keys, `index.d.ts declares interface ${name}`)
  const want = keys.filter(([key, optional]) => !optional || key in value).map(([key]) => key)
  assert.deepEqual(Object.keys(value), want, `${where}: keys of ${name}`)
}

const ID_KEYS = ['itemId', 'folderId', 'parentFolderId', 'oldItemId', 'oldFolderId', 'oldParentFolderId']

function checkIds(value, where) {
  for (const key of ID_KEYS) {
    if (key in value && value[key] !== null) conforms(value[key], 'ObjectId', where)
  }
}

function checkGoid(value, where) {
  if (value === null) return
  conforms(value, 'GoidSummary', where)
  value.warnings.forEach((w) => conforms(w, 'GoidWarning', where))
}

function checkItem(item, where) {
  conforms(item, 'CalendarItem', where)
  checkIds(item, where)
  if (item.organizer !== null) conforms(item.organizer, 'Mailbox', where)
  checkGoid(item.globalObjectId, where)
  checkGoid(item.cleanGlobalObjectId, where)
  for (const property of item.extendedProperties) {
    conforms(property, 'ExtendedProperty', where)
    conforms(property.fieldUri, 'ExtendedFieldUri', where)
  }
}

/** Which interface each envelope kind and its messages are declared by. */
const ENVELOPES = {
  fault: ['FaultEnvelope'],
  getItemResponse: ['GetItemEnvelope', 'GetItemResponseMessage'],
  findItemResponse: ['FindItemEnvelope', 'FindItemResponseMessage'],
  syncFolderItemsResponse: ['SyncFolderItemsEnvelope', 'SyncFolderItemsResponseMessage'],
}

function checkEnvelope(envelope, where) {
  const [name, messageName] = ENVELOPES[envelope.kind] ?? ['NotificationEnvelope', 'ResponseMessage']
  conforms(envelope, name, where)
  if (envelope.serverVersion !== null) conforms(envelope.serverVersion, 'ServerVersion', where)
  for (const message of envelope.responseMessages ?? []) {
    conforms(message, messageName, where)
    for (const notification of message.notifications ?? []) {
      conforms(notification, 'Notification', where)
      for (const event of notification.events) {
        conforms(event, 'Event', where)
        checkIds(event, where)
      }
    }
    for (const item of message.items ?? []) checkItem(item, where)
    for (const change of message.changes ?? []) {
      conforms(change, 'SyncChange', where)
      checkIds(change, where)
      if (change.item !== null) checkItem(change.item, where)
    }
  }
}

test('every corpus envelope has exactly the declared shape', () => {
  let checked = 0
  const kinds = new Set()
  for (const path of walk(corpusDir, '.xml').filter((p) => !p.includes(join('streaming', 'bodies')))) {
    let envelope
    try {
      envelope = native.parseNotification(readFileSync(path))
    } catch {
      continue // error goldens: covered by corpus.test.mjs
    }
    checkEnvelope(envelope, rel(path))
    kinds.add(envelope.kind)
    checked++
  }
  assert.ok(checked >= 30, `only ${checked} corpus envelopes parsed`)
  // Every kind was seen, so every declaration was checked.
  for (const kind of Object.keys(ENVELOPES)) assert.ok(kinds.has(kind), `no ${kind} in the corpus`)
})

test('the GOID summary has exactly the declared shape', () => {
  const id = native.GlobalObjectId.fromHex(
    '040000008200E00074C5B7101A82E008000000006A171C079E94CE0100007F0000000000100000004AE630E304590A49A2884260316F0E15',
  )
  const summary = id.toJSON()
  assert.ok(summary.warnings.length > 0, 'this id has a warning to check')
  checkGoid(summary, 'summary')
})
