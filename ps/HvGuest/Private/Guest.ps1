# create-guest: one PlannedGuest (src/model/plan.ts) becomes one VM, exactly as planned: its
# disks, its drives at their planned controller slots (and nothing else), its adapters, boot
# order, integration services (by GUID), settings and optional start. Every mutating step is
# journaled before it runs; on a failure the request stops and reports the step and the cmdlet's
# own message, and Node sends `rollback` for the run.

$script:HvEnumNames = @{
    checkpoints          = @{ disabled = 'Disabled'; standard = 'Standard'; production = 'Production'; productiononly = 'ProductionOnly' }
    automaticStartAction = @{ nothing = 'Nothing'; start = 'Start'; startifrunning = 'StartIfRunning' }
    automaticStopAction  = @{ turnoff = 'TurnOff'; save = 'Save'; shutdown = 'ShutDown' }
}

function ConvertTo-HvEnumName {
    param([string]$Field, [string]$Value)
    $map = $script:HvEnumNames[$Field]
    $key = $Value.ToLowerInvariant()
    if (-not $map.ContainsKey($key)) {
        throw (New-HvError -Step 'set-vm' -Cmdlet 'Set-VM' -Message ("{0} '{1}' is not one of {2}" -f $Field, $Value, (@($map.Values) -join ', ')) -Category 'InvalidArgument')
    }
    return $map[$key]
}

function Invoke-HvCreateGuestAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run this guest belongs to')
    $Context.RunId = $runId
    $guest = Get-HvRequiredField -Object $Request -Name 'guest' -What 'a PlannedGuest'
    $name = [string](Get-HvRequiredField -Object $guest -Name 'name' -What 'the guest name')
    $Context.Guest = $name
    Set-HvActivity -Context $Context -Step 'journal' -Cmdlet $null
    $run = Resolve-HvRun -RunId $runId -VmRoot (Get-HvField -Object $Request -Name 'vmRoot') -Worker (Get-HvRequestWorker -Request $Request)
    if (-not (Test-HvLockHeldBy -VmRoot $run.VmRoot -RunId $runId)) {
        throw (New-HvError -Step 'lock' -Message ("run {0} does not hold the host lock (now held by {1}); was it rolled back or recovered?" -f $runId, (Format-HvLockHolder -Lock (Read-HvLock -VmRoot $run.VmRoot))) -Category 'ResourceUnavailable')
    }
    $Context.Run = $run
    $replace = Test-HvTrue (Get-HvField -Object $Request -Name 'replace')
    $media = @(Get-HvField -Object $Request -Name 'media' -Default @())
    $cluster = [string](Get-HvField -Object $Request -Name 'cluster' -Default '')
    $Context.Data = New-HvGuest -Context $Context -Guest $guest -Replace $replace -Media $media -VmRoot $run.VmRoot -Cluster $cluster
}

# Creates a folder (and any missing parents). The undo removes the topmost folder this step
# created, and only while it holds no file.
function Add-HvFolder {
    param([hashtable]$Context, [string]$Path, [System.Collections.Generic.List[string]]$Directories)
    if ([string]::IsNullOrEmpty($Path) -or (Test-HvDirectory -Path $Path)) { return }
    $top = $Path
    $p = Get-HvParentPath -Path $Path
    while ($null -ne $p -and -not (Test-HvDirectory -Path $p)) { $top = $p; $p = Get-HvParentPath -Path $p }
    Start-HvStep -Context $Context -Step 'create-folder' -Cmdlet 'New-Item' -Detail $Path -Undo ([ordered]@{ action = 'remove-dir'; path = $top })
    New-Item -ItemType Directory -Path (Get-HvProviderPath -Path $Path) -Force | Out-Null
    Complete-HvStep -Context $Context
    if ($null -ne $Directories) { $Directories.Add($top) }
}

# The topmost folder of Path that does not exist yet ($null when Path exists).
function Get-HvTopMissingFolder {
    param([string]$Path)
    if ([string]::IsNullOrEmpty($Path) -or (Test-HvDirectory -Path $Path)) { return $null }
    $top = $Path
    $p = Get-HvParentPath -Path $Path
    while ($null -ne $p -and -not (Test-HvDirectory -Path $p)) { $top = $p; $p = Get-HvParentPath -Path $p }
    return $top
}

# What to pass as New-VM -Path so that the VM's files (P\<name>\Virtual Machines) are inside the
# guest's folder: its parent when the folder is named after the guest, else the folder itself.
function Get-HvNewVMPath {
    param([string]$GuestFolder, [string]$Name)
    $parent = Get-HvParentPath -Path $GuestFolder
    if ($null -ne $parent -and (Test-HvSameText -A (Get-HvLeafName -Path $GuestFolder) -B $Name)) { return $parent }
    return $GuestFolder
}

function Assert-HvTargetAbsent {
    param([string]$Path, [string]$Step, [string]$Cmdlet)
    if (Test-Path -LiteralPath $Path) {
        throw (New-HvError -Step $Step -Cmdlet $Cmdlet -Message ("'{0}' already exists; hvguest never overwrites a file it did not create" -f $Path) -Category 'ResourceExists')
    }
}

function Get-HvSlotText {
    param($Controller)
    return ('{0} {1}:{2}' -f (Get-HvField -Object $Controller -Name 'type'), (Get-HvField -Object $Controller -Name 'number'), (Get-HvField -Object $Controller -Name 'location'))
}

function ConvertTo-HvMacAddress {
    param([string]$Mac)
    $hex = ($Mac -replace '[-:.\s]', '').ToUpperInvariant()
    if ($hex -notmatch '^[0-9A-F]{12}$') {
        throw (New-HvError -Step 'add-adapter' -Cmdlet 'Add-VMNetworkAdapter' -Message ("MAC address '{0}' is not 12 hexadecimal digits" -f $Mac) -Category 'InvalidArgument')
    }
    return $hex
}

