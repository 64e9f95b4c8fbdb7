/**
 * First boot: a guest template's `firstBoot:` (cloud-init, kickstart or a Windows answer file)
 * from the spec to the bytes of its seed media. This module alone owns it; everything outside
 * imports it from here (for template authors: templates/firstboot/README.md).
 *
 * 1. resolveFirstBoot   the spec's `firstBoot:` as the plan's record: kind, template, media path
 *                       and volume label (record.ts)
 * 2. planFirstBoot      the record with its files rendered from Handlebars templates, every
 *                       value escaped for the file's format (render-files.ts, document-env.ts,
 *                       escape-formats.ts); a secret is (secret) in the plan's copy
 * 3. seedFilesOf        the media's files with the secrets in them, rendered when the media is
 *                       written (seed-files.ts); seedPlaceholderFilesOf for a script that asks
 *                       for the secrets when it runs
 * 4. seedMediaFor       the ISO 9660 image of those files, for the host (seed-media.ts)
 */
export {resolveFirstBoot} from './record.js'
export {planFirstBoot, renderFirstBoot, type FirstBootInput, type PlannedFirstBootResult} from './render-files.js'
export {rememberSeedRenderer, seedFilesOf, seedPlaceholderFilesOf, type SecretUse, type SeedRenderer} from './seed-files.js'
export {seedMediaFor, seedMediaList, type SeedMedia} from './seed-media.js'
export {compileDocument, precompileDocument, precompiledKey, type CompiledDocument, type DocumentFormat} from './document-env.js'
