// Runs the WASM benchmark page (benches/wasm/index.html) in headless Chromium and prints its
// table in the format of benches/node/compare.mjs (benches/compare.sh reads it):
//
//   bindings/wasm/build.sh                       # the WASM package, bindings/wasm/pkg
//   (cd benches/node && npm install)             # fast-xml-parser, esbuild, playwright-core
//   node benches/wasm/run.mjs
//
// Serves the repository root with `python3 -m http.server` on a free port of 127.0.0.1 and
// drives Debian's /usr/bin/chromium (CHROMIUM= to pick another) through playwright-core.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const corpus = join(root, 'tests', 'corpus')
const require = createRequire(join(root, 'benches', 'node', 'package.json'))
const { chromium } = require('playwright-core')

if (!existsSync(join(root, 'bindings', 'wasm', 'pkg', 'ews_notify.js'))) {
  throw new Error('bindings/wasm/pkg is missing: run bindings/wasm/build.sh first')
}

// The inputs: the notification kinds of the corpus, as in the Node comparison.
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.xml') ? [join(dir, e.name)] : [],
  )
}
const inputs = ['push', 'pull', 'streaming', 'subscribe']
  .flatMap((kind) => walk(join(corpus, kind)).filter((p) => !p.includes('bodies')))
  .sort()
  .map((p) => relative(corpus, p))
const manifest = join(here, 'inputs.json')
writeFileSync(manifest, JSON.stringify({ inputs }) + '\n')

// fast-xml-parser's ES module (the one Node imports), bundled with its dependencies for the
// page: its prebuilt browser bundles export nothing in this version.
const bundle = join(here, 'fxp.bundle.mjs')
execFileSync(join(root, 'benches', 'node', 'node_modules', '.bin', 'esbuild'), [
  join(root, 'benches', 'node', 'node_modules', 'fast-xml-parser', 'src', 'fxp.js'),
  '--bundle',
  '--format=esm',
  '--log-level=warning',
  `--outfile=${bundle}`,
])

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

const port = await freePort()
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '-d', root], {
  stdio: 'ignore',
})
const profile = mkdtempSync(join(tmpdir(), 'ews-notify-bench-chromium-'))
let context
try {
  const base = `http://127.0.0.1:${port}/`
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break
    } catch {
      // not listening yet
    }
    if (i > 100) throw new Error('static server did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  // Failed loads are reported by URL below (the console's message has none); the browser's own
  // favicon request is not the page's.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()))
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`))
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`HTTP ${r.status()}: ${r.url()}`))
  await page.goto(`${base}benches/wasm/index.html`)
  // The page sets `window.results` (or `.error`); a module that fails to load sets nothing.
  await page.waitForFunction(() => window.results !== undefined, null, { timeout: 300_000 }).catch((e) => {
    throw new Error(`${e.message}\n${errors.join('\n')}`)
  })
  const results = await page.evaluate(() => window.results)
  if (results.error || errors.length) throw new Error(results.error ?? errors.join('\n'))
  const version = results.userAgent.match(/(?:Headless)?Chrome\/([\d.]+)/)?.[0] ?? results.userAgent
  console.log(`${version}, ${new Date().toISOString()}`)
  console.log(`fast-xml-parser: equal canonical JSON on ${results.equal} of ${results.equal + results.differ.length} corpus envelopes`)
  for (const name of results.differ) console.log(`  differs (not timed): ${name}`)
  for (const r of results.rows) {
    console.log(`\n${r.label}: ${r.files} files, ${r.kib.toFixed(1)} KiB, ${r.rounds} rounds per run`)
    for (const [name, ms] of [
      ['ews-notify WASM parseNotification', r.ours],
      ['fast-xml-parser + extraction', r.theirs],
    ]) {
      const mbs = r.bytes / (ms / 1000) / 1e6
      console.log(`  ${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${mbs.toFixed(1).padStart(7)} MB/s  ${(ms / r.ours).toFixed(2)}x`)
    }
  }
} finally {
  await context?.close()
  server.kill()
  rmSync(profile, { recursive: true, force: true })
  rmSync(manifest, { force: true })
  rmSync(bundle, { force: true })
}
