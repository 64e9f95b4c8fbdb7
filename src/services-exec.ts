/**
 * What the commands that act on hosts (create, list, destroy, recover) call: the planning
 * services plus sessions, the run, --emit and --dry-run. A bundle of its own
 * (dist/services-exec.cjs), so that `plan` does not load and compile the execution code.
 */
export * from './services.js'
export {initProject} from './plan/init-project.js'
export {createGuests} from './provision/create.js'
export {describePlan} from './provision/describe.js'
export {selectHosts, askHosts, refuseUnmanagedHosts} from './provision/host-actions.js'
export {emitScript} from './provision/emit-script.js'
export {openSession} from './powershell/session.js'
export {progressPrinter} from './ui/progress.js'
export {renderRun} from './ui/run-view.js'
export {renderGuestList} from './ui/guest-list.js'
export {icStatus} from './provision/guest-status.js'
export {icInject} from './provision/ic-inject.js'
export {renderIcStatus, renderIcInject} from './ui/ic-status-view.js'
export {runDoctor} from './provision/doctor.js'
export {netShow, netApply, netRestore} from './provision/host-network.js'
export {renderDoctor} from './ui/doctor-view.js'
export {runProbe} from './provision/probe.js'
export {renderProbe} from './ui/probe-view.js'
export {renderNetShow, renderNetApply, renderNetRestore} from './ui/net-view.js'
