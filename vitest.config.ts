import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // oclif writes through process.stdout; without this vitest swallows it (DESIGN section 10).
    disableConsoleIntercept: true,
    testTimeout: 30_000,
  },
})