function New-HvVirtualDisk {
    param([hashtable]$Context, $Drive, [System.Collections.Generic.List[string]]$Files, [System.Collections.Generic.List[string]]$Directories)
    $path = [string](Get-HvField -Object $Drive -Name 'path')
    $create = Get-HvField -Object $Drive -Name 'create'
    Assert-HvTargetAbsent -Path $path -Step 'new-vhd' -Cmdlet 'New-VHD'
    Add-HvFolder -Context $Context -Path (Get-HvParentPath -Path $path) -Directories $Directories
    $type = [string](Get-HvField -Object $create -Name 'type' -Default 'Dynamic')
    $size = Get-HvField -Object $create -Name 'sizeBytes'
    $parent = Get-HvField -Object $create -Name 'parentPath'
    $block = Get-HvField -Object $create -Name 'blockSizeBytes'
    $sector = Get-HvField -Object $create -Name 'sectorSizeBytes'
    $vhd = @{ Path = $path }
    if (Test-HvSameText -A $type -B 'Differencing') {
        $vhd.ParentPath = [string]$parent
        $vhd.Differencing = $true
        if ($null -ne $size) { $vhd.SizeBytes = [uint64]$size }
        if ($null -ne $sector) { $vhd.PhysicalSectorSizeBytes = [uint32]$sector }
        $detail = '{0} (differencing, parent {1})' -f $path, $parent
    } else {
        if ($null -eq $size) {
            throw (New-HvError -Step 'new-vhd' -Cmdlet 'New-VHD' -Message ("disk '{0}' has no sizeBytes" -f $path) -Category 'InvalidArgument')
        }
        $vhd.SizeBytes = [uint64]$size
        if (Test-HvSameText -A $type -B 'Fixed') { $vhd.Fixed = $true } else { $vhd.Dynamic = $true }
        if ($null -ne $sector) {
            $vhd.LogicalSectorSizeBytes = [uint32]$sector
            $vhd.PhysicalSectorSizeBytes = [uint32]$sector
        }
        $detail = '{0} ({1}, {2} bytes)' -f $path, $type.ToLowerInvariant(), $size
    }
    if ($null -ne $block) { $vhd.BlockSizeBytes = [uint32]$block }
    Start-HvStep -Context $Context -Step 'new-vhd' -Cmdlet 'New-VHD' -Detail $detail -Undo ([ordered]@{ action = 'remove-file'; path = $path })
    New-VHD @vhd | Out-Null
    Complete-HvStep -Context $Context
    $Files.Add($path)
}

function Copy-HvVirtualDisk {
    param([hashtable]$Context, $Drive, [System.Collections.Generic.List[string]]$Files, [System.Collections.Generic.List[string]]$Directories)
    $path = [string](Get-HvField -Object $Drive -Name 'path')
    $source = [string](Get-HvField -Object $Drive -Name 'copyFrom')
    Assert-HvTargetAbsent -Path $path -Step 'copy-vhd' -Cmdlet 'Copy-Item'
    Add-HvFolder -Context $Context -Path (Get-HvParentPath -Path $path) -Directories $Directories
    Start-HvStep -Context $Context -Step 'copy-vhd' -Cmdlet 'Copy-Item' -Detail ('{0} -> {1}' -f $source, $path) -Undo ([ordered]@{ action = 'remove-file'; path = $path })
    Copy-Item -LiteralPath $source -Destination $path
    Complete-HvStep -Context $Context
    $Files.Add($path)
}

# Seed media the caller ships with the request: written before the DVD drive that holds it is
# attached. Write-HvStateFile writes the bytes with [System.IO.File]::WriteAllBytes, which is what
# the step names.
function Write-HvMediaFile {
    param([hashtable]$Context, $Media, [System.Collections.Generic.List[string]]$Files, [System.Collections.Generic.List[string]]$Directories)
    $path = [string](Get-HvField -Object $Media -Name 'path')
    Assert-HvTargetAbsent -Path $path -Step 'write-media' -Cmdlet '[System.IO.File]::WriteAllBytes'
    $bytes = ConvertFrom-HvMediaContent -Media $Media
    Add-HvFolder -Context $Context -Path (Get-HvParentPath -Path $path) -Directories $Directories
    Start-HvStep -Context $Context -Step 'write-media' -Cmdlet '[System.IO.File]::WriteAllBytes' -Detail $path -Undo ([ordered]@{ action = 'remove-file'; path = $path })
    Write-HvStateFile -Kind 'seed-media' -Path $path -Bytes $bytes
    Complete-HvStep -Context $Context
    $Files.Add($path)
}

# A seed media's image from its request: {gzipBase64, sizeBytes, sha256} (the image compressed,
# src/resolve/firstboot/seed-media.ts says why) is decompressed and checked against the image's
# size and SHA-256 before anything is written; {contentBase64} is the image as it is (what an
# emitted --no-secrets script sends, having filled the secrets into it).
function ConvertFrom-HvMediaContent {
    param($Media)
    $path = [string](Get-HvField -Object $Media -Name 'path')
    $compressed = Get-HvField -Object $Media -Name 'gzipBase64'
    if ($null -eq $compressed) { return , [Convert]::FromBase64String([string](Get-HvField -Object $Media -Name 'contentBase64' -Default '')) }
    $packed = New-Object System.IO.MemoryStream -ArgumentList (, [Convert]::FromBase64String([string]$compressed))
    $gzip = New-Object System.IO.Compression.GZipStream -ArgumentList $packed, ([System.IO.Compression.CompressionMode]::Decompress)
    $output = New-Object System.IO.MemoryStream
    try { $gzip.CopyTo($output) } finally { $gzip.Dispose() }
    $bytes = $output.ToArray()
    $size = [long](Get-HvField -Object $Media -Name 'sizeBytes' -Default -1)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $hash = [System.BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '')
    if ($bytes.LongLength -ne $size -or -not (Test-HvSameText -A $hash -B ([string](Get-HvField -Object $Media -Name 'sha256')))) {
        throw (New-HvError -Step 'write-media' -Cmdlet $null -Message ("the seed media for {0} arrived damaged: {1} bytes with SHA-256 {2}, where the request says {3} bytes with SHA-256 {4}; nothing was written" -f $path, $bytes.LongLength, $hash, $size, (Get-HvField -Object $Media -Name 'sha256')) -Category 'InvalidData')
    }
    return , $bytes
}

