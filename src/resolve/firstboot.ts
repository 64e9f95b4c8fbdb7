/**
 * First-boot files (DESIGN section 2): the guest template's `firstBoot:` names a template; this
 * renders it, for one resolved guest, into the files the seed media carries.
 *
 * - cloudInit: `user-data`, `meta-data`, `network-config` (NoCloud, media label `cidata`). The
 *   reference names a user-data template, or a folder holding `user-data.yaml.hbs` and, when a
 *   team wants its own, `meta-data.yaml.hbs` / `network-config.yaml.hbs`; missing ones come from
 *   the built-in `templates/firstboot/cloud-init/`.
 * - kickstart: `ks.cfg` (media label `OEMDRV`). A `# boot-hint: …` line in the template says
 *   what to type at the installer's boot prompt; the plan carries it.
 * - unattend: `autounattend.xml` and `unattend.xml`, the same document under both names
 *   (media label `UNATTEND`): Windows Setup looks for the first on removable media, a
 *   generalized image's specialize/oobe passes for either, depending on version.
 *
 * A reference is looked up next to the guest template, then in the project folder, then among
 * the built-ins (`templates/`), so `firstboot/cloud-init` names the built-in set.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import type {Diagnostic, SourceRef} from '../model/diagnostic.js'
import type {PlannedFirstBoot, PlannedFirstBootFile, PlannedGuest} from '../model/plan.js'
import type {Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import {BUILTIN_ROOT} from '../load/library.js'
import {compileDocument, type DocumentFormat} from '../render/document-env.js'
import {TemplateError, type RenderContext} from '../render/handlebars-env.js'
import {undefinedMessage} from '../render/render.js'
import {SecretValue, type SecretMode, type SecretUses} from '../render/secret-value.js'
import {rememberSeedRenderer} from '../media/seed-files.js'

type Kind = PlannedFirstBoot['kind']

const FORMAT: Record<Kind, DocumentFormat> = {cloudInit: 'yaml', kickstart: 'shell', unattend: 'xml'}

/** The built-in cloud-init set, for the files a team's own set leaves out. */
const CLOUD_INIT_DEFAULTS = join(BUILTIN_ROOT, 'firstboot', 'cloud-init')
const CLOUD_INIT_FILES = ['user-data', 'meta-data', 'network-config'] as const

export interface FirstBootInput {
  guest: PlannedGuest
  /** The guest template's render context: parameters, name, index, host, profile. */
  context: RenderContext
  /** Optional parameters left unset (for "is not set" messages). */
  unset: ReadonlySet<string>
  templateFile: string | null
  cwd: string
  locate: Locate
  /** Template texts already read in this run, by file. */
  texts?: Map<string, string>
  /** Parameters declared secret (with a value): the plan shows (secret), only the media gets the value. */
  secrets?: ReadonlySet<string>
  /** The parameters' descriptions, for a script that asks for the secrets (create --emit --no-secrets). */
  descriptions?: Readonly<Record<string, string | undefined>>
}

