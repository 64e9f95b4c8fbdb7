/**
 * The TypeScript side of the runtime's protocol is generated from its JSON Schemas
 * (ps/HvGuest/schemas) by scripts/generate-protocol.mjs; the committed files must be what the
 * script makes now (run `npm run generate:protocol` after changing a schema). And the schemas
 * keep the rules the generator and the answer check rely on.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
// @ts-expect-error a plain ES module script, without types
import {generateProtocol, readSchemas, REPO} from '../../../scripts/generate-protocol.mjs'

type Docs = Record<string, {$defs: Record<string, {properties?: Record<string, {$ref?: string}>}>}>

describe('the generated protocol files', () => {
  it('are what scripts/generate-protocol.mjs makes from the schemas now', async () => {
    const files = (await generateProtocol()) as Record<string, string>
    expect(Object.keys(files).sort()).toEqual(['src/powershell/protocol-schemas.generated.ts', 'src/powershell/protocol-types.generated.ts'])
    for (const [path, text] of Object.entries(files)) {
      expect(readFileSync(join(REPO, path), 'utf8'), `${path} is out of date: run npm run generate:protocol`).toBe(text)
    }
  }, 60_000)
})

describe('the schemas', () => {
  const docs = readSchemas() as Docs
  const actions = Object.keys(docs)
    .filter((f) => f !== 'protocol.schema.json' && f !== 'bootstrap.schema.json')
    .map((f) => f.replace(/\.schema\.json$/, ''))

  it('one per action of the dispatcher, each with request, answer and failure', () => {
    const psm1 = readFileSync(join(REPO, 'ps', 'HvGuest', 'HvGuest.psm1'), 'utf8')
    const dispatched = [...psm1.matchAll(/^\s*'([a-z-]+)'\s*\{\s*Invoke-Hv\w+Action\b/gm)].map((m) => m[1]).sort()
    expect(actions.sort()).toEqual(dispatched)
    for (const a of actions) expect(Object.keys(docs[`${a}.schema.json`].$defs), a).toEqual(expect.arrayContaining(['request', 'answer', 'failure']))
  })

  it("a failure holds every field of its action's answer, each the answer's own (what may be missing, checked alike)", () => {
    for (const a of actions) {
      const {answer, failure} = docs[`${a}.schema.json`].$defs
      for (const field of Object.keys(answer.properties ?? {})) {
        expect(failure.properties?.[field]?.$ref, `${a}: failure.${field}`).toBe(`#/$defs/answer/properties/${field}`)
      }
      expect((failure as {required?: string[]}).required, `${a}: a failure requires nothing`).toBeUndefined()
    }
  })
})
