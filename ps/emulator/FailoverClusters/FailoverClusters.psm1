# Emulated FailoverClusters module (hvguest). The generated FailoverClusters.Commands.ps1 binds each cmdlet's documented
# parameter sets; the handlers in Handlers/ implement them against the state file.
$EmulatedModuleRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot '../HvEmulator/Shared/Import-EmulatedModule.ps1')