/** Renders the guest's first-boot files into `guest.firstBoot` (files, bootHint); returns what went wrong. */
export function renderFirstBoot(input: FirstBootInput): Diagnostic[] {
  const fb = input.guest.firstBoot
  if (!fb) return []
  const name = input.guest.name
  const at = input.locate(['spec', 'firstBoot', fb.kind])
  const found = findTemplate(fb.template, input.templateFile, input.cwd)
  if (!found) {
    return [
      report('firstboot-template-not-found', `firstBoot.${fb.kind}: "${fb.template}" is not a file next to the template, in the project or among the built-in templates (e.g. firstboot/cloud-init)`, {guest: name, source: at}),
    ]
  }
  const sources = mediaSources(fb.kind, found)
  if ('missing' in sources) {
    return [report('firstboot-template-not-found', `firstBoot.cloudInit: the folder ${found} has no user-data.yaml.hbs`, {guest: name, source: at})]
  }
  const secrets = input.secrets ?? new Set<string>()
  /** One render of every file in a mode; meta-data's instance-id comes from the plan's (redacted) render in every mode. */
  const renderAll = (mode: SecretMode, instanceId?: string): {files: PlannedFirstBootFile[]; uses: SecretUses; diagnostics: Diagnostic[]; instanceId: string} => {
    const uses: SecretUses = []
    const context = firstBootContext(input)
    for (const name of secrets) {
      const value = input.context[name]
      if (typeof value === 'string' && value !== '') context[name] = new SecretValue(name, value, mode, uses)
    }
    context.__secrets = {mode, uses}
    const files: PlannedFirstBootFile[] = []
    const diagnostics: Diagnostic[] = []
    // meta-data last: its instance-id is derived from the other files' content
    const order = [...sources.files].sort((a, b) => Number(a.media === 'meta-data') - Number(b.media === 'meta-data'))
    for (const {media, file} of order) {
      if (media === 'meta-data') {
        const digest = createHash('sha256').update(files.map((f) => `${f.name}\0${f.content}\0`).join('')).digest('hex')
        ;(context.seed as {instanceId: string}).instanceId = instanceId ?? `hvguest-${input.guest.name}-${digest.slice(0, 12)}`
      }
      const rendered = renderFile(file, FORMAT[fb.kind], context, input, at)
      if (typeof rendered !== 'string') diagnostics.push(rendered)
      else files.push({name: media, template: file, content: rendered})
    }
    files.sort((a, b) => sources.files.findIndex((s) => s.media === a.name) - sources.files.findIndex((s) => s.media === b.name))
    return {files, uses, diagnostics, instanceId: (context.seed as {instanceId: string}).instanceId}
  }
  const plan = renderAll('redacted')
  if (plan.diagnostics.length > 0) return plan.diagnostics
  fb.files = plan.files
  fb.bootHint = fb.kind === 'kickstart' ? (/^#\s*boot-hint:\s*(.+?)\s*$/m.exec(plan.files[0].content)?.[1] ?? null) : null
  fb.secret = plan.uses.length > 0
  // A secret written as it is must fit its format (a line break in a kickstart line, a control
  // character in XML): found now, as for any value, not when the media is written.
  if (plan.uses.some((u) => u.form === 'plain')) {
    const check = renderAll('check')
    if (check.diagnostics.length > 0) return check.diagnostics
  }
  if (fb.secret) {
    // The media's bytes, rendered only when it is written (src/media/seed-files.ts); never in the plan.
    const instanceId = plan.instanceId
    const parameters = [...new Set(plan.uses.flatMap((u) => (u.parameter === null ? [] : [u.parameter])))]
    rememberSeedRenderer(fb, {
      render: (mode) => {
        const r = renderAll(mode, instanceId)
        // the plan checked every value; a render that still fails must not write media with files missing
        if (r.diagnostics.length > 0) throw new Error(`the first-boot files of ${input.guest.name} could not be rendered again for the media: ${r.diagnostics.map((d) => d.message).join('; ')}`)
        return r.files
      },
      parameters: parameters.map((p) => ({parameter: p, description: input.descriptions?.[p] ?? null, forms: [...new Set(plan.uses.filter((u) => u.parameter === p).map((u) => u.form))]})),
    })
  }
  return []
}

function findTemplate(ref: string, templateFile: string | null, cwd: string): string | undefined {
  const candidates = isAbsolute(ref) ? [ref] : [templateFile && resolve(dirname(templateFile), ref), resolve(cwd, ref), join(BUILTIN_ROOT, ref)]
  return candidates.find((c): c is string => !!c && existsSync(c))
}

function mediaSources(kind: Kind, found: string): {files: Array<{media: string; file: string}>} | {missing: true} {
  if (kind === 'kickstart') return {files: [{media: 'ks.cfg', file: found}]}
  if (kind === 'unattend') return {files: [{media: 'autounattend.xml', file: found}, {media: 'unattend.xml', file: found}]}
  if (!statSync(found).isDirectory()) {
    return {files: CLOUD_INIT_FILES.map((media) => ({media, file: media === 'user-data' ? found : join(CLOUD_INIT_DEFAULTS, `${media}.yaml.hbs`)}))}
  }
  if (!existsSync(join(found, 'user-data.yaml.hbs'))) return {missing: true}
  return {
    files: CLOUD_INIT_FILES.map((media) => {
      const own = join(found, `${media}.yaml.hbs`)
      return {media, file: existsSync(own) ? own : join(CLOUD_INIT_DEFAULTS, `${media}.yaml.hbs`)}
    }),
  }
}

function renderFile(file: string, format: DocumentFormat, context: RenderContext, input: FirstBootInput, at: SourceRef): string | Diagnostic {
  const guest = input.guest.name
  const texts = (input.texts ??= new Map())
  let text = texts.get(file)
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      return report('file-not-found', `cannot read first-boot template ${file}: ${(error as Error).message}`, {guest, source: at})
    }
    texts.set(file, text)
  }
  try {
    return compileDocument(text, format).render(context)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const source = {file, ...positionOf(text, error.index)}
    switch (error.kind) {
      case 'undefined-variable': {
        const root = (error.expression ?? '').split('.')[0]
        const hint = root in context ? '' : `; a first-boot template sees the guest template's parameters, so declare "${root}" there (required: false when it is optional)`
        return report('template-undefined-variable', undefinedMessage(error.expression ?? '', context, input.unset) + hint, {guest, source})
      }
      case 'helper':
        return report('template-helper-error', error.message, {guest, source})
      case 'format':
        return report('firstboot-value-invalid', `${error.message} (${format} first-boot file for ${guest})`, {guest, source})
      default:
        return report('template-syntax', error.message, {guest, source})
    }
  }
}

