# Get-CimInstance for the few classes whose facts the emulated host has: Win32_OperatingSystem,
# Win32_ComputerSystem, Win32_LogicalDisk (-Filter "DeviceID='C:'" supported). Others fail.

$script:Handlers['Get-CimInstance'] = {
    param($Ctx)
    $state = $Ctx.State
    $h = $state.host
    $class = [string](Get-Bound $Ctx 'ClassName' '')
    if (Test-Bound $Ctx 'Query') {
        if ([string]$Ctx.Parameters['Query'] -match '(?i)^\s*select\s+.+?\s+from\s+(\w+)') { $class = $Matches[1] }
    }
    $lcid = try { [System.Globalization.CultureInfo]::GetCultureInfo([string]$h.locale).LCID } catch { 1033 }
    switch ($class) {
        'Win32_OperatingSystem' {
            Add-CimTypeName -Namespace 'root/cimv2' -Class 'Win32_OperatingSystem' -Properties ([ordered]@{
                    Caption = [string]$h.osCaption; Version = [string]$h.osVersion; BuildNumber = ([string]$h.osVersion).Split('.')[2]
                    OSLanguage = $lcid; Locale = ('{0:x4}' -f $lcid); MUILanguages = [string[]]@([string]$h.locale)
                    CSName = [string]$h.computerName; OSArchitecture = '64-bit'; ProductType = $(if ([string]$h.os -like 'windows-server-*') { 3 } else { 1 })
                    TotalVisibleMemorySize = [uint64]([long]$h.memoryCapacityBytes / 1KB)
                })
        }
        'Win32_ComputerSystem' {
            Add-CimTypeName -Namespace 'root/cimv2' -Class 'Win32_ComputerSystem' -Properties ([ordered]@{
                    Name = [string]$h.computerName; DNSHostName = [string]$h.computerName; Domain = 'WORKGROUP'
                    TotalPhysicalMemory = [uint64]$h.memoryCapacityBytes; NumberOfLogicalProcessors = [uint32]$h.logicalProcessorCount
                    HypervisorPresent = $true; Model = 'Virtual Machine'
                })
        }
        'Win32_LogicalDisk' {
            $want = $null
            if ([string](Get-Bound $Ctx 'Filter' '') -match "(?i)DeviceID\s*=\s*'([A-Za-z]):'") { $want = $Matches[1].ToUpperInvariant() }
            foreach ($v in @($state.volumes)) {
                if ($null -eq $v -or ($want -and ([string]$v.driveLetter).ToUpperInvariant() -ne $want)) { continue }
                Add-CimTypeName -Namespace 'root/cimv2' -Class 'Win32_LogicalDisk' -Properties ([ordered]@{
                        DeviceID = "$($v.driveLetter):"; DriveType = 3; FileSystem = [string]$v.fileSystem; VolumeName = [string]$v.fileSystemLabel
                        Size = [uint64]$v.sizeBytes; FreeSpace = [uint64]$v.freeBytes
                    })
            }
        }
        default {
            Stop-HvEmulatorCommand -Message "Invalid class `"$class`" (the emulated host answers Win32_OperatingSystem, Win32_ComputerSystem and Win32_LogicalDisk)." -Category MetadataError -ErrorId 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand' -TargetObject $class
        }
    }
}
