import {defineConfig} from 'vitest/config'
import {SESSION_ENV_DEFAULTS} from './src/powershell/pwsh-process.js'
import {TEST_PWSH_ENV} from './test/helpers/test-pwsh-env.mjs'

export default defineConfig({
  test: {
    // One folder per run for the emulated hosts test/fixtures/runtime/harness.ts builds once and copies per test.
    globalSetup: ['test/fixtures/runtime/global-setup.ts'],
    // oclif writes through process.stdout; without this vitest swallows it, and CLI tests that read what oclif printed see nothing.
    disableConsoleIntercept: true,
    testTimeout: 30_000,
    // Two test files at a time on the 2-core machine (vitest's default is cores - 1 = 1): one worker
    // leaves a core idle while its pwsh starts. Measured on test/powershell's
    // runtime-create/-preflight/-hostile/-protocol + emulator-host-conditions: 294 s with one
    // worker, 177 s with two, the same CPU time. Two workers keep the 2 cores 92 % busy; three
    // are slower (751 s against 632 s on 2026-12-07, docs/test-time.md). HVG_TEST_WORKERS=1 goes
    // back to one.
    maxWorkers: Number(process.env.HVG_TEST_WORKERS) || 2,
    // Hooks that build hosts or open sessions start pwsh: 120 s, as the pwsh tests have, not vitest's 10 s.
    hookTimeout: 120_000,
    // The defaults the CLI gives its own pwsh sessions (src/powershell/pwsh-process.ts
    // SESSION_ENV_DEFAULTS), for the pwsh processes the tests start themselves, and the tests' .NET runtime
    // settings (test/helpers/test-pwsh-env.mjs: about a quarter less CPU per session), which the
    // CLI's sessions inherit.
    env: {...SESSION_ENV_DEFAULTS, ...TEST_PWSH_ENV},
    // Three projects in the one pool. `hosts` (real pwsh, the built CLI, sshd): a process per test
    // file, as vitest does by default, since its helpers keep state at module level and register
    // hooks when first imported. `unit`: the files of a worker share its process (isolate: false), so that the source
    // modules are loaded once per worker, not once per file: 51-55 s of CPU for test/unit against
    // 71-81 s isolated (docs/test-time.md). A unit test therefore keeps no state at module level
    // that another file could see; spies, stubbed variables and globals are put back before each
    // test (restoreMocks, unstubEnvs, unstubGlobals), even after a test that failed. vitest runs
    // the projects in name order, `hosts` first, so the shorter files fill the end of the run.
    //
    // `powershell` (test/powershell but the session* files, which change the worker's own
    // environment and spawn function, and count its processes): the files of a worker share its process too, and
    // with it test/fixtures/runtime/harness.ts's shared pwsh session per host OS, made fresh for
    // each host it is handed to (openShared). A session's first requests pay for PowerShell
    // compiling the runtime's code paths; a session that outlives its file pays that once per
    // worker: 154-160 s of CPU for test/powershell/runtime-* against 238 s. Each file's own temp
    // folders and live sessions are removed after it (test/fixtures/runtime/per-file.ts). The
    // emulator's files are in it too: they wait on no lock and keep both cores busy while a
    // runtime file waits on one.
    projects: [
      {extends: true, test: {name: 'hosts', include: ['test/e2e/**/*.test.ts', 'test/powershell/session*.test.ts']}},
      {
        extends: true,
        test: {
          name: 'powershell',
          include: ['test/powershell/**/*.test.ts'],
          exclude: ['test/powershell/session*.test.ts'],
          isolate: false,
          setupFiles: ['test/fixtures/runtime/per-file.ts'],
          env: {...SESSION_ENV_DEFAULTS, ...TEST_PWSH_ENV, HVG_TEST_FILES_SHARE_PROCESS: '1'},
          restoreMocks: true,
          unstubEnvs: true,
        },
      },
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false, restoreMocks: true, unstubEnvs: true, unstubGlobals: true}},
    ],
  },
})
