# Emulated NetTCPIP module (hvguest). The generated NetTCPIP.Commands.ps1 binds each cmdlet's documented
# parameter sets; the handlers in Handlers/ implement them against the state file.
$EmulatedModuleRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot '../HvEmulator/Shared/Import-EmulatedModule.ps1')