# Offline IC injection into the stopped boot VHD, the sequence the Hyper-V team documents for a
# VM that is not running (docs/hyperv-facts.md, "Offline injection (Windows)"): mount, find the
# Windows partition, Add-WindowsPackage each cab, and dismount ALWAYS (finally).
function Add-HvOfflinePackages {
    param([hashtable]$Context, [string]$BootPath, [string[]]$Packages)
    Start-HvStep -Context $Context -Step 'mount-vhd' -Cmdlet 'Mount-VHD' -Detail $BootPath -Undo ([ordered]@{ action = 'dismount-vhd'; path = $BootPath })
    $mounted = @(Select-HvObject -InputObject @(Mount-VHD -Path $BootPath -Passthru) -Property 'Path')
    Complete-HvStep -Context $Context
    $failure = $null
    $access = New-HvMountedImageAccess
    try {
        Set-HvActivity -Context $Context -Step 'find-windows-partition' -Cmdlet 'Get-Disk'
        $number = Get-HvField -Object $mounted[0] -Name 'DiskNumber'
        if ($null -eq $number) { throw (New-HvError -Cmdlet 'Mount-VHD' -Message ("Mount-VHD reported no disk number for '{0}'" -f $BootPath) -Category 'ObjectNotFound') }
        $number = [uint32]$number
        $disk = Get-Disk -Number $number
        if (Test-HvTrue (Get-HvField -Object $disk -Name 'IsOffline')) {
            Start-HvStep -Context $Context -Step 'set-disk-online' -Cmdlet 'Set-Disk' -Detail ('disk {0}' -f $number)
            Set-Disk -Number $number -IsOffline $false | Out-Null
            Complete-HvStep -Context $Context
        }
        if (Test-HvTrue (Get-HvField -Object $disk -Name 'IsReadOnly')) {
            Start-HvStep -Context $Context -Step 'set-disk-writable' -Cmdlet 'Set-Disk' -Detail ('disk {0}' -f $number)
            Set-Disk -Number $number -IsReadOnly $false | Out-Null
            Complete-HvStep -Context $Context
        }
        # A mounted disk may get no drive letter (MountedImage.ps1): one is assigned, and removed below.
        $root = Resolve-HvMountedImageRoot -Context $Context -Access $access -BootPath $BootPath -DiskNumber $number
        foreach ($cab in $Packages) {
            Start-HvStep -Context $Context -Step 'add-windows-package' -Cmdlet 'Add-WindowsPackage' -Detail ('{0} -> {1}' -f $cab, $root)
            Add-WindowsPackage -PackagePath $cab -Path $root | Out-Null
            Complete-HvStep -Context $Context
        }
    } catch {
        $failure = @{ Record = $_; Step = $Context.Step; Cmdlet = $Context.Cmdlet }
    } finally {
        Remove-HvMountedImageAccessPaths -Context $Context -Access $access
        try {
            Start-HvStep -Context $Context -Step 'dismount-vhd' -Cmdlet 'Dismount-VHD' -Detail $BootPath
            Dismount-VHD -Path $BootPath | Out-Null
            Complete-HvStep -Context $Context
        } catch {
            if ($null -eq $failure) { $failure = @{ Record = $_; Step = 'dismount-vhd'; Cmdlet = 'Dismount-VHD' } }
            else { Add-HvWarning -Context $Context -Code 'dismount-failed' -Setting $null -Message ('Dismount-VHD {0} failed after an earlier error ({1}); rollback dismounts it' -f $BootPath, (Get-HvErrorMessage -ErrorRecord $_)) }
        }
    }
    if ($null -ne $failure) {
        $Context.Step = $failure.Step
        $Context.Cmdlet = $failure.Cmdlet
        throw $failure.Record
    }
}

# One guest, in the order the plan is carried out; each step below is one part of it.
function New-HvGuest {
    [CmdletBinding()]
    param([hashtable]$Context, $Guest, [bool]$Replace, $Media, [string]$VmRoot, [string]$Cluster = '')
    $name = [string](Get-HvField -Object $Guest -Name 'name')
    $generation = [int](Get-HvField -Object $Guest -Name 'generation' -Default 1)
    $vmPath = [string](Get-HvRequiredField -Object $Guest -Name 'path' -What "the guest's folder")
    $drives = @(Get-HvField -Object $Guest -Name 'drives' -Default @())
    $integration = Get-HvField -Object $Guest -Name 'integration'
    $files = New-Object System.Collections.Generic.List[string]
    $directories = New-Object System.Collections.Generic.List[string]

    Assert-HvGuestSupported -Guest $Guest -Name $name -Generation $generation
    Clear-HvGuestName -Context $Context -Name $name -Replace $Replace -VmRoot $VmRoot
    Add-HvFolder -Context $Context -Path $vmPath -Directories $directories
    foreach ($m in $Media) { Write-HvMediaFile -Context $Context -Media $m -Files $files -Directories $directories }
    New-HvGuestDisks -Context $Context -Drives $drives -Files $files -Directories $directories
    Add-HvGuestOfflinePackages -Context $Context -Integration $integration -Drives $drives
    $vm = New-HvGuestMachine -Context $Context -Guest $Guest -Name $name -Generation $generation -GuestFolder $vmPath -Directories $directories
    Remove-HvGuestDefaultDevices -Context $Context -VM $vm
    Set-HvGuestProcessor -Context $Context -VM $vm -Guest $Guest
    Set-HvGuestMemory -Context $Context -VM $vm -Memory (Get-HvField -Object $Guest -Name 'memory')
    Add-HvGuestScsiControllers -Context $Context -VM $vm -Drives $drives
    Add-HvGuestDrives -Context $Context -VM $vm -Drives $drives
    $nicsByName = Add-HvGuestAdapters -Context $Context -VM $vm -Adapters @(Get-HvField -Object $Guest -Name 'networkAdapters' -Default @())
    Set-HvGuestBootOrder -Context $Context -VM $vm -Guest $Guest -Generation $generation -Adapters $nicsByName
    Set-HvSecurity -Context $Context -VM $vm -Guest $Guest -Generation $generation
    # Integration services, by their locale-neutral GUID.
    $services = @(Set-HvIntegrationServices -Context $Context -VM $vm -Services @(Get-HvField -Object $integration -Name 'services' -Default @()))
    Set-HvGuestSettings -Context $Context -VM $vm -Guest $Guest
    $role = Add-HvClusterRole -Context $Context -VM $vm -Name $name -Cluster $Cluster
    Start-HvPlannedGuest -Context $Context -VM $vm -Guest $Guest -Name $name

    return [ordered]@{
        name                = $name
        vmId                = (Get-HvVMId -VM $vm)
        generation          = $generation
        path                = $vmPath
        steps               = $Context.Steps
        files               = $files.ToArray()
        directories         = $directories.ToArray()
        integrationServices = $services
        warnings            = $Context.Warnings.ToArray()
        clusterRole         = $role
    }
}

# On a cluster node the guest becomes a role of its cluster, once its configuration is complete
# and before it starts. Registered in this host's own session, never through -Cluster from
# elsewhere: Microsoft documents that Add-ClusterVirtualMachineRole run remotely needs CredSSP
# (docs/clusters.md). The undo removes the role and its resources, not the VM (its own step).
function Add-HvClusterRole {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, [string]$Name, [string]$Cluster)
    if ([string]::IsNullOrEmpty($Cluster)) { return $null }
    $vmId = Get-HvVMId -VM $VM
    Start-HvStep -Context $Context -Step 'cluster-role' -Cmdlet 'Add-ClusterVirtualMachineRole' -Detail ('{0} in cluster {1}' -f $Name, $Cluster) -Undo ([ordered]@{ action = 'remove-cluster-role'; vmId = $vmId; name = $Name })
    $group = @(Add-ClusterVirtualMachineRole -VMId ([guid]$vmId))[0]
    $roleName = [string](Get-HvField -Object $group -Name 'Name' -Default $Name)
    Complete-HvStep -Context $Context -UndoUpdate ([ordered]@{ name = $roleName })
    # A ClusterNode reads as its name (ToString), a deserialized one in a remoting session too.
    return [ordered]@{ cluster = $Cluster; name = $roleName; ownerNode = [string](Get-HvField -Object $group -Name 'OwnerNode') }
}

