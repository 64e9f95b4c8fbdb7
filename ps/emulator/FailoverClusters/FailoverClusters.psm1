# Emulated FailoverClusters module (hvguest). The generated Commands/<docset>.ps1 of the emulated host's OS
# binds each cmdlet's documented parameter sets (HvEmulator/Shared/Import-EmulatedModule.ps1 picks
# it; docs/host-versions.md); the handlers in Handlers/ implement them against the state file.
$EmulatedModuleRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot '../HvEmulator/Shared/Import-EmulatedModule.ps1')
