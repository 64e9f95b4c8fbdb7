/**
 * Everything the commands call, in one module. The build bundles it into dist/services.cjs
 * with a V8 code cache (scripts/bundle.mjs, src/cli/services.ts), so a command pays for its
 * services once, compiled, instead of resolving ~150 ESM files on every start.
 */
export {buildPlan, planRun} from './plan/build-plan.js'
export {renderPlan} from './ui/plan-view.js'
export {MESSAGES} from './ui/messages.js'
export {renderTable} from './ui/table.js'
export {validateFiles, projectFiles, builtinFiles} from './plan/validate-files.js'
export {listTemplates, listProfiles, showTemplate, showProfile} from './plan/content-info.js'
export {jsonSchemaFor, SCHEMA_KINDS} from './spec/json-schema.js'
export {initProject} from './plan/init-project.js'
export {formatDiagnostic, InputError} from './model/diagnostic.js'
export {createGuests} from './provision/create.js'
export {describePlan} from './provision/describe.js'
export {selectHosts, askHosts} from './provision/host-actions.js'
export {emitScript} from './provision/emit-script.js'
export {openSession} from './powershell/session.js'
export {progressPrinter} from './ui/progress.js'
export {renderRun} from './ui/run-view.js'
export {renderGuestList} from './ui/guest-list.js'
