/**
 * What the commands that act on hosts (create, list, destroy, recover) call: the planning
 * services plus sessions, the run, --emit and --dry-run. A bundle of its own
 * (dist/services-exec.cjs), so that `plan` does not load and compile the execution code.
 */
export * from './services.js'
export {initProject} from './execute/init-project.js'
export {createGuests} from './execute/create.js'
export {describePlan} from './execute/describe.js'
export {selectHosts, askHosts, refuseUnmanagedHosts} from './execute/host-actions.js'
export {emitScript} from './execute/emit-script.js'
export {openSession, prestartSessionShell} from './powershell/session.js'
export {stopPrestartedPwsh} from './powershell/pwsh-process.js'
export {progressPrinter} from './report/progress.js'
export {renderRun} from './report/run-view.js'
export {renderGuestList} from './report/guest-list.js'
export {icStatus} from './execute/guest-status.js'
export {icInject} from './execute/ic-inject.js'
export {renderIcStatus, renderIcInject} from './report/ic-status-view.js'
export {runDoctor} from './execute/doctor.js'
export {netShow, netApply, netRestore} from './execute/host-network.js'
export {renderDoctor} from './report/doctor-view.js'
export {runProbe} from './execute/probe.js'
export {renderProbe} from './report/probe-view.js'
export {renderNetShow, renderNetApply, renderNetRestore} from './report/net-view.js'
