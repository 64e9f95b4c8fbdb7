/**
 * JSON Schema (the subset ps/HvGuest/schemas uses) to a zod schema, for checking the runtime's
 * answers. Not zod's own z.fromJSONSchema: that turns `"type": ["string", "null"]` into a union,
 * whose message for a wrong value ("expected string or null, received number") is not the one
 * the answer check gives (`expected string, received number`: a nullable string), and it passes
 * keywords it does not know. Here each keyword maps to the one zod construct it means, and a
 * keyword this converter does not know is an error, so a schema never says more than is checked:
 *
 *   type X | [X, "null"] | [X, Y, "null"]    X, X.nullable(), union([X, Y]).nullable()
 *   anyOf [A, {"type": "null"}] | [A, B]     A.nullable(), union([A, B])
 *   enum (strings, maybe null) | const       z.enum(...)(.nullable()), z.literal
 *   object: properties, required, additionalProperties (absent/true: loose; false: strict;
 *     a schema, without properties: a record); a property not required is optional, and with
 *     `default` takes it when absent
 *   array: items
 *   $ref: `#/$defs/...` or `<file>.schema.json#/$defs/...`, any JSON pointer below that
 *   annotations: $schema, $comment, title, description, $defs
 */
import {z} from 'zod'

type Schema = Record<string, unknown>

const ANNOTATIONS = new Set(['$schema', '$comment', 'title', 'description', '$defs'])
const KNOWN = new Set([...ANNOTATIONS, '$ref', 'type', 'anyOf', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'default'])

const isNullSchema = (s: unknown): boolean => typeof s === 'object' && s !== null && (s as Schema).type === 'null' && Object.keys(s).every((k) => k === 'type' || ANNOTATIONS.has(k))

/** Builds zod schemas from a set of schema documents (by file name), each once. */
export class JsonSchemaZod {
  private readonly built = new Map<string, z.ZodType>()

  constructor(private readonly documents: Readonly<Record<string, unknown>>) {}

  /** The zod schema of `<file>#<pointer>`, e.g. `facts.schema.json#/$defs/answer`. */
  at(ref: string): z.ZodType {
    const [file, pointer = ''] = ref.split('#')
    const key = `${file}#${pointer}`
    let schema = this.built.get(key)
    if (!schema) {
      schema = this.convert(this.resolve(file, pointer), file)
      this.built.set(key, schema)
    }
    return schema
  }

  /**
   * The same, built when it first checks a value: a module can export every schema without
   * paying at start-up for those a command never uses.
   */
  lazy(ref: string): z.ZodType {
    return z.lazy(() => this.at(ref))
  }

  private resolve(file: string, pointer: string): Schema {
    let node: unknown = this.documents[file]
    if (node === undefined) throw new Error(`no schema document ${file}`)
    for (const part of pointer.split('/').filter(Boolean)) {
      node = (node as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
      if (node === undefined) throw new Error(`${file}: nothing at #${pointer}`)
    }
    return node as Schema
  }

  private convert(schema: Schema, file: string): z.ZodType {
    const where = () => `${file}: ${JSON.stringify(schema).slice(0, 80)}`
    for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`${where()}: the keyword ${key} is not one the answer check knows`)
    if (typeof schema.$ref === 'string') {
      const [refFile, pointer = ''] = schema.$ref.split('#')
      return this.at(`${refFile || file}#${pointer}`)
    }
    if (schema.const !== undefined) return z.literal(schema.const as z.core.util.Literal)
    if (Array.isArray(schema.enum)) {
      const values = schema.enum.filter((v) => v !== null)
      if (!values.every((v) => typeof v === 'string') || values.length === 0) throw new Error(`${where()}: enum must list strings (and null)`)
      const base = z.enum(values as [string, ...string[]])
      return values.length < schema.enum.length ? base.nullable() : base
    }
    if (Array.isArray(schema.anyOf)) {
      const options = schema.anyOf as Schema[]
      const others = options.filter((o) => !isNullSchema(o)).map((o) => this.convert(o, file))
      const base = others.length === 1 ? others[0] : z.union(others as [z.ZodType, z.ZodType, ...z.ZodType[]])
      return others.length < options.length ? base.nullable() : base
    }
    if (schema.type === undefined) return z.unknown()
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string]
    const others = types.filter((t) => t !== 'null').map((t) => this.ofType(t, schema, file, where))
    if (others.length === 0) return z.null()
    const base = others.length === 1 ? others[0] : z.union(others as [z.ZodType, z.ZodType, ...z.ZodType[]])
    return others.length < types.length ? base.nullable() : base
  }

  private ofType(type: string, schema: Schema, file: string, where: () => string): z.ZodType {
    switch (type) {
      case 'string':
        return z.string()
      case 'number':
        return z.number()
      case 'integer':
        return z.number().int()
      case 'boolean':
        return z.boolean()
      case 'array':
        return z.array(schema.items === undefined ? z.unknown() : this.convert(schema.items as Schema, file))
      case 'object':
        return this.object(schema, file, where)
      default:
        throw new Error(`${where()}: the type ${type} is not one the answer check knows`)
    }
  }

  private object(schema: Schema, file: string, where: () => string): z.ZodType {
    const required = new Set((schema.required as string[] | undefined) ?? [])
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {}
    const extra = schema.additionalProperties
    if (typeof extra === 'object' && extra !== null) {
      if (Object.keys(properties).length > 0) throw new Error(`${where()}: properties with an additionalProperties schema are not supported`)
      return z.record(z.string(), this.convert(extra as Schema, file))
    }
    const shape: Record<string, z.ZodType> = {}
    for (const [name, property] of Object.entries(properties)) {
      const value = this.convert(property, file)
      shape[name] = required.has(name) ? value : property.default === undefined ? value.optional() : value.optional().default(property.default as never)
    }
    for (const name of required) if (!(name in shape)) throw new Error(`${where()}: required ${name} is not among its properties`)
    return extra === false ? z.strictObject(shape) : z.looseObject(shape)
  }
}