function positionOf(text: string, index: number): {line: number; column: number} {
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return {line, column: index - (before.lastIndexOf('\n') + 1) + 1}
}

/**
 * What a first-boot template sees: everything a guest template sees (parameters, `name`,
 * `index`, `host.*`, `profile.*`), the template's `firstBoot.values` as `values`, the seed
 * media as `seed`, and the resolved guest as `guest` (documented in templates/firstboot/README.md).
 */
export function firstBootContext(input: Pick<FirstBootInput, 'guest' | 'context'> & {unset?: ReadonlySet<string>}): RenderContext {
  const g = input.guest
  const ic = g.integration
  const driverOf = (legacy: boolean) => (legacy ? 'tulip' : 'hv_netvsc')
  const adapters = g.networkAdapters.map((a, i) => ({
    index: i,
    id: `nic${i}`,
    name: a.name,
    switch: a.switch,
    legacy: a.legacy,
    vlan: a.vlan,
    jumboPacket: a.jumboPacket,
    // *JumboPacket counts the 14-byte Ethernet header; the guest's MTU does not (9014 -> 9000).
    mtu: a.jumboPacket && a.jumboPacket > 1514 ? a.jumboPacket - 14 : null,
    macAddress: a.macAddress ? colonMac(a.macAddress) : null,
    /** cloud-init v2 `match`: the static MAC, else the driver when unambiguous, else the kernel name. */
    match: a.macAddress
      ? {macaddress: colonMac(a.macAddress)}
      : g.networkAdapters.filter((b) => b.legacy === a.legacy).length === 1
        ? {driver: driverOf(a.legacy)}
        : {name: `eth${i}`},
  }))
  const synthetic = adapters.filter((a) => !a.legacy)
  const jumbo = Math.max(0, ...synthetic.map((a) => a.jumboPacket ?? 0))
  // Unset optional parameters are null here, so that `{{#if sshKey}}` asks whether one was given
  // while a misspelt variable is still an error (document-env.ts).
  const unset = Object.fromEntries([...(input.unset ?? [])].filter((k) => !(k in input.context)).map((k) => [k, null]))
  return {
    ...unset,
    ...input.context,
    values: g.firstBoot?.values ?? {},
    seed: {kind: g.firstBoot?.kind ?? null, label: g.firstBoot?.label ?? null, instanceId: `hvguest-${g.name}`},
    guest: {
      name: g.name,
      hostname: g.hostname,
      generation: g.generation,
      os: g.os,
      roles: g.roles,
      chimney: g.chimney,
      jumboPacket: jumbo > 1514 ? jumbo : null,
      mtu: jumbo > 1514 ? jumbo - 14 : null,
      networkAdapters: adapters,
      integration: {
        strategy: ic.strategy,
        install: ic.install,
        catalogEntry: ic.catalogEntry,
        media: ic.media,
        // the guest installs ICs from the attached media (vmguest.iso, or LIS for old Linux)
        installFromMedia: ic.media !== null && (ic.strategy === 'windows-ic-media' || ic.strategy === 'linux-lis'),
        kernelModules: ic.kernelModules,
        initramfs: initramfsSetup(ic.initramfs, ic.kernelModules),
        packages: ic.packages,
        daemonUnits: ic.daemonUnits,
        services: Object.fromEntries(ic.services.map((s) => [s.key, s.enabled])),
      },
    },
  }
}

/**
 * How this distro's initramfs comes to carry the hv_* modules: a configuration file and the
 * command that rebuilds the image (cloud-init write_files + runcmd take them as they are).
 */
function initramfsSetup(tool: PlannedGuest['integration']['initramfs'], modules: string[]) {
  if (!tool || modules.length === 0) return null
  switch (tool) {
    case 'initramfs-tools': // Debian/Ubuntu: one module per line in /etc/initramfs-tools/modules
      return {tool, path: '/etc/initramfs-tools/modules', append: true, content: modules.map((m) => `${m}\n`).join(''), command: ['update-initramfs', '-u', '-k', 'all']}
    case 'dracut': // RHEL family, SLES: a drop-in read by every later dracut run
      return {tool, path: '/etc/dracut.conf.d/hyperv.conf', append: false, content: `add_drivers+=" ${modules.join(' ')} "\n`, command: ['dracut', '-f', '--regenerate-all']}
    case 'mkinitrd': // EL5: modules named on the mkinitrd command line
      return {tool, path: '/etc/sysconfig/hvguest-initrd-modules', append: false, content: `${modules.join(' ')}\n`, command: ['mkinitrd', '-f', ...modules.map((m) => `--with=${m}`)]}
  }
}

const colonMac = (mac: string): string =>
  mac
    .replace(/[^0-9a-f]/gi, '')
    .toLowerCase()
    .replace(/(..)(?!$)/g, '$1:')