# The VM role of a guest on this host's cluster ({group, name}), found by the VM's id, or $null.
# A VM that Hyper-V says is not clustered (Get-VM IsClustered) has none, asked first: nothing then
# rests on how Get-ClusterGroup -VMId reports a VM without a role.
function Find-HvClusterRole {
    param([string]$VMId)
    $vm = $null
    try { $vm = Get-VM -Id ([guid]$VMId) } catch { $vm = $null }
    if ($null -ne $vm -and -not (Test-HvTrue (Get-HvField -Object $vm -Name 'IsClustered' -Default $false))) { return $null }
    try { $groups = @(Get-ClusterGroup -VMId ([guid]$VMId)) }
    catch {
        # No role has that VM: not found is the answer, any other failure is a failure.
        if ([string]$_.CategoryInfo.Category -eq 'ObjectNotFound') { return $null }
        throw
    }
    foreach ($g in $groups) { if ($null -ne $g) { return $g } }
    return $null
}

# A guest's cluster role removed, with the VM's resource in it: the cluster then neither restarts
# the VM nor keeps a role whose VM is gone (the VM itself stays). Destroy and the undo of a
# cluster-role step both remove a role this way.
function Remove-HvClusterRole {
    param($Role)
    Remove-ClusterGroup -Name ([string]$Role.Name) -RemoveResources -Force | Out-Null
}

# What this runtime cannot make, refused before anything changes.
function Assert-HvGuestSupported {
    [CmdletBinding()]
    param($Guest, [string]$Name, [int]$Generation)
    # A floppy needs Set-VMFloppyDiskDrive, which is not among the documented cmdlets this runtime
    # may call (ps/emulator/reference).
    $floppy = [string](Get-HvField -Object $Guest -Name 'floppy' -Default '')
    if ($floppy.Length -gt 0) {
        throw (New-HvError -Step 'set-floppy' -Message ("guest '{0}' plans floppy {1}, and this runtime cannot attach floppy disks (Set-VMFloppyDiskDrive is not in its documented cmdlet reference)" -f $Name, $floppy) -Category 'NotImplemented')
    }
    # Generation 2 needs New-VM -Generation and Set-VMFirmware, which a 2012 host has neither of
    # (its VMs are all Generation 1). Planning refuses it (generation-unsupported-host); a plan
    # that gets here anyway is refused here.
    if ($Generation -ne 1) {
        if (-not (Test-HvCommandParameter -Command 'New-VM' -Parameter 'Generation') -or -not (Test-HvCommand -Command 'Set-VMFirmware')) {
            throw (New-HvError -Step 'new-vm' -Cmdlet 'New-VM' -Message ("guest '{0}' is planned as Generation {1}, and this host makes Generation 1 VMs only (its New-VM has no -Generation, or it has no Set-VMFirmware): plan it as Generation 1 or place it on a 2012 R2 or later host" -f $Name, $Generation) -Category 'InvalidArgument')
        }
    }
}

# The name: free, or (replace) the old guest of that name removed first, with the files its
# manifest lists.
function Clear-HvGuestName {
    [CmdletBinding()]
    param([hashtable]$Context, [string]$Name, [bool]$Replace, [string]$VmRoot)
    Set-HvActivity -Context $Context -Step 'check-name' -Cmdlet 'Get-VM'
    $existing = @(Find-HvVMByName -Name $Name)
    if ($existing.Count -eq 0) { return }
    if (-not $Replace) {
        throw (New-HvError -Step 'check-name' -Cmdlet 'New-VM' -Message ("a VM named '{0}' already exists on this host (id {1}); pass replace to replace it" -f $Name, (Get-HvVMId -VM $existing[0])) -Category 'ResourceExists')
    }
    foreach ($old in $existing) {
        $manifestPath = Get-HvManifestPath -VmRoot $VmRoot -VMId (Get-HvVMId -VM $old)
        $manifest = Read-HvManifest -Path $manifestPath
        if ($null -eq $manifest) { $manifestPath = $null }
        [void](Remove-HvManagedGuest -Context $Context -VM $old -Manifest $manifest -ManifestPath $manifestPath -KeepDisks $false)
    }
}

# The virtual hard disks the plan creates (New-VHD) or copies (copyFrom).
function New-HvGuestDisks {
    [CmdletBinding()]
    param([hashtable]$Context, $Drives, [System.Collections.Generic.List[string]]$Files, [System.Collections.Generic.List[string]]$Directories)
    foreach ($d in $Drives) {
        if ([string](Get-HvField -Object $d -Name 'kind') -ne 'hdd') { continue }
        if ($null -ne (Get-HvField -Object $d -Name 'create')) { New-HvVirtualDisk -Context $Context -Drive $d -Files $Files -Directories $Directories }
        elseif ($null -ne (Get-HvField -Object $d -Name 'copyFrom')) { Copy-HvVirtualDisk -Context $Context -Drive $d -Files $Files -Directories $Directories }
    }
}

# Offline IC injection (integration strategy windows-offline), while the boot disk belongs to no
# VM yet.
function Add-HvGuestOfflinePackages {
    [CmdletBinding()]
    param([hashtable]$Context, $Integration, $Drives)
    if ([string](Get-HvField -Object $Integration -Name 'strategy') -ne 'windows-offline') { return }
    $packages = @(@(Get-HvField -Object $Integration -Name 'offlinePackages' -Default @()) | ForEach-Object { [string]$_ })
    if ($packages.Count -eq 0) { return }
    $boot = @($Drives | Where-Object { [string](Get-HvField -Object $_ -Name 'role') -eq 'boot' -and [string](Get-HvField -Object $_ -Name 'kind') -eq 'hdd' })
    if ($boot.Count -eq 0 -or [string]::IsNullOrEmpty([string](Get-HvField -Object $boot[0] -Name 'path'))) {
        throw (New-HvError -Step 'mount-vhd' -Cmdlet 'Mount-VHD' -Message 'offline IC injection needs a boot VHD, and this guest has none' -Category 'InvalidArgument')
    }
    Add-HvOfflinePackages -Context $Context -BootPath ([string](Get-HvField -Object $boot[0] -Name 'path')) -Packages $packages
}

