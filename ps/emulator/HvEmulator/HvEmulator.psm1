# hvguest emulated host: core module. Every emulated cmdlet (Hyper-V, NetAdapter, ...) binds its
# documented parameters and then calls Invoke-HvEmulatorCommand, which counts the call for fault
# injection, takes the state lock for a mutating cmdlet, loads the state, runs the cmdlet's handler
# and writes the state back atomically.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

# Virtual hard disk files (Get-HvEmulatorState reads the packages serviced into images), ISO 9660
# images (Read-HvIsoImage), placeholder media and guest images (New-HvEmulatorMedia/Image), and
# host.hyperV (checked before every Hyper-V cmdlet), and the host's addresses (New-HvEmulatorState).
foreach ($shared in 'VhdFile.ps1', 'IsoImage.ps1', 'EmulatorMedia.ps1', 'GuestFacts.ps1', 'GuestImage.ps1', 'HyperVMode.ps1', 'HostNetwork.ps1') {
    . (Join-Path $PSScriptRoot "Shared/$shared")
}
foreach ($folder in 'Private', 'Public') {
    foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot $folder) -Filter '*.ps1' | Sort-Object Name) {
        . $file.FullName
    }
}
