// The browser side of benches/wasm/run.mjs: ews-notify's WASM `parseNotification` and
// fast-xml-parser + the same extraction as the Node comparison (../node/extract.mjs), on the
// same corpus files, in the same page. The page is served from the repository root.
//
// Each input set is timed as the median of 9 runs (wall clock, `performance.now()`: a page has
// no CPU-time clock), the two parsers alternating run by run so that load hits both alike.
import init, { parseNotification } from '/bindings/wasm/pkg/ews_notify.js'
import { FXP_OPTIONS, extractNotification } from '/benches/node/extract.mjs'
import { XMLParser } from './fxp.bundle.mjs'

const out = document.getElementById('out')
const fxp = new XMLParser(FXP_OPTIONS)
const decoder = new TextDecoder()

const ours = (bytes) => parseNotification(bytes)
// fast-xml-parser takes text: decoding the bytes is part of its work, as in Node.
const theirs = (bytes) => extractNotification(fxp.parse(decoder.decode(bytes)))

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

function time(set, rounds, runs = 9) {
  const contenders = [ours, theirs]
  for (const fn of contenders) for (let i = 0; i < Math.max(1, rounds >> 2); i++) for (const b of set) fn(b)
  const times = contenders.map(() => [])
  for (let r = 0; r < runs; r++) {
    contenders.forEach((fn, k) => {
      const start = performance.now()
      for (let i = 0; i < rounds; i++) for (const b of set) fn(b)
      times[k].push(performance.now() - start)
    })
  }
  return times.map(median)
}

async function main() {
  await init()
  const manifest = await (await fetch('/benches/wasm/inputs.json')).json()
  const inputs = []
  const differ = []
  for (const name of manifest.inputs) {
    const bytes = new Uint8Array(await (await fetch(`/tests/corpus/${name}`)).arrayBuffer())
    let mine
    try {
      mine = JSON.stringify(ours(bytes))
    } catch {
      continue // an error golden: nothing to compare
    }
    let other
    try {
      other = JSON.stringify(theirs(bytes))
    } catch (e) {
      other = `error: ${e}`
    }
    if (mine === other) inputs.push({ name, bytes })
    else differ.push(name)
  }
  const sets = [
    ['small push envelope (seed CreatedEvent)', inputs.filter((i) => i.name === 'push/created_event_wrapped_tags.xml'), 2000],
    ['corpus envelopes (each < 100 KB)', inputs.filter((i) => i.bytes.length <= 100_000), 20],
    ['large GetEvents pages (> 100 KB)', inputs.filter((i) => i.bytes.length > 100_000), 3],
  ]
  const rows = []
  for (const [label, set, rounds] of sets) {
    if (!set.length) continue
    const [a, b] = time(set.map((i) => i.bytes), rounds)
    const bytes = set.reduce((n, i) => n + i.bytes.length, 0) * rounds
    rows.push({ label, files: set.length, kib: bytes / rounds / 1024, rounds, ours: a, theirs: b, bytes })
  }
  window.results = { userAgent: navigator.userAgent, equal: inputs.length, differ, rows }
  out.textContent = JSON.stringify(window.results, null, 2)
}

main().catch((e) => {
  window.results = { error: String(e && e.stack ? e.stack : e) }
  out.textContent = window.results.error
})
