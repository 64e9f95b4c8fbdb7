import {defineConfig} from 'vitest/config'
import {SESSION_ENV_DEFAULTS} from './src/powershell/pwsh-process.js'
import {TEST_PWSH_ENV} from './test/helpers/test-pwsh-env.mjs'

/**
 * What a project whose files share their worker's process sets: spies, stubbed environment
 * variables and globals are put back before each test, even after a test that failed.
 */
const SHARED_PROCESS = {isolate: false, restoreMocks: true, unstubEnvs: true, unstubGlobals: true}

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
    // Three projects in the one pool (docs/test-time.md has the measurements). `hosts`: a process
    // per test file, as vitest does by default, since its helpers keep state at module level and
    // register hooks when first imported. `powershell` and `unit`: the files of a worker share its
    // process (SHARED_PROCESS), so modules load once per worker, and the runtime harness's shared
    // pwsh session per host OS (test/fixtures/runtime/harness.ts, openShared: made fresh for each
    // host) outlives its file; each file's own temp folders and live sessions are removed after it
    // (test/fixtures/runtime/per-file.ts). A test there keeps no state at module level that another
    // file could see. The session* files change their worker's environment and spawn function, and
    // count its processes: `hosts`. vitest runs the projects in name order, `hosts` first.
    projects: [
      {extends: true, test: {name: 'hosts', include: ['test/e2e/**/*.test.ts', 'test/powershell/session*.test.ts']}},
      {
        extends: true,
        test: {
          name: 'powershell',
          include: ['test/powershell/**/*.test.ts'],
          exclude: ['test/powershell/session*.test.ts'],
          ...SHARED_PROCESS,
          setupFiles: ['test/fixtures/runtime/per-file.ts'],
          // Added to the root's env (vitest merges them): tells harness.ts that files share the process.
          env: {HVG_TEST_FILES_SHARE_PROCESS: '1'},
        },
      },
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts'], ...SHARED_PROCESS}},
    ],
  },
})
