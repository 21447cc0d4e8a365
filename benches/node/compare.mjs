// Compares ews-notify's parseNotification with what a Node user would otherwise write, on the
// same corpus files: fast-xml-parser plus the JS that pulls the same fields out into the same
// canonical shape, and ews-javascript-api's own GetEvents response reader (offline: its XML
// reader and response classes, no server). Results are checked equal first; only inputs whose
// answers are equal are timed. Run from the repository root after building bindings/node:
//
//   (cd bindings/node && npm install && npm run build)
//   (cd benches/node && npm install && node compare.mjs)
//
// Prints the median of 9 runs (process CPU time) for each parser and input set.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import os from 'node:os'

import { XMLParser } from 'fast-xml-parser'

import { FXP_OPTIONS, extractNotification } from './extract.mjs'

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const corpus = join(root, 'tests', 'corpus')
const { parseNotification } = require(join(root, 'bindings', 'node'))

// --- fast-xml-parser + extraction into the canonical shape ---------------------------------

const fxp = new XMLParser(FXP_OPTIONS)

/** fast-xml-parser, then the canonical shape for the notification kinds. */
function fastXmlParserNotification(bytes) {
  return extractNotification(fxp.parse(bytes.toString('utf8')))
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

/**
 * Median time (ms) of `runs` runs, each parsing every input `rounds` times. The time is the
 * process's CPU time (user + system), not wall time: on a machine shared with other work the
 * wall clock counts the time this process waits for a core, CPU time does not (Node's parse
 * runs on the main thread; its few helper threads are idle during a synchronous loop).
 */
function time(fn, set, rounds, runs = 9) {
  for (let i = 0; i < Math.max(1, rounds >> 2); i++) for (const input of set) fn(input.bytes)
  const times = []
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage()
    for (let i = 0; i < rounds; i++) for (const input of set) fn(input.bytes)
    const used = process.cpuUsage(start)
    times.push((used.user + used.system) / 1000)
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
// The small push envelope alone (the seed CreatedEvent), what a push listener parses per call.
const seed = small.filter((i) => i.name.endsWith('push/created_event_wrapped_tags.xml'))
if (seed.length) row('small push envelope (seed CreatedEvent)', seed, 4000, [ours, theirs])
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
