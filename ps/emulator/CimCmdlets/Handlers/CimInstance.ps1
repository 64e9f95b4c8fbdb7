# Get-CimInstance for the few classes whose facts the emulated host has: in root/cimv2 (the
# default namespace) Win32_OperatingSystem, Win32_ComputerSystem, Win32_LogicalDisk (-Filter
# "DeviceID='C:'" supported); in root/virtualization/v2 Msvm_KvpExchangeComponent, one per running
# VM (-Filter "SystemName='<VM id>'" supported), whose GuestIntrinsicExchangeItems are what the
# guest reports through KVP (docs/emulator-guests.md). Others fail.

$script:Handlers['Get-CimInstance'] = {
    param($Ctx)
    $state = $Ctx.State
    $h = $state.host
    $class = [string](Get-Bound $Ctx 'ClassName' '')
    if (Test-Bound $Ctx 'Query') {
        if ([string]$Ctx.Parameters['Query'] -match '(?i)^\s*select\s+.+?\s+from\s+(\w+)') { $class = $Matches[1] }
    }
    $lcid = try { [System.Globalization.CultureInfo]::GetCultureInfo([string]$h.locale).LCID } catch { 1033 }
    $namespace = ([string](Get-Bound $Ctx 'Namespace' 'root/cimv2')).Replace('\', '/').Trim('/').ToLowerInvariant()
    $filter = [string](Get-Bound $Ctx 'Filter' '')
    if ((Test-Bound $Ctx 'Query') -and [string]$Ctx.Parameters['Query'] -match '(?i)\swhere\s+(.+)$') { $filter = $Matches[1] }
    $virtualization = $class -like 'Msvm_*'
    if ($virtualization -ne ($namespace -eq 'root/virtualization/v2') -or $namespace -notin 'root/cimv2', 'root/virtualization/v2') {
        Stop-HvEmulatorCommand -Message "Invalid class `"$class`" in namespace `"$namespace`" (the emulated host answers Win32_OperatingSystem, Win32_ComputerSystem and Win32_LogicalDisk in root/cimv2, Msvm_KvpExchangeComponent in root/virtualization/v2)." -Category MetadataError -ErrorId 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand' -TargetObject $class
    }
    if ($virtualization) {
        # The Hyper-V WMI provider is there only with the role, and answers only users Hyper-V's
        # authorization policy lets in (host.hyperV).
        switch (Get-HvEmulatorHyperVMode -State $state) {
            'not-installed' { Stop-HvEmulatorCommand -Message 'Invalid namespace ' -Category ObjectNotFound -ErrorId 'HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand' -TargetObject $namespace }
            'access-denied' { Stop-HvEmulatorCommand -Message 'Access denied ' -Category PermissionDenied -ErrorId 'HRESULT 0x80041003,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand' -TargetObject $namespace }
        }
    }
    switch ($class) {
        'Win32_OperatingSystem' {
            Add-CimTypeName -Namespace 'root/cimv2' -Class 'Win32_OperatingSystem' -Properties ([ordered]@{
                    Caption = [string]$h.osCaption; Version = [string]$h.osVersion; BuildNumber = ([string]$h.osVersion).Split('.')[2]
                    OSLanguage = $lcid; Locale = ('{0:x4}' -f $lcid); MUILanguages = [string[]]@([string]$h.locale)
                    CSName = [string]$h.computerName; OSArchitecture = '64-bit'; ProductType = $(if ([string]$h.os -like 'windows-server-*') { 3 } else { 1 })
                    TotalVisibleMemorySize = [uint64]([long]$h.memoryCapacityBytes / 1KB)
                    FreePhysicalMemory = [uint64]((Get-HvEmulatorFreeMemoryBytes -State $state) / 1KB)
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
            if ($filter -match "(?i)DeviceID\s*=\s*'([A-Za-z]):'") { $want = $Matches[1].ToUpperInvariant() }
            foreach ($v in @($state.volumes)) {
                # A volume at a mount point (no drive letter) is no logical disk.
                if ($null -eq $v -or -not $v.driveLetter -or ($want -and ([string]$v.driveLetter).ToUpperInvariant() -ne $want)) { continue }
                Add-CimTypeName -Namespace 'root/cimv2' -Class 'Win32_LogicalDisk' -Properties ([ordered]@{
                        DeviceID = "$($v.driveLetter):"; DriveType = 3; FileSystem = [string]$v.fileSystem; VolumeName = [string]$v.fileSystemLabel
                        Size = [uint64]$v.sizeBytes; FreeSpace = [uint64]$v.freeBytes
                    })
            }
        }
        'Msvm_KvpExchangeComponent' {
            $want = $null
            if ($filter -match '(?i)SystemName\s*=\s*[''"]([0-9a-f-]{36})[''"]') { $want = $Matches[1] }
            foreach ($vm in @($state.vms)) {
                if ($null -eq $vm -or [string]$vm.state -ne 'Running') { continue }
                if ($want -and -not [string]::Equals([string]$vm.id, $want, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
                $report = Get-GuestReport -State $state -Vm $vm
                $service = @($vm.integrationServices) | Where-Object { $null -ne $_ -and ([string]$_.guid).ToUpperInvariant() -eq '2A34B1C2-FD73-4043-8A5B-DD2159BC743F' } | Select-Object -First 1
                $status = $report.Services['2A34B1C2-FD73-4043-8A5B-DD2159BC743F']
                $vmId = ([string]$vm.id).ToUpperInvariant()
                $items = if ($report.Kvp) { [string[]]@(foreach ($k in $report.Kvp.Keys) { ConvertTo-KvpDataItemXml -Name $k -Data ([string]$report.Kvp[$k]) }) } else { [string[]]@() }
                Add-CimTypeName -Namespace 'root/virtualization/v2' -Class 'Msvm_KvpExchangeComponent' -Properties ([ordered]@{
                        Caption = 'Key-Value Pair Exchange'; Description = 'Microsoft Key-Value Pair Exchange Provider'; ElementName = 'Key-Value Pair Exchange'
                        CreationClassName = 'Msvm_KvpExchangeComponent'; DeviceID = "Microsoft:$vmId\2A34B1C2-FD73-4043-8A5B-DD2159BC743F"
                        SystemCreationClassName = 'Msvm_ComputerSystem'; SystemName = $vmId
                        EnabledState = [uint16]$(if ($service -and $service.enabled) { 2 } else { 3 })
                        OperationalStatus = [uint16[]]@($(if ($status -and $status.Status -eq 'Ok') { 2 } else { 12 }))
                        StatusDescriptions = [string[]]@($(if ($status) { $status.Description } else { 'No Contact' }))
                        GuestIntrinsicExchangeItems = $items
                        GuestExchangeItems = [string[]]@()
                        PSComputerName = $null
                    })
            }
        }
        default {
            Stop-HvEmulatorCommand -Message "Invalid class `"$class`" (the emulated host answers Win32_OperatingSystem, Win32_ComputerSystem and Win32_LogicalDisk)." -Category MetadataError -ErrorId 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand' -TargetObject $class
        }
    }
}
