/**
 * The JSON Schema to zod converter the answer check uses (src/powershell/json-schema-zod.ts): each
 * keyword is the zod construct it means (a nullable type stays a nullable type, not a union), and
 * a keyword it does not know is an error rather than a check silently not made.
 */
import {describe, expect, it} from 'vitest'
import {JsonSchemaZod} from '../../../src/powershell/json-schema-zod.js'

const one = (schema: unknown, extra: Record<string, unknown> = {}) => new JsonSchemaZod({'t.schema.json': {$defs: {it: schema, ...extra}}}).at('t.schema.json#/$defs/it')

describe('JsonSchemaZod', () => {
  it('a nullable type is that type or null, and a value of another kind names the type', () => {
    const s = one({type: ['string', 'null']})
    expect(s.parse(null)).toBeNull()
    expect(s.parse('x')).toBe('x')
    const issue = s.safeParse(1).error!.issues[0]
    expect([issue.code, (issue as {expected?: string}).expected]).toEqual(['invalid_type', 'string'])
  })

  it('objects are loose: properties checked, others kept; not required is optional; a default fills in', () => {
    const s = one({type: 'object', properties: {a: {type: 'number'}, b: {type: 'boolean', default: false}, c: {type: 'string'}}, required: ['a']})
    expect(s.parse({a: 1, extra: [1]})).toEqual({a: 1, b: false, extra: [1]})
    expect(s.safeParse({b: true}).success).toBe(false)
  })

  it('refs within a document, to another document, and into a definition', () => {
    const docs = {
      'a.schema.json': {$defs: {x: {type: 'object', properties: {n: {type: 'number'}}, required: ['n']}, y: {$ref: 'b.schema.json#/$defs/z'}, p: {$ref: '#/$defs/x/properties/n'}}},
      'b.schema.json': {$defs: {z: {anyOf: [{$ref: 'a.schema.json#/$defs/x'}, {type: 'null'}]}}},
    }
    const c = new JsonSchemaZod(docs)
    expect(c.at('a.schema.json#/$defs/y').parse(null)).toBeNull()
    expect(c.at('a.schema.json#/$defs/y').safeParse({n: '1'}).success).toBe(false)
    expect(c.at('a.schema.json#/$defs/p').parse(3)).toBe(3)
    expect((c.at('b.schema.json#/$defs/z') as unknown as {unwrap(): unknown}).unwrap()).toBe(c.at('a.schema.json#/$defs/x'))
  })

  it('enums (with null), const, records, several types', () => {
    expect(one({enum: ['a', 'b', null]}).parse(null)).toBeNull()
    expect(one({enum: ['a', 'b']}).safeParse('c').success).toBe(false)
    expect(one({const: 1}).safeParse(2).success).toBe(false)
    expect(one({type: 'object', additionalProperties: {type: ['string', 'null']}}).safeParse({k: 1}).success).toBe(false)
    expect(one({type: ['string', 'number', 'boolean', 'null']}).parse(true)).toBe(true)
  })

  it('a keyword or type it does not know is an error, not a check silently skipped', () => {
    expect(() => one({type: 'string', pattern: '^a'})).toThrow(/the keyword pattern is not one the answer check knows/)
    expect(() => one({type: 'date'})).toThrow(/the type date/)
    expect(() => one({$ref: '#/$defs/nothing'})).toThrow(/nothing at/)
  })
})