# The VM itself (New-VM, no disk), its files inside the guest's folder. Returns the VM.
function New-HvGuestMachine {
    [CmdletBinding()]
    param([hashtable]$Context, $Guest, [string]$Name, [int]$Generation, [string]$GuestFolder, [System.Collections.Generic.List[string]]$Directories)
    Set-HvActivity -Context $Context -Step 'new-vm' -Cmdlet 'Get-VM'
    if (@(Find-HvVMByName -Name $Name).Count -gt 0) {
        throw (New-HvError -Step 'new-vm' -Cmdlet 'New-VM' -Message ("a VM named '{0}' already exists on this host" -f $Name) -Category 'ResourceExists')
    }
    # New-VM -Path P keeps the VM's own files in P\<name>\Virtual Machines: given the parent of
    # the guest's folder (<vmRoot>\<name>), they land in the guest's folder.
    $newVmPath = Get-HvNewVMPath -GuestFolder $GuestFolder -Name $Name
    $newVm = @{
        Name               = $Name
        NoVHD              = $true
        Path               = $newVmPath
        MemoryStartupBytes = [int64](Get-HvField -Object (Get-HvField -Object $Guest -Name 'memory') -Name 'startupBytes')
    }
    # Without -Generation (2012) every VM is Generation 1, which is what is planned here
    # (Assert-HvGuestSupported refused Generation 2).
    if (Test-HvCommandParameter -Command 'New-VM' -Parameter 'Generation') { $newVm.Generation = [int16]$Generation }
    $version = Get-HvField -Object $Guest -Name 'vmVersion'
    if ($null -ne $version) {
        if (Test-HvCommandParameter -Command 'New-VM' -Parameter 'Version') { $newVm.Version = [string]$version }
        else { Add-HvUnsupportedSettingWarning -Context $Context -Setting 'vmVersion' -Command 'New-VM' -Parameter 'Version' -Value ([string]$version) }
    }
    # The folders New-VM makes for the VM's files are this guest's too: journaled (removed by a
    # rollback once the VM is gone, and only while they hold no file) and listed for destroy.
    $vmFolders = Get-HvTopMissingFolder -Path (Join-HvPath -Parent (Join-HvPath -Parent $newVmPath -Child $Name) -Child 'Virtual Machines')
    if ($null -ne $vmFolders) {
        # Recorded before New-VM runs (this step runs no cmdlet itself): a rollback then finds it
        # however far New-VM got, and undoes it after the VM (entries are undone last-first).
        Start-HvStep -Context $Context -Step 'vm-folder' -Cmdlet $null -Detail $vmFolders -Undo ([ordered]@{ action = 'remove-dir'; path = $vmFolders })
        Complete-HvStep -Context $Context
    }
    Start-HvStep -Context $Context -Step 'new-vm' -Cmdlet 'New-VM' -Detail ('{0} (generation {1}) in {2}' -f $Name, $Generation, $newVmPath) -Undo ([ordered]@{ action = 'remove-vm'; vmId = $null; name = $Name })
    $vm = @(Select-HvObject -InputObject @(New-VM @newVm) -Property 'Id')
    if ($vm.Count -eq 0 -or $null -eq $vm[0]) { $vm = @(Find-HvVMByName -Name $Name) }
    if ($vm.Count -eq 0) { throw (New-HvError -Message ("New-VM reported success, but no VM named '{0}' exists" -f $Name) -Category 'ObjectNotFound') }
    $vm = $vm[0]
    Complete-HvStep -Context $Context -UndoUpdate ([ordered]@{ vmId = (Get-HvVMId -VM $vm) })
    if ($null -ne $vmFolders -and (Test-HvDirectory -Path $vmFolders)) { $Directories.Add($vmFolders) }
    return $vm
}

# Only the plan remains: the adapter and DVD drive Hyper-V adds by itself go.
function Remove-HvGuestDefaultDevices {
    [CmdletBinding()]
    param([hashtable]$Context, $VM)
    Set-HvActivity -Context $Context -Step 'remove-default-adapter' -Cmdlet 'Get-VMNetworkAdapter'
    foreach ($nic in @(Select-HvObject -InputObject @(Get-VMNetworkAdapter -VM $VM) -Property 'Name')) {
        Start-HvStep -Context $Context -Step 'remove-default-adapter' -Cmdlet 'Remove-VMNetworkAdapter' -Detail ([string]$nic.Name)
        Remove-VMNetworkAdapter -VMNetworkAdapter $nic | Out-Null
        Complete-HvStep -Context $Context
    }
    Set-HvActivity -Context $Context -Step 'remove-default-dvd' -Cmdlet 'Get-VMDvdDrive'
    foreach ($dvd in @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $VM) -Property 'ControllerType')) {
        Start-HvStep -Context $Context -Step 'remove-default-dvd' -Cmdlet 'Remove-VMDvdDrive' -Detail ('{0} {1}:{2}' -f $dvd.ControllerType, $dvd.ControllerNumber, $dvd.ControllerLocation)
        Remove-VMDvdDrive -VMDvdDrive $dvd | Out-Null
        Complete-HvStep -Context $Context
    }
}

# Virtual processors and nested virtualization.
function Set-HvGuestProcessor {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Guest)
    $processors = Get-HvField -Object $Guest -Name 'processors'
    $nested = Test-HvTrue (Get-HvField -Object $Guest -Name 'nestedVirtualization')
    $cpu = @{ VM = $VM }
    if ($null -ne $processors) { $cpu.Count = [int64]$processors }
    if ($nested) {
        # Nested virtualization came with 2016 (Set-VMProcessor -ExposeVirtualizationExtensions).
        if (Test-HvCommandParameter -Command 'Set-VMProcessor' -Parameter 'ExposeVirtualizationExtensions') { $cpu.ExposeVirtualizationExtensions = $true }
        else {
            Add-HvUnsupportedSettingWarning -Context $Context -Setting 'nestedVirtualization' -Command 'Set-VMProcessor' -Parameter 'ExposeVirtualizationExtensions' -Value 'on'
            $nested = $false
        }
    }
    if ($null -eq $processors -and -not $nested) { return }
    Start-HvStep -Context $Context -Step 'set-processor' -Cmdlet 'Set-VMProcessor' -Detail ('{0} virtual processor(s){1}' -f $processors, $(if ($nested) { ', nested virtualization' } else { '' }))
    Set-VMProcessor @cpu | Out-Null
    Complete-HvStep -Context $Context
}

