# The floor of the create benchmark (bench/create-floor.mjs): what a Hyper-V admin would write by
# hand to build the same guests `hvguest create templates/lab-linux.yaml --count N` builds in a
# starter project (`hvguest init lab`), one straight line of cmdlets in one pwsh process. It makes
# every call that changes the host, in the order hvguest makes them, with the values the plan
# holds written out as literals; it makes none of hvguest's checks (no Get-VM before New-VM, no
# reading the host NICs first), keeps no journal, lock or manifest, and is handed the seed ISOs
# ready made (-MediaFolder). So its time is a lower bound for hvguest's, not a competitor.
[CmdletBinding()]
param(
    [int]
    $Count = 10,

    # The emulated host's state file (the starter project's .hvguest/emulator-state.json).
    [Parameter(Mandatory = $true)]
    [string]
    $StateFile,

    # One seed ISO per guest, named as on the host: lab-linux-<n>-firstboot.iso.
    [Parameter(Mandatory = $true)]
    [string]
    $MediaFolder,

    # ps/emulator: the emulated host's modules (HvEmulator, Hyper-V, NetAdapter, ...).
    [Parameter(Mandatory = $true)]
    [string]
    $ModulePath
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The emulated host, set up as ps/HvGuest/Bootstrap.ps1 sets it up for hvguest's session: the
# emulator's modules first on PSModulePath, HvEmulator imported and pointed at the state file
# (which also maps drive C: of the state to a folder beside it, so C:\Hyper-V\... works here).
$ModulePath = [System.IO.Path]::GetFullPath($ModulePath)
$rest = @($env:PSModulePath -split [regex]::Escape([string][System.IO.Path]::PathSeparator) | Where-Object { $_ -and $_ -ne $ModulePath })
$env:PSModulePath = (@($ModulePath) + $rest) -join [System.IO.Path]::PathSeparator
Import-Module -Name ([System.IO.Path]::Combine($ModulePath, 'HvEmulator', 'HvEmulator.psd1')) -Global -Force 3>$null 4>$null 6>$null | Out-Null
Initialize-HvEmulator -StateFile $StateFile 3>$null 4>$null 6>$null | Out-Null
$MediaFolder = [System.IO.Path]::GetFullPath($MediaFolder)

# Host network of profile lab-10g: jumbo frames on the NIC bound to switch Lab and on the host's
# vEthernet (Lab), each set with -NoRestart and restarted once afterwards, as hvguest does (a
# restart pauses the adapter's traffic). VMQ is on and TCP Chimney off already in a starter host,
# so hvguest changes neither and neither does this script.
Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 9014 -NoRestart
Set-NetAdapterAdvancedProperty -Name 'vEthernet (Lab)' -RegistryKeyword '*JumboPacket' -RegistryValue 9014 -NoRestart
Restart-NetAdapter -Name 'Ethernet 2' -Confirm:$false
Restart-NetAdapter -Name 'vEthernet (Lab)' -Confirm:$false

# Guest Service Interface, by its integration service GUID: its display name is localised.
$guestServiceInterface = '6C09BB55-D683-4DA0-8931-C9BF705F6480'

for ($i = 1; $i -le $Count; $i++) {
    $name = "lab-linux-$i"
    $folder = "C:\Hyper-V\Virtual Machines\$name"
    $iso = "$folder\$name-firstboot.iso"
    $bootDisk = "$folder\$name-boot.vhdx"
    $dataDisk = "$folder\data1.vhdx"

    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    # .NET knows nothing of PowerShell drives: it gets the file-system path behind C:.
    $isoFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($iso)
    [System.IO.File]::WriteAllBytes($isoFile, [System.IO.File]::ReadAllBytes((Join-Path $MediaFolder "$name-firstboot.iso")))

    New-VHD -ParentPath 'C:\Hyper-V\Images\ubuntu-22.04.vhdx' -Path $bootDisk -Differencing | Out-Null
    New-VHD -Path $dataDisk -SizeBytes 20GB -BlockSizeBytes 1MB -Dynamic | Out-Null

    # -Path is the guest folder's parent: New-VM keeps the VM's files in <Path>\<Name>\Virtual Machines.
    $vm = New-VM -Name $name -Path 'C:\Hyper-V\Virtual Machines' -Generation 1 -MemoryStartupBytes 1GB -NoVHD
    # New-VM adds an adapter and a DVD drive of its own; the guest gets only the planned ones.
    Remove-VMNetworkAdapter -VMName $name -Name 'Network Adapter'
    Remove-VMDvdDrive -VMName $name -ControllerNumber 1 -ControllerLocation 0
    Set-VMProcessor -VM $vm -Count 1
    Set-VMMemory -VM $vm -DynamicMemoryEnabled $true -StartupBytes 1GB -MinimumBytes 512MB -MaximumBytes 1GB
    Add-VMHardDiskDrive -VM $vm -ControllerType IDE -ControllerNumber 0 -ControllerLocation 0 -Path $bootDisk
    Add-VMDvdDrive -VM $vm -ControllerNumber 1 -ControllerLocation 0 -Path $iso
    Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0 -Path $dataDisk
    Add-VMNetworkAdapter -VM $vm -Name 'Network Adapter' -SwitchName 'Lab' -Passthru | Set-VMNetworkAdapter -VmqWeight 100
    Set-VMBios -VM $vm -StartupOrder @('IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy')
    Get-VMIntegrationService -VM $vm | Where-Object { $_.Id -like "*\$guestServiceInterface" } | Enable-VMIntegrationService
    Set-VM -VM $vm -AutomaticCheckpointsEnabled $false -AutomaticStopAction ShutDown
}
