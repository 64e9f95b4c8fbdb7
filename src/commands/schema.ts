import {Args, Flags} from '../cli/oclif.js'
import {BaseCommand} from '../cli/base-command.js'
import {loadServices} from '../cli/bundles.js'

export default class SchemaCommand extends BaseCommand {
  static override summary = 'Print the JSON Schema of a file kind, for editor completion and checks.'
  static override description = `KIND is GuestTemplate, HardwareProfile, HostInventory or Lab (all of them when omitted).
With --out DIR, writes hvguest-<kind>.schema.json files, e.g. for the YAML language server:
  # yaml-language-server: $schema=./schemas/hvguest-guesttemplate.schema.json`

  static override examples = [
    '<%= config.bin %> <%= command.id %> GuestTemplate',
    '<%= config.bin %> <%= command.id %> --out .vscode/schemas',
  ]

  static override args = {
    kind: Args.string({description: 'File kind: GuestTemplate, HardwareProfile, HostInventory or Lab (any case).'}),
  }

  static override flags = {
    out: Flags.string({summary: 'Write one .schema.json file per kind into this folder.', helpValue: 'DIR'}),
  }

  async run(): Promise<Record<string, unknown>> {
    const {args, flags} = await this.parse(SchemaCommand)
    const {jsonSchemaFor, SCHEMA_KINDS, InputError} = await loadServices()
    const kind = args.kind && SCHEMA_KINDS.find((k) => k.toLowerCase() === args.kind!.toLowerCase())
    if (args.kind && !kind) throw new InputError(`no file kind "${args.kind}"; kinds: ${SCHEMA_KINDS.join(', ')}`)
    const kinds = kind ? [kind] : SCHEMA_KINDS
    const schemas = Object.fromEntries(kinds.map((k) => [k, jsonSchemaFor(k)]))
    if (flags.out) {
      const {mkdirSync, writeFileSync} = await import('node:fs')
      const {join} = await import('node:path')
      mkdirSync(flags.out, {recursive: true})
      const written = kinds.map((k) => {
        const file = join(flags.out!, `hvguest-${k.toLowerCase()}.schema.json`)
        writeFileSync(file, JSON.stringify(schemas[k], null, 2) + '\n')
        return file
      })
      if (!this.jsonEnabled()) for (const f of written) this.log(`wrote ${f}`)
      return {written}
    }
    const out = kind ? schemas[kind] : schemas
    // The schema is JSON either way; print it plainly in human mode too.
    if (!this.jsonEnabled()) this.log(JSON.stringify(out, null, 2))
    return out
  }
}
