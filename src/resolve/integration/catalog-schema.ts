/**
 * zod schema of the OS catalog (templates/catalog/os.yaml). The file's header comment says
 * what each field means and where the facts come from.
 */
import {z} from 'zod'
import {API_VERSION} from '../../model/schemas.js'

const id = z.string().regex(/^(windows|linux)-[a-z0-9.-]+$/, 'an entry id looks like windows-2012r2 or linux-centos-6')
const fileName = z.string().regex(/^[^\\/:*?"<>|]+$/, 'a plain file name, without folders')

/**
 * What an OS needs of the VM it runs in (Windows 11: Generation 2, Secure Boot, a TPM), with
 * `source`, the URL of the page that says so. src/validate/os-requirement-rules.ts checks a plan against it.
 */
export const osRequirementsSchema = z
  .strictObject({
    generation: z.union([z.literal(1), z.literal(2)]).optional(),
    secureBoot: z.boolean().optional(),
    tpm: z.boolean().optional(),
    source: z.string().regex(/^https:\/\//, 'the https URL of the page that states the requirement'),
  })
  .transform((r): OsRequirements => ({generation: r.generation ?? null, secureBoot: r.secureBoot ?? false, tpm: r.tpm ?? false, source: r.source}))

/** An OS's VM requirements, as the rules read them (the entry's `requires:`, defaults filled in). */
export interface OsRequirements {
  generation: 1 | 2 | null
  secureBoot: boolean
  tpm: boolean
  /** The URL of the page that states them. */
  source: string
}

const windowsFields = {
  id,
  name: z.string().min(1),
  edition: z.enum(['server', 'client']),
  icDelivery: z.enum(['media', 'windows-update']),
  offlineCab: fileName.nullable(),
  updateNeedsKvp: z.boolean(),
  inboxDrivers: z.boolean(),
  requires: osRequirementsSchema.optional(),
}

const linuxFields = {
  id,
  name: z.string().min(1),
  strategy: z.enum(['linux-builtin', 'linux-lis']),
  initramfs: z.enum(['dracut', 'initramfs-tools', 'mkinitrd']).nullable(),
  kernelModules: z.array(z.string().min(1)),
  packages: z.array(z.string().min(1)),
  /** systemd units (or SysV services on older releases) the daemon packages install, enabled at first boot. */
  daemonUnits: z.array(z.string().min(1)).default([]),
  lisMedia: fileName.optional(),
  /** linux-builtin only: LIS media may still be attached on request (install: attach-media), for its extras. */
  lisOptional: z.boolean().default(false),
  inboxDrivers: z.boolean(),
}

/** A dotted numeric version: "22.04", "7", "6.10". */
const versionText = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d+(\.\d+)*$/, 'a version like 7, 6.10 or 22.04'))

export const windowsEntrySchema = z.strictObject({
  ...windowsFields,
  /** Normalised version names (lower case, no spaces): "2012r2", "8.1". */
  versions: z.array(z.union([z.string(), z.number()]).transform(String)).min(1),
})

export const linuxEntrySchema = z.strictObject({
  ...linuxFields,
  /** Lower-case distro names (an alias list: rhel, redhat). */
  distros: z.array(z.string().min(1)).min(1),
  /** min <= version < below. */
  versions: z.strictObject({min: versionText.optional(), below: versionText.optional()}),
})

export const catalogSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('OsCatalog'),
    /** Holder for YAML anchors; not read. */
    anchors: z.record(z.string(), z.unknown()).optional(),
    /** Default LIS media file name (in the host's isoRoot) for linux-lis entries. */
    lisMedia: fileName,
    /** What the LIS media installs, for a built-in entry that takes LIS on request (lisOptional). */
    lis: z.strictObject({packages: z.array(z.string().min(1)).min(1), daemonUnits: z.array(z.string().min(1))}).optional(),
    fallback: z.strictObject({
      windows: z.strictObject({...windowsFields, reason: z.string().min(1)}),
      linux: z.strictObject({...linuxFields, reason: z.string().min(1)}),
    }),
    windows: z.array(windowsEntrySchema),
    linux: z.array(linuxEntrySchema),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>([c.fallback.windows.id, c.fallback.linux.id])
    const check = (family: 'windows' | 'linux', entryId: string, i: number) => {
      if (!entryId.startsWith(`${family}-`)) ctx.addIssue({code: 'custom', path: [family, i, 'id'], message: `a ${family} entry id starts with "${family}-"`})
      if (seen.has(entryId)) ctx.addIssue({code: 'custom', path: [family, i, 'id'], message: `entry id "${entryId}" is used twice`})
      seen.add(entryId)
    }
    c.windows.forEach((e, i) => check('windows', e.id, i))
    c.linux.forEach((e, i) => {
      check('linux', e.id, i)
      if (e.lisOptional && e.strategy !== 'linux-builtin') ctx.addIssue({code: 'custom', path: ['linux', i, 'lisOptional'], message: 'lisOptional is for linux-builtin entries (a linux-lis entry has LIS already)'})
      if (e.lisOptional && !c.lis) ctx.addIssue({code: 'custom', path: ['linux', i, 'lisOptional'], message: 'lisOptional needs lis: {packages, daemonUnits} at the top of the catalog'})
    })
  })

export type CatalogDocument = z.output<typeof catalogSchema>
