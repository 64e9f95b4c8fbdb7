/**
 * Everything the planning commands call, in one module (the execution commands load
 * services-exec.ts, which adds sessions and the run). The build bundles it into dist/services.cjs
 * with a V8 code cache (scripts/bundle.mjs, src/cli/bundles.ts), so a command pays for its
 * services once, compiled, instead of resolving ~150 ESM files on every start.
 */
export {buildPlan, placesByMemory, planRun} from './plan/build-plan.js'
export {renderPlan} from './report/plan-view.js'
export {planLab} from './lab/plan-lab.js'
export {renderLabPlan} from './report/lab-view.js'
export {MESSAGES} from './model/messages.js'
export {renderTable} from './report/table.js'
export {projectFiles, builtinFiles} from './plan/validate-files.js'
export {validateAllFiles as validateFiles} from './lab/validate-lab.js'
export {listTemplates, listProfiles, showTemplate, showProfile} from './plan/content-info.js'
export {jsonSchemaFor, SCHEMA_KINDS} from './load/json-schema.js'
export {formatDiagnostic, InputError} from './model/diagnostic.js'
