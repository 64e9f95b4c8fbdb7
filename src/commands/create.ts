import {Args, Flags} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {loadExecServices} from '../cli/bundles.js'
import {planRequestFromFlags, templateFlags} from '../cli/template-flags.js'

/** stderr notice of `create --emit` when the script's seed media carry a secret. */
const EMIT_SECRETS_NOTICE = (file: string): string =>
  `${file} holds secrets (the seed media carry them: hashed, or encoded, which anyone can decode); it is readable by you alone. To write a script that asks for them when it runs on the host instead, add --no-secrets.`

export default class CreateCommand extends BaseCommand {
  static override summary = 'Create guests from templates on Hyper-V hosts (or an emulated host).'
  static override description = `Plans the guests (as "hvguest plan" does), checks each host without changing anything,
then creates them: one PowerShell session per host (--parallel N: N of them), one round trip
per guest, every step journaled on the host. A failure rolls back everything this run created or changed (host
settings included) and never touches what existed before. A killed run leaves a journal that
"hvguest recover" finishes undoing.
With --wait, the guests are started and watched until each reports heartbeat OK and an IPv4
address through KVP.
Exit codes: 0 created (and ready), 1 failed on a host (after rollback), not ready in time, or
created but not committed (the guests are kept: "hvguest recover" finishes the commit),
2 invalid input or a host not ready.`

  static override examples = [
    {description: 'Create one Ubuntu guest on the emulated host of a starter project', command: '<%= config.bin %> <%= command.id %> templates/lab-linux.yaml'},
    {description: 'Ten web servers, as JSON', command: '<%= config.bin %> <%= command.id %> ws2022 --count 10 --name "web{{index}}" --host hv1 --json'},
    {description: 'Create, start and wait until the guest reports its IP address', command: '<%= config.bin %> <%= command.id %> ubuntu-2204 --name web1 --set sshKey="ssh-ed25519 AAAA... me@host" --wait --timeout 300'},
    {description: 'Show what would run, change nothing', command: '<%= config.bin %> <%= command.id %> ubuntu-2204 --dry-run'},
    {description: 'Twenty guests, four sessions at once on each host', command: '<%= config.bin %> <%= command.id %> ubuntu-2204 --count 20 --name "lab{{index}}" --parallel 4'},
    {description: 'Write a standalone script to run on a host without Node.js', command: '<%= config.bin %> <%= command.id %> ws2012r2 --emit create-ws2012r2.ps1'},
  ]

  static override strict = false
  static override args = {
    template: Args.string({description: 'Template name (built-in or ./templates) or path; several may be given.', required: true}),
  }