# Startup memory, static or dynamic with its bounds.
function Set-HvGuestMemory {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Memory)
    $dynamic = Test-HvTrue (Get-HvField -Object $Memory -Name 'dynamic')
    $mem = @{ VM = $VM; DynamicMemoryEnabled = $dynamic; StartupBytes = [int64](Get-HvField -Object $Memory -Name 'startupBytes') }
    if ($dynamic) {
        $min = Get-HvField -Object $Memory -Name 'minimumBytes'
        $max = Get-HvField -Object $Memory -Name 'maximumBytes'
        if ($null -ne $min) { $mem.MinimumBytes = [int64]$min }
        if ($null -ne $max) { $mem.MaximumBytes = [int64]$max }
    }
    Start-HvStep -Context $Context -Step 'set-memory' -Cmdlet 'Set-VMMemory' -Detail $(if ($dynamic) { 'dynamic, startup {0}, {1}-{2}' -f $mem.StartupBytes, $mem.MinimumBytes, $mem.MaximumBytes } else { 'static {0}' -f $mem.StartupBytes })
    Set-VMMemory @mem | Out-Null
    Complete-HvStep -Context $Context
}

# SCSI controllers: as many as the highest planned SCSI controller number needs.
function Add-HvGuestScsiControllers {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Drives)
    $scsiNumbers = @($Drives | ForEach-Object { Get-HvField -Object $_ -Name 'controller' } | Where-Object { [string](Get-HvField -Object $_ -Name 'type') -eq 'SCSI' } | ForEach-Object { [int](Get-HvField -Object $_ -Name 'number') })
    if ($scsiNumbers.Count -eq 0) { return }
    $needed = ([int]($scsiNumbers | Measure-Object -Maximum).Maximum) + 1
    Set-HvActivity -Context $Context -Step 'add-scsi-controller' -Cmdlet 'Get-VMScsiController'
    $have = @(Select-HvObject -InputObject @(Get-VMScsiController -VM $VM) -Property 'ControllerNumber').Count
    for ($i = $have; $i -lt $needed; $i++) {
        Start-HvStep -Context $Context -Step 'add-scsi-controller' -Cmdlet 'Add-VMScsiController' -Detail ('SCSI controller {0}' -f $i)
        Add-VMScsiController -VM $VM | Out-Null
        Complete-HvStep -Context $Context
    }
}

# Every drive at exactly its planned slot: hard disks (a VHD or a physical disk) and DVD drives.
function Add-HvGuestDrives {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Drives)
    foreach ($d in $Drives) {
        $controller = Get-HvField -Object $d -Name 'controller'
        $slot = Get-HvSlotText -Controller $controller
        $path = Get-HvField -Object $d -Name 'path'
        $number = [int](Get-HvField -Object $controller -Name 'number')
        $location = [int](Get-HvField -Object $controller -Name 'location')
        if ([string](Get-HvField -Object $d -Name 'kind') -eq 'hdd') {
            $hdd = @{ VM = $VM; ControllerType = [string](Get-HvField -Object $controller -Name 'type'); ControllerNumber = $number; ControllerLocation = $location }
            $diskNumber = Get-HvField -Object $d -Name 'diskNumber'
            if ($null -ne $diskNumber) {
                $hdd.DiskNumber = [uint32]$diskNumber
                $detail = '{0} physical disk {1}' -f $slot, $diskNumber
            } else {
                $hdd.Path = [string]$path
                $detail = '{0} {1}' -f $slot, $path
            }
            Start-HvStep -Context $Context -Step 'add-hard-disk' -Cmdlet 'Add-VMHardDiskDrive' -Detail $detail
            Add-VMHardDiskDrive @hdd | Out-Null
            Complete-HvStep -Context $Context
        } else {
            $dvd = @{ VM = $VM; ControllerNumber = $number; ControllerLocation = $location }
            if (-not [string]::IsNullOrEmpty([string]$path)) { $dvd.Path = [string]$path; $detail = '{0} {1}' -f $slot, $path }
            else { $detail = '{0} (empty)' -f $slot }
            Start-HvStep -Context $Context -Step 'add-dvd' -Cmdlet 'Add-VMDvdDrive' -Detail $detail
            Add-VMDvdDrive @dvd | Out-Null
            Complete-HvStep -Context $Context
        }
    }
}

# The planned network adapters, each with its VLAN, VMQ weight and MAC address spoofing. Returns
# the adapters by lower-case name (Generation 2 boot order refers to them).
function Add-HvGuestAdapters {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Adapters)
    $nicsByName = @{}
    foreach ($a in $Adapters) {
        $nicName = [string](Get-HvField -Object $a -Name 'name')
        $switch = Get-HvField -Object $a -Name 'switch'
        $legacy = Test-HvTrue (Get-HvField -Object $a -Name 'legacy')
        $add = @{ VM = $VM; Name = $nicName; IsLegacy = $legacy; Passthru = $true }
        if (-not [string]::IsNullOrEmpty([string]$switch)) { $add.SwitchName = [string]$switch }
        $mac = Get-HvField -Object $a -Name 'macAddress'
        if (-not [string]::IsNullOrEmpty([string]$mac)) { $add.StaticMacAddress = ConvertTo-HvMacAddress -Mac ([string]$mac) }
        Start-HvStep -Context $Context -Step 'add-adapter' -Cmdlet 'Add-VMNetworkAdapter' -Detail ('{0} on {1}{2}' -f $nicName, $switch, $(if ($legacy) { ' (legacy)' } else { '' }))
        $nic = @(Select-HvObject -InputObject @(Add-VMNetworkAdapter @add) -Property 'Name')
        Complete-HvStep -Context $Context
        if ($nic.Count -eq 0 -or $null -eq $nic[0]) {
            Set-HvActivity -Context $Context -Step 'add-adapter' -Cmdlet 'Get-VMNetworkAdapter'
            $nic = @(@(Get-VMNetworkAdapter -VM $VM) | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $nicName })
            $nic = @($nic | Select-Object -Last 1)
        }
        $nic = $nic[0]
        $nicsByName[$nicName.ToLowerInvariant()] = $nic
        $vlan = Get-HvField -Object $a -Name 'vlan'
        if ($null -ne $vlan) {
            Start-HvStep -Context $Context -Step 'set-vlan' -Cmdlet 'Set-VMNetworkAdapterVlan' -Detail ('{0} access VLAN {1}' -f $nicName, $vlan)
            Set-VMNetworkAdapterVlan -VMNetworkAdapter $nic -Access -VlanId ([int]$vlan) | Out-Null
            Complete-HvStep -Context $Context
        }
        if (-not $legacy) {
            $weight = $(if (Test-HvTrue (Get-HvField -Object $a -Name 'vmq')) { 100 } else { 0 })
            Start-HvStep -Context $Context -Step 'set-vmq' -Cmdlet 'Set-VMNetworkAdapter' -Detail ('{0} VmqWeight {1}' -f $nicName, $weight)
            Set-VMNetworkAdapter -VMNetworkAdapter $nic -VmqWeight ([uint32]$weight) | Out-Null
            Complete-HvStep -Context $Context
        }
        if (Test-HvTrue (Get-HvField -Object $a -Name 'macSpoofing')) {
            Start-HvStep -Context $Context -Step 'set-mac-spoofing' -Cmdlet 'Set-VMNetworkAdapter' -Detail ('{0} MAC address spoofing on' -f $nicName)
            Set-VMNetworkAdapter -VMNetworkAdapter $nic -MacAddressSpoofing 'On' | Out-Null
            Complete-HvStep -Context $Context
        }
    }
    return $nicsByName
}

