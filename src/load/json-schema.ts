/**
 * JSON Schema for editor completion (`hvguest schema`). Generated from the zod schemas, then
 * adjusted for templating: any non-string value in a guest `spec` may also be written as a
 * Handlebars expression (`processors: "{{cpu}}"`), and a list entry may carry `count:`.
 */
import {z} from 'zod'
import {SCHEMAS, type Kind} from '../model/schemas.js'

type Json = Record<string, unknown>

const EXPRESSION: Json = {type: 'string', pattern: '\\{\\{.*\\}\\}', description: 'A Handlebars expression, rendered per guest'}

function allowExpressions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowExpressions)
  if (!node || typeof node !== 'object') return node
  const n: Json = {}
  for (const [k, v] of Object.entries(node as Json)) n[k] = k === 'enum' || k === 'const' ? v : allowExpressions(v)
  const t = n.type
  const types = Array.isArray(t) ? t : t ? [t] : []
  if (n.type === 'array' && n.items && typeof n.items === 'object') {
    const items = n.items as Json
    if (items.type === 'object' && items.properties) {
      items.properties = {
        ...(items.properties as Json),
        count: {anyOf: [{type: 'integer', minimum: 0}, EXPRESSION], description: 'Repeat this entry; {{index}} is 1..count inside it'},
      }
    }
  }
  const scalar = types.some((x) => x === 'integer' || x === 'number' || x === 'boolean') || n.enum !== undefined || n.const !== undefined
  if (scalar && !types.includes('string')) return {anyOf: [n, EXPRESSION]}
  return n
}

export function jsonSchemaFor(kind: Kind): Json {
  const base = z.toJSONSchema(SCHEMAS[kind], {io: 'input', unrepresentable: 'any'}) as Json
  const props = (base.properties ?? {}) as Json
  if (kind === 'GuestTemplate' && props.spec) props.spec = allowExpressions(props.spec)
  return {
    ...base,
    $id: `https://hvguest.dev/schema/v1/${kind}.json`,
    title: `hvguest ${kind}`,
  }
}

export const SCHEMA_KINDS = Object.keys(SCHEMAS) as Kind[]
