/**
 * docs/diagnostics.md is generated from the code registry (scripts/generate-diagnostics-doc.mjs),
 * so the list users read is the list the code emits. Here it is rendered again in memory and
 * compared with the committed file: a code added, changed or removed without regenerating fails.
 */
import {readFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {CODES} from '../../../src/model/codes.js'

interface Generator {
  REGISTRY_FILE: string
  DOC_FILE: string
  REGENERATE: string
  renderDiagnosticsDoc(codes: Record<string, {severity: string; summary: string}>, source: string): string
  groupCodes(codes: Record<string, unknown>, source: string): {heading: string; codes: string[]}[]
}

// Imported by URL: the generator is a plain .mjs script with no type declarations.
const generatorUrl = pathToFileURL(new URL('../../../scripts/generate-diagnostics-doc.mjs', import.meta.url).pathname).href
const generator = (await import(generatorUrl)) as Generator

describe('docs/diagnostics.md', () => {
  const source = readFileSync(generator.REGISTRY_FILE, 'utf8')

  it('is what the code registry generates', () => {
    const committed = readFileSync(generator.DOC_FILE, 'utf8')
    const expected = generator.renderDiagnosticsDoc(CODES, source)
    expect(committed === expected, `docs/diagnostics.md is out of date with src/model/codes.ts: run \`${generator.REGENERATE}\` and commit the result`).toBe(true)
  })

  it('lists every registered code once, with its severity', () => {
    const doc = generator.renderDiagnosticsDoc(CODES, source)
    for (const [code, info] of Object.entries(CODES)) {
      const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${code}\` |`))
      expect(rows, code).toHaveLength(1)
      expect(rows[0], code).toContain(`| ${info.severity} |`)
    }
  })

  it('refuses a registry whose text and object disagree', () => {
    const extra = {...CODES, 'not-in-the-text': {severity: 'error', summary: 'x'}}
    expect(() => generator.groupCodes(extra, source)).toThrow(/not found in the text: not-in-the-text/)
  })
})