  static override flags = {
    ...templateFlags,
    'dry-run': Flags.boolean({summary: 'Show the plan and what would run; change nothing.', default: false}),
    emit: Flags.string({
      summary: 'Write a standalone PowerShell script that runs this plan on a host, and stop.',
      description: 'The file is readable by you alone (0600; on Windows an ACL for your account only): its seed media carry any secret the templates use. Add --no-secrets to embed none.',
      helpValue: 'FILE',
      exclusive: ['dry-run'],
    }),
    'no-secrets': Flags.boolean({
      summary: 'With --emit: embed no secret; the script asks for each one when it runs on the host.',
      description:
        'The script prompts for each secret parameter (Read-Host -AsSecureString, typed twice) and writes the hashed or encoded forms into the seed media on the host before the guest is created. It must run in an interactive console. A first-boot file that writes a secret as it is cannot be filled in that way and is refused.',
      // no default: oclif counts a default as given, and would then ask for --emit on every create
      dependsOn: ['emit'],
    }),
    replace: Flags.boolean({
      summary: 'Replace a guest whose VM name exists already on the host.',
      description:
        'The old VM is removed first, with the files hvguest created for it (never other files). This is the one change a failed run does not undo: the old guest stays removed.',
      default: false,
    }),
    start: Flags.boolean({summary: 'Start every guest once it is created (as start: true in the template).', default: false}),
    wait: Flags.boolean({
      summary: 'Start the guests, then wait until each reports heartbeat OK and an IPv4 address through KVP.',
      description:
        'Progress shows what each guest reports. A guest not ready within --timeout is kept (it was created as planned) and named with the likely cause, such as a Linux guest without hv_kvp_daemon; the exit code is then 1. Not with --emit.',
      default: false,
      // relationships, not exclusive: the same refusal, and oclif's usage line shows [--wait] instead of an empty [--wait | ]
      relationships: [{type: 'none', flags: ['emit']}],
    }),
    timeout: Flags.integer({summary: 'Seconds one guest may take on its host before it is failed; with --wait, also the seconds to wait for the guests to be ready.', default: 600, min: 10}),
    'lock-timeout': Flags.integer({summary: 'Seconds to wait for another run on the same host to finish.', default: 60, min: 0}),
    parallel: Flags.integer({
      summary: "Sessions per host, each creating its share of the host's guests at the same time (default 1).",
      description:
        "A host's guests are dealt to its sessions in turn. The first session takes the host lock and sets the host (jumbo frames, TCP Chimney); each other session keeps a journal of its own under that lock. A failure in any session rolls back every session's work on every host; a killed run is finished by \"hvguest recover\". What a host can do at once bounds the gain: disk copies and VM creation share its disks and its VMMS. Not with --emit or --dry-run.",
      min: 1,
      max: 64,
      helpValue: 'N',
      // no default: oclif counts a default as given, and --emit/--dry-run do not use it
      relationships: [{type: 'none', flags: ['emit', 'dry-run']}],
    }),
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(CreateCommand)
    const s = await loadExecServices()
    const request = planRequestFromFlags(argv as string[], flags)
    // A host without the Hyper-V module by its OS (2008, 2008 R2) is a plan error here, not in `plan`.
    const planRun: typeof s.planRun = (req) => s.refuseUnmanagedHosts(s.planRun(req))

    if (flags['dry-run'] || flags.emit) {
      // --no-secrets: the script asks for every secret parameter, given here or not
      const {plan} = await s.planPlaced(flags['no-secrets'] === true ? {...request, askSecrets: true} : request, planRun, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
      // --start holds for what is shown and what is emitted too (--wait needs this CLI: not with --emit)
      if (flags.start || flags.wait) for (const g of plan.guests) g.start = true
      if (plan.summary.errors > 0) {
        process.exitCode = EXIT.invalidInput
        if (!this.jsonEnabled()) {
          this.log(s.renderPlan(plan))
          this.logToStderr(s.MESSAGES.planFailed)
        }
        return {status: 'invalid', plan}
      }
      if (flags.emit) {
        const noSecrets = flags['no-secrets'] === true
        const file = s.emitScript(plan, flags.emit, {replace: flags.replace, lockTimeoutSeconds: flags['lock-timeout'], noSecrets})
        // stderr, even with --json: the one place a person sees it, and stdout stays the document
        if (!noSecrets && plan.guests.some((g) => g.firstBoot?.secret === true)) this.logToStderr(EMIT_SECRETS_NOTICE(file))
        this.say(`wrote ${file}: run it on the host with: pwsh -File ${flags.emit}`)
        return {status: 'emitted', file}
      }
      const steps = s.describePlan(plan)
      if (!this.jsonEnabled()) {
        this.log(s.renderPlan(plan))
        this.log('\nWould run (nothing has changed):')
        for (const [host, lines] of Object.entries(steps.hosts)) for (const l of lines) this.log(`  ${host}: ${l}`)
        for (const [guest, lines] of Object.entries(steps.guests)) {
          this.log(`  ${guest}:`)
          for (const l of lines) this.log(`    ${l}`)
        }
      }
      return {status: 'dry-run', plan, steps}
    }

    // A live display of every host and guest on a terminal (listr2, loaded only then); plain lines otherwise.
    const progress = this.jsonEnabled() ? undefined : await s.liveProgress((l) => this.logToStderr(l))
    // First Ctrl-C: finish the step under way, then roll back. Second: leave at once; the
    // journal on the host lets "hvguest recover" finish the undo.
    let result: Awaited<ReturnType<typeof s.createGuests>>
    try {
      result = await this.interruptible((signal) =>
        s.createGuests(
          {
            ...request,
            replace: flags.replace,
            lockTimeoutSeconds: flags['lock-timeout'],
            timeoutMs: flags.timeout * 1000,
            start: flags.start,
            wait: flags.wait ? {timeoutMs: flags.timeout * 1000} : undefined,
            parallel: flags.parallel ?? 1,
            signal,
            onEvent: progress?.onEvent,
          },
          {plan: planRun, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})},
        ),
      )
    } finally {
      await progress?.stop()
    }
    process.exitCode = result.status === 'ok' ? EXIT.ok : ['failed', 'not-ready', 'commit-failed'].includes(result.status) ? EXIT.hostFailure : EXIT.invalidInput
    if (!this.jsonEnabled()) this.log(s.renderRun(result))
    const {plan, ...rest} = result
    return {...rest, diagnostics: plan.diagnostics}
  }
}
