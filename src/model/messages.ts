/**
 * User-facing text that more than one command prints lives here, so the wording stays
 * consistent and can be reviewed in one place.
 */
export const MESSAGES = {
  summary: (errors: number, warnings: number, infos: number) =>
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''}`,
  planFailed: 'The plan has errors: nothing can be created from it. Fix the lines above and run again.',
  strictHint: '(--strict: warnings count as errors)',
  // -- hosts hvguest cannot act on (hyperv-module-missing) and shells that are not there (shell-missing)
  hostOsUnmanaged: (host: string, os: string, managed: string, byFlag = false) =>
    `host "${host}" is ${os} ${byFlag ? '(--host-os)' : 'in the inventory'}, which has no Hyper-V PowerShell module (only WMI v1): hvguest plans for it ("hvguest plan") but cannot act on it. ` +
    `${managed}. Nothing was done. If ${host} runs a later Windows, ${byFlag ? 'give that --host-os' : 'correct its os: in the inventory'}.`,
  hyperVModuleMissing: (host: string, describe: string, managed: string) =>
    `host "${host}" (${describe}) has no Hyper-V PowerShell module, so hvguest cannot act on it; nothing was done. ${managed}. ` +
    'On Windows Server 2012 or later, install it with Install-WindowsFeature -Name Hyper-V -IncludeManagementTools (or Hyper-V-PowerShell); on Windows 10/11, Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All.',
  notAHyperVHost: (platform: string, managed: string) =>
    `this machine (${platform}) is not a Hyper-V host, and with no inventory the target is this machine; nothing was done. ` +
    `Run "hvguest init" for a starter project with an emulated host, or give an inventory (--inventory FILE, or hosts.yaml in this folder) that lists your Hyper-V hosts. ${managed}.`,
  shellNotWindows: (host: string, platform: string) =>
    `host "${host}": shell: powershell is Windows PowerShell 5.1, which exists only on Windows; this machine is ${platform}. Use shell: pwsh (PowerShell 7) or remove shell:.`,
  shellNotFound: (host: string, shell: string, looked: string[], fix: string) =>
    `host "${host}": shell ${shell} was not found (looked at ${looked.join(', ')}). ${fix}`,
  validateOk: (n: number) => `${n} file${n === 1 ? '' : 's'} valid.`,
  validateNothing:
    'Nothing to validate: give files, or run in a project folder (templates/, profiles/, hosts.yaml). Built-in content is checked with --builtin.',
  initDone: (dir: string, here: boolean) =>
    `Starter project ready in ${dir}. Next: ${here ? '' : `cd ${dir} && `}hvguest validate && hvguest plan templates/lab-linux.yaml && hvguest create templates/lab-linux.yaml`,
  initNothing: (dir: string) => `Nothing created: every starter file exists already in ${dir} (use --force to overwrite them).`,
  initNoPwsh: (why: string, dir: string) =>
    `no emulated host was set up: ${why} Then run "hvguest init ${dir}" again: it keeps the files that exist and sets up the emulated host. ` +
    'Until then validate and plan work; create needs a host.',
  initEmulatorFailed: (pwsh: string, why: string) =>
    `the emulated host could not be set up (${pwsh} ran ps/emulator/New-StarterHost.ps1 of this hvguest): ${why}. ` +
    'The starter files were written; nothing of the host was kept. A missing file of hvguest means a broken install: reinstall hvguest, then run init again.',
  initEmulatorCreated: (stateFile: string, images: string[]) => `created an emulated Hyper-V host: ${stateFile} (switch Lab, base image ${images.join(', ')})`,
  initExists: (files: string[]) => `these files exist already and were left alone (use --force to overwrite): ${files.join(', ')}`,
  commitFailed: (host: string, runId: string, why: string, guests: string[]) =>
    `${guests.join(', ')} ${guests.length === 1 ? 'was' : 'were'} created on ${host} and ${guests.length === 1 ? 'is' : 'are'} kept, but run ${runId} could not be committed there (${why}). ` +
    `hvguest has no record of ${guests.length === 1 ? 'it' : 'them'} yet (list, destroy and ic need one) and the host lock is still held. ` +
    `Fix the cause, then run "hvguest recover --host ${host}": it finishes the commit and never removes ${guests.length === 1 ? 'this guest' : 'these guests'}.`,
  hostWarning: (guest: string, host: string, w: {code: string; setting: string | null; message: string}) =>
    `warning: ${guest} on ${host}: ${w.message} [${w.code}${w.setting ? `, ${w.setting}` : ''}]`,
  commitLeftToRecover: (runId: string, why: string) =>
    `The change was made, but run ${runId} could not be committed (${why}): it is kept, and the host lock is still held. Fix the cause, then run "hvguest recover": it finishes the commit.`,
  probeAllOk: (hosts: number) =>
    `Probe passed: on ${hosts === 1 ? 'this host' : `all ${hosts} hosts`} every device of the throwaway guest came out as asked, and everything it made was removed.`,
  probeDiffers: (failed: number) =>
    `The host differs from what hvguest expects in ${failed} finding${failed === 1 ? '' : 's'}. Attach the output of "hvguest doctor --probe --json" to a bug report: it holds the findings and the host facts.`,
  probeLeftBehind: (host: string) =>
    `${host}: the probe could not remove everything it made. Run "hvguest recover --host ${host}": it finishes removing the probe guest from its journal.`,
  probeProfileFlag: '--profile has no meaning with --probe: the probe guest has no network settings to check.',
  completionMissing: (shell: string, file: string) =>
    `the ${shell} completion script is missing (${file}): this hvguest install is broken. Reinstall hvguest (from a source checkout: npm run build).`,
} as const
