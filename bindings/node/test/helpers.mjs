// Shared helpers for the node --test suite: the addon, and the corpus under tests/corpus.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const packageDir = join(here, '..')
export const corpusDir = join(packageDir, '..', '..', 'tests', 'corpus')

export const native = createRequire(import.meta.url)(packageDir)

/** Every file under `dir` whose name ends with `suffix`, sorted, as absolute paths. */
export function walk(dir, suffix) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(path, suffix))
    else if (entry.name.endsWith(suffix)) out.push(path)
  }
  return out.sort()
}

/** Corpus path relative to tests/corpus, for test names. */
export const rel = (path) => relative(corpusDir, path)

/** The golden next to `xmlPath` (same name, `.json`), parsed, or `undefined` when none. */
export function golden(xmlPath) {
  const path = xmlPath.replace(/\.xml$/, '.json')
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

/** The canonical compact form of a golden: the contract's `JSON.stringify(JSON.parse(golden))`. */
export const compact = (text) => JSON.stringify(JSON.parse(text))

/** Runs `fn`, which must throw; returns the thrown value. */
export function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw, got a return')
}

/** A small deterministic PRNG (mulberry32), so random chunkings are reproducible. */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
