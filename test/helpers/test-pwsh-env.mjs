// .NET runtime settings for the pwsh processes the tests start. vitest.config.ts puts them in
// every worker's environment, the CLI's sessions inherit them, and local-sshd.mjs passes them on to
// the far side when they are set. Plain JavaScript, so that local-sshd.mjs and the benches need no
// TypeScript loader.
//
// A test session lives for seconds, and most of its CPU is the JIT compiling PowerShell's dynamic
// call sites and script blocks the first time they run (docs/test-time.md):
// - DOTNET_JITMinOpts=1 compiles that code without optimisation, as the JIT's first tier does
//   anyway;
// - DOTNET_TC_CallCounting=0 keeps PowerShell's ahead-of-time compiled code instead of compiling
//   its hot methods again;
// - DOTNET_EnableDiagnostics=0 starts no diagnostics server (no debugger or dotnet-trace can attach),
//   whose pipes a killed pwsh otherwise leaves in /tmp.
// Measured on a create through the built CLI (docs/test-time.md has the figures): 10 guests,
// 5.30 s of CPU against 7.05 s. The code that runs is the same; only how it is compiled changes.
//
// Tests only: DOTNET_JITMinOpts is a retail but unsupported runtime knob (dotnet/runtime
// src/coreclr/inc/clrconfigvalues.h, UNSUPPORTED_JITMinOpts), so the CLI does not set it on users'
// hosts (src/powershell/pwsh-process.ts SESSION_ENV_DEFAULTS is what it sets), and the benches
// measure pwsh without any of these.
export const TEST_PWSH_ENV = Object.freeze({
  DOTNET_JITMinOpts: '1',
  DOTNET_TC_CallCounting: '0',
  DOTNET_EnableDiagnostics: '0',
})