# Boot order: Generation 1 by device type (Set-VMBios), Generation 2 by device (Set-HvFirmware).
function Set-HvGuestBootOrder {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Guest, [int]$Generation, [hashtable]$Adapters)
    $bootOrder = @(@(Get-HvField -Object $Guest -Name 'bootOrder' -Default @()) | ForEach-Object { [string]$_ })
    if ($Generation -ne 1) {
        Set-HvFirmware -Context $Context -VM $VM -Guest $Guest -BootOrder $bootOrder -Adapters $Adapters
        return
    }
    if ($bootOrder.Count -eq 0) { return }
    Start-HvStep -Context $Context -Step 'set-bios' -Cmdlet 'Set-VMBios' -Detail ($bootOrder -join ', ')
    Set-VMBios -VM $VM -StartupOrder $bootOrder | Out-Null
    Complete-HvStep -Context $Context
}

# Notes, checkpoints, automatic checkpoints, automatic start and stop actions: one Set-VM.
function Set-HvGuestSettings {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Guest)
    $settings = @{ VM = $VM }
    $what = New-Object System.Collections.Generic.List[string]
    $notes = Get-HvField -Object $Guest -Name 'notes'
    if ($null -ne $notes) { $settings.Notes = [string]$notes; $what.Add('notes') }
    $checkpoints = Get-HvField -Object $Guest -Name 'checkpoints'
    if ($null -ne $checkpoints) {
        $checkpointType = ConvertTo-HvEnumName -Field 'checkpoints' -Value ([string]$checkpoints)
        if (Test-HvCommandParameter -Command 'Set-VM' -Parameter 'CheckpointType') { $settings.CheckpointType = $checkpointType; $what.Add('checkpoints ' + $checkpointType) }
        else {
            # Before checkpoint types (2016) every checkpoint is a standard one.
            $outcome = $(if ($checkpointType -eq 'Standard') { 'its checkpoints are standard ones, as planned' } else { 'its checkpoints are standard ones' })
            Add-HvUnsupportedSettingWarning -Context $Context -Setting 'checkpoints' -Command 'Set-VM' -Parameter 'CheckpointType' -Value $checkpointType -Outcome $outcome
        }
    }
    # Windows 10 and 11 make VMs with automatic checkpoints on: a guest checkpointed behind
    # hvguest's back runs on an .avhdx that destroy and offline injection would meet. Off for every
    # guest, unless its template asks for checkpoints (a checkpoints type other than disabled), whose
    # automatic ones are then left as the host makes them.
    $wantsCheckpoints = ($null -ne $checkpoints -and -not (Test-HvSameText -A ([string]$checkpoints) -B 'disabled'))
    if (-not $wantsCheckpoints) {
        if (Test-HvCommandParameter -Command 'Set-VM' -Parameter 'AutomaticCheckpointsEnabled') { $settings.AutomaticCheckpointsEnabled = $false; $what.Add('automatic checkpoints off') }
    }
    $startAction = Get-HvField -Object $Guest -Name 'automaticStartAction'
    if ($null -ne $startAction) { $settings.AutomaticStartAction = ConvertTo-HvEnumName -Field 'automaticStartAction' -Value ([string]$startAction); $what.Add('start action ' + $settings.AutomaticStartAction) }
    $stopAction = Get-HvField -Object $Guest -Name 'automaticStopAction'
    if ($null -ne $stopAction) { $settings.AutomaticStopAction = ConvertTo-HvEnumName -Field 'automaticStopAction' -Value ([string]$stopAction); $what.Add('stop action ' + $settings.AutomaticStopAction) }
    if ($what.Count -eq 0) { return }
    Start-HvStep -Context $Context -Step 'set-vm' -Cmdlet 'Set-VM' -Detail ($what -join ', ')
    Set-VM @settings | Out-Null
    Complete-HvStep -Context $Context
}

# Starts the guest when the plan says start.
function Start-HvPlannedGuest {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, $Guest, [string]$Name)
    if (-not (Test-HvTrue (Get-HvField -Object $Guest -Name 'start'))) { return }
    Start-HvStep -Context $Context -Step 'start-vm' -Cmdlet 'Start-VM' -Detail $Name
    Start-VM -VM $VM | Out-Null
    Complete-HvStep -Context $Context
}

