// Build step after tsc (npm run build). Measured on `plan` (npm run bench), each step pays:
//  1. The built-in OS catalog, validated, is written as dist/os-catalog.json: `plan` no
//     longer parses 240 lines of YAML it has already checked (~40 ms on a cold JIT).
//  2. The command services (src/services.ts) become one CommonJS bundle, dist/services.cjs:
//     resolving and linking ~150 small ES modules cost more than planning itself.
//     @oclif/core is not in it (the commands import oclif; the services never do).
//  3. The bundle is run once on every built-in template and profile, and V8's code cache
//     for it (functions compiled during that run included) is written beside it; the
//     commands compile the bundle with it (src/cli/services.ts). This halves both loading
//     and a cold plan on Node 20, which has no module compile cache of its own.
import {build} from 'esbuild'
import {writeFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

const {defaultCatalogFile, readCatalogDocument, COMPILED_CATALOG} = await import('../dist/integration/catalog.js')
writeFileSync(COMPILED_CATALOG(), JSON.stringify(readCatalogDocument(defaultCatalogFile())))

// zod 4 re-exports all ~60 locales from its namespace object, so none can be tree-shaken:
// 370 KB that every start would compile. hvguest's messages are English; keep only `en`.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({filter: /locales\/index\.js$/}, (args) =>
      args.importer.includes(join('node_modules', 'zod')) ? {path: 'zod-locales-en', namespace: 'hvguest-stub'} : undefined,
    )
    b.onLoad({filter: /.*/, namespace: 'hvguest-stub'}, () => ({
      contents: "export {default as en} from 'zod/v4/locales/en.js'",
      resolveDir: process.cwd(),
    }))
  },
}

const {BUNDLES, codeCacheOf, compileBundle} = await import('../dist/cli/services.js')
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  plugins: [zodEnglishOnly],
  // Loaded from node_modules, and only when a command opens a PowerShell session.
  external: ['node-powershell'],
  // The bundle runs through vm.Script (for its code cache), which has no dynamic-import hook:
  // lazy imports become lazy require() calls.
  supported: {'dynamic-import': false},
  // ES module code asks import.meta.url for its own location; in the bundle that is the bundle.
  banner: {js: "var __hvgModuleUrl = require('node:url').pathToFileURL(__filename).href;"},
  define: {'import.meta.url': '__hvgModuleUrl'},
  // Less text to compile; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
}
for (const [name, entry] of [['plan', 'dist/services.js'], ['exec', 'dist/services-exec.js']]) {
  rmSync(codeCacheOf(BUNDLES[name]), {force: true})
  await build({...common, entryPoints: [entry], outfile: BUNDLES[name]})
  // Warm-up: exercise what the commands run, so the cache holds compiled code for it.
  const {script, services} = compileBundle(name, {useCache: false})
  const none = '/nonexistent-hvguest-project'
  for (const t of services.listTemplates(none)) {
    const plan = await services.buildPlan({templates: [t.file], cwd: none, count: 2})
    services.renderPlan(plan)
    if (name === 'exec') services.describePlan(plan)
  }
  for (const p of services.listProfiles(none)) await services.buildPlan({templates: ['ubuntu-2204'], profile: p.file, cwd: none})
  services.validateFiles(services.builtinFiles(), {strict: false, cwd: none})
  writeFileSync(codeCacheOf(BUNDLES[name]), script.createCachedData())
  console.log(`bundled ${BUNDLES[name]} with a V8 code cache`)
}
