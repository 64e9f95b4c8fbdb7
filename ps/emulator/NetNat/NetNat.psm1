# Emulated NetNat module (hvguest): WinNAT objects. The generated Commands/<docset>.ps1 of the
# emulated host's OS binds each cmdlet's documented parameter sets (HvEmulator/Shared/Import-EmulatedModule.ps1
# picks it; docs/host-versions.md); a 2012 host has none (its docset has no NetNat module). The
# handlers in Handlers/ implement them against the state file.
$EmulatedModuleRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot '../HvEmulator/Shared/Import-EmulatedModule.ps1')