function Set-HvIntegrationServices {
    param([hashtable]$Context, $VM, $Services)
    $out = New-Object System.Collections.Generic.List[object]
    if (@($Services).Count -eq 0) { return }
    Set-HvActivity -Context $Context -Step 'set-integration-service' -Cmdlet 'Get-VMIntegrationService'
    $present = @(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $VM) -Property 'Id')
    foreach ($s in $Services) {
        $guid = [string](Get-HvField -Object $s -Name 'id')
        $label = [string](Get-HvField -Object $s -Name 'name' -Default $guid)
        $want = Test-HvTrue (Get-HvField -Object $s -Name 'enabled')
        $match = $null
        foreach ($p in $present) {
            $id = [string](Get-HvField -Object $p -Name 'Id' -Default '')
            $suffix = $id.Substring($id.LastIndexOf('\') + 1)
            if (Test-HvSameText -A $suffix -B $guid) { $match = $p; break }
        }
        if ($null -eq $match) {
            if ($want) { Add-HvWarning -Context $Context -Code 'integration-service-missing' -Setting 'integration.services' -Message ("integration service {0} ({1}) does not exist on this host; it cannot be enabled" -f $label, $guid) }
            $out.Add([ordered]@{ id = $guid; name = $label; enabled = $false; wanted = $want; changed = $false; present = $false })
            continue
        }
        $is = Test-HvTrue (Get-HvField -Object $match -Name 'Enabled')
        if ($is -ne $want) {
            if ($want) {
                Start-HvStep -Context $Context -Step 'set-integration-service' -Cmdlet 'Enable-VMIntegrationService' -Detail ('{0} ({1}) on' -f $label, $guid)
                Enable-VMIntegrationService -VMIntegrationService $match | Out-Null
            } else {
                Start-HvStep -Context $Context -Step 'set-integration-service' -Cmdlet 'Disable-VMIntegrationService' -Detail ('{0} ({1}) off' -f $label, $guid)
                Disable-VMIntegrationService -VMIntegrationService $match | Out-Null
            }
            Complete-HvStep -Context $Context
        }
        $out.Add([ordered]@{ id = $guid; name = $label; enabled = $want; wanted = $want; changed = ($is -ne $want); present = $true })
    }
    return $out.ToArray()
}

# Generation 2: boot order as device objects (`SCSI n:m` drives, `network:<adapter>`), Secure Boot.
function Set-HvFirmware {
    param([hashtable]$Context, $VM, $Guest, [string[]]$BootOrder, [hashtable]$Adapters)
    $firmware = @{ VM = $VM }
    $devices = New-Object System.Collections.Generic.List[object]
    foreach ($ref in $BootOrder) {
        if ($ref -match '^network:(.*)$') {
            $key = $Matches[1].ToLowerInvariant()
            if ($Adapters.ContainsKey($key)) { $devices.Add($Adapters[$key]) }
            else { Add-HvWarning -Context $Context -Code 'boot-device-missing' -Setting 'bootOrder' -Message ("boot device {0}: no such adapter; left out" -f $ref) }
        } elseif ($ref -match '^SCSI (\d+):(\d+)$') {
            $n = [int]$Matches[1]
            $l = [int]$Matches[2]
            Set-HvActivity -Context $Context -Step 'set-firmware' -Cmdlet 'Get-VMHardDiskDrive'
            $dev = @(Get-VMHardDiskDrive -VM $VM -ControllerType 'SCSI' -ControllerNumber $n -ControllerLocation $l)
            if ($dev.Count -eq 0) {
                Set-HvActivity -Context $Context -Step 'set-firmware' -Cmdlet 'Get-VMDvdDrive'
                $dev = @(Get-VMDvdDrive -VM $VM -ControllerNumber $n -ControllerLocation $l)
            }
            if ($dev.Count -gt 0) { $devices.Add($dev[0]) } else { Add-HvWarning -Context $Context -Code 'boot-device-missing' -Setting 'bootOrder' -Message ("boot device {0}: no drive there; left out" -f $ref) }
        } else {
            Add-HvWarning -Context $Context -Code 'boot-device-missing' -Setting 'bootOrder' -Message ("boot device {0}: not a Generation 2 device reference; left out" -f $ref)
        }
    }
    $what = New-Object System.Collections.Generic.List[string]
    if ($devices.Count -gt 0) { $firmware.BootOrder = $devices.ToArray(); $what.Add('boot order ' + ($BootOrder -join ', ')) }
    $fw = Get-HvField -Object $Guest -Name 'firmware'
    $secureBoot = Get-HvField -Object $fw -Name 'secureBoot'
    if ($null -ne $secureBoot) { $firmware.EnableSecureBoot = $(if (Test-HvSameText -A ([string]$secureBoot) -B 'on') { 'On' } else { 'Off' }); $what.Add('secure boot ' + $firmware.EnableSecureBoot) }
    $template = Get-HvField -Object $fw -Name 'secureBootTemplate'
    if (-not [string]::IsNullOrEmpty([string]$template)) {
        if (Test-HvCommandParameter -Command 'Set-VMFirmware' -Parameter 'SecureBootTemplate') { $firmware.SecureBootTemplate = [string]$template; $what.Add('template ' + $template) }
        else { Add-HvUnsupportedSettingWarning -Context $Context -Setting 'firmware.secureBootTemplate' -Command 'Set-VMFirmware' -Parameter 'SecureBootTemplate' -Value ([string]$template) }
    }
    if ($what.Count -eq 0) { return }
    Start-HvStep -Context $Context -Step 'set-firmware' -Cmdlet 'Set-VMFirmware' -Detail ($what -join ', ')
    if (Test-HvCommand -Command 'Set-VMFirmware') { Set-VMFirmware @firmware | Out-Null }
    else { throw (New-HvError -Message 'this host has no Set-VMFirmware: it cannot configure a Generation 2 VM' -Category 'NotImplemented') }
    Complete-HvStep -Context $Context
}

# The virtual TPM (security.tpm; Windows 11 needs it). A TPM's state is encrypted with a key that
# a key protector wraps, so the VM gets a new local key protector first (Set-VMKeyProtector
# -NewLocalKeyProtector), then the TPM (Enable-VMTPM). Both cmdlets arrived with Windows Server 2016
# and Windows 10 1511, and exist for Generation 2 VMs only; the plan refuses anything else
# (tpm-gen1, tpm-unsupported-host), the checks here catch a plan that reaches such a host anyway.
# docs/windows-11.md has the sources.
function Set-HvSecurity {
    param([hashtable]$Context, $VM, $Guest, [int]$Generation)
    $security = Get-HvField -Object $Guest -Name 'security'
    if (-not [bool](Get-HvField -Object $security -Name 'tpm' -Default $false)) { return }
    if ($Generation -ne 2) {
        throw (New-HvError -Step 'set-key-protector' -Message 'security.tpm: a virtual TPM exists only on Generation 2 VMs' -Category 'InvalidArgument')
    }
    # Both checked before either runs, so a host without them is left with no half-made TPM.
    $missing = @(@('Set-VMKeyProtector', 'Enable-VMTPM') | Where-Object { -not (Test-HvCommand -Command $_) })
    if ($missing.Count -gt 0) {
        throw (New-HvError -Step 'set-key-protector' -Cmdlet ([string]$missing[0]) -Message ("this host has no {0}: a virtual TPM (security.tpm) needs a Windows Server 2016 or Windows 10 1511 or later host" -f ($missing -join ' or ')) -Category 'NotImplemented')
    }
    # Neither step has an undo of its own: the VM is new in this run, and removing it (the new-vm
    # entry's undo) takes its key protector and its TPM along. A key protector cannot be taken off
    # a VM anyway, and Disable-VMTPM would fail on a VM this run has started (the TPM changes only
    # while the VM is off), leaving a rollback unfinished for nothing.
    Start-HvStep -Context $Context -Step 'set-key-protector' -Cmdlet 'Set-VMKeyProtector' -Detail 'new local key protector'
    if (Test-HvCommand -Command 'Set-VMKeyProtector') { Set-VMKeyProtector -VM $VM -NewLocalKeyProtector | Out-Null }
    else { throw (New-HvError -Message 'this host has no Set-VMKeyProtector' -Category 'NotImplemented') }
    Complete-HvStep -Context $Context
    Start-HvStep -Context $Context -Step 'enable-tpm' -Cmdlet 'Enable-VMTPM' -Detail 'virtual TPM'
    if (Test-HvCommand -Command 'Enable-VMTPM') { Enable-VMTPM -VM $VM | Out-Null }
    else { throw (New-HvError -Message 'this host has no Enable-VMTPM' -Category 'NotImplemented') }
    Complete-HvStep -Context $Context
}
