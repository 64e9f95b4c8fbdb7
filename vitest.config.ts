import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One folder per run for the emulated hosts test/fixtures/runtime/harness.ts builds once and copies per test.
    globalSetup: ['test/fixtures/runtime/global-setup.ts'],
    // oclif writes through process.stdout; without this vitest swallows it (DESIGN section 10).
    disableConsoleIntercept: true,
    testTimeout: 30_000,
  },
})
