// The types of test-pwsh-env.mjs.
export const TEST_PWSH_ENV: Readonly<Record<string, string>>
