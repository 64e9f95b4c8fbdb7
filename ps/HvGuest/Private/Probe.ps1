# probe (`hvguest doctor --probe`, docs/execution.md section 7): proves, on the host itself, what
# a create does. A throwaway guest with one of each device the planner uses (the request's
# `guest`, a PlannedGuest built by Node) is created by the same New-HvGuest as create-guest, in
# its own folder under <vmRoot>\.hvguest, journaled and under the host lock like any run. Its
# boot disk is then mounted and dismounted (the path offline IC injection takes), the guest is
# read back, and the run is rolled back: the host is left as it was. A probe killed half way
# leaves a journal without a commit mark, which `hvguest recover` rolls back like any run.
#
# The runtime only reports what the host did (data.guest, data.vhds, data.mount, data.cleanup);
# Node compares it with what it asked for (src/execute/probe.ts).

function Invoke-HvProbeAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the probe run id')
    $Context.RunId = $runId
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'probe' -Required
    $guest = Get-HvRequiredField -Object $Request -Name 'guest' -What 'the probe guest (a PlannedGuest)'
    $name = [string](Get-HvRequiredField -Object $guest -Name 'name' -What 'the probe guest name')
    $folder = [string](Get-HvRequiredField -Object $guest -Name 'path' -What "the probe guest's folder")
    $Context.Guest = $name
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 60)
    if ($script:HvRuns.ContainsKey($runId)) {
        throw (New-HvError -Step 'probe' -Message ("run {0} has already begun in this session" -f $runId) -Category 'InvalidOperation')
    }

    $data = [ordered]@{
        runId    = $runId
        vmRoot   = $vmRoot
        folder   = $folder
        host     = Get-HvProbeHostFacts
        guest    = $null
        vhds     = @()
        mount    = $null
        warnings = @()
        cleanup  = $null
    }
    $Context.Data = $data

    # hvguest's own folders the probe makes on a host that never had a run: removed again after.
    $stateRoot = Get-HvStateRoot -VmRoot $vmRoot
    $journalDir = Get-HvJournalDir -VmRoot $vmRoot
    $newFolders = @(@($journalDir, $stateRoot, $vmRoot) | Where-Object { -not (Test-HvDirectory -Path $_) })

    $started = New-HvRunStart -RunId $runId -VmRoot $vmRoot
    $run = $null
    $failure = $null
    try {
        Start-HvRun -Context $Context -Started $started -TimeoutSeconds $timeout -ReportProgress
        $run = $started.Run

        $made = New-HvGuest -Context $Context -Guest $guest -Replace $false -Media @() -VmRoot $vmRoot
        $data.guest = Read-HvProbeGuest -Context $Context -VMId ([string](Get-HvField -Object $made -Name 'vmId'))
        $data.vhds = @(Read-HvProbeVhds -Context $Context -Guest $guest)
        $boot = @(@(Get-HvField -Object $guest -Name 'drives' -Default @()) | Where-Object { [string](Get-HvField -Object $_ -Name 'role') -eq 'boot' -and [string](Get-HvField -Object $_ -Name 'kind') -eq 'hdd' })
        if ($boot.Count -gt 0) { $data.mount = Test-HvProbeMount -Context $Context -Path ([string](Get-HvField -Object $boot[0] -Name 'path')) }
    } catch {
        # No lock taken (another run holds it): nothing of the probe's to clean up, the error as it is.
        if (-not $started.Locked) { throw }
        $failure = @{ Record = $_; Step = $Context.Step; Cmdlet = $Context.Cmdlet }
    }

    # Everything the probe made goes, whether it got to the end or not.
    $Context.Guest = $name
    $cleanupError = $null
    $rollback = $null
    try {
        Set-HvActivity -Context $Context -Step 'probe-cleanup' -Cmdlet $null
        if ($null -ne $run) { $rollback = Complete-HvRollback -Run $run -Context $Context }
        else {
            [void](Exit-HvLock -VmRoot $vmRoot -RunId $runId)
            Remove-HvRunPointer -RunId $runId
        }
    } catch {
        $cleanupError = Get-HvErrorMessage -ErrorRecord $_
    }
    $errors = New-Object System.Collections.Generic.List[string]
    if ($null -ne $rollback) { foreach ($e in @($rollback.errors)) { $errors.Add([string]$e) } }
    if ($null -ne $cleanupError) { $errors.Add($cleanupError) }
    $journalKept = ($null -eq $rollback -and $null -ne $run) -or ($null -ne $rollback -and [bool]$rollback.journalKept)
    if ($journalKept -and $null -ne $rollback -and (Test-HvDirectory -Path $folder)) {
        # The journal now keeps only the undos that failed (the VM, say), and the probe's folder was
        # kept because the VM still had files in it. Recover must remove the folder too, after those
        # undos: an entry undone last is first in the journal.
        try {
            $folderEntry = [ordered]@{ seq = 0; step = 'create-folder'; guest = $name; detail = $folder; undo = [ordered]@{ action = 'remove-dir'; path = $folder }; done = $true }
            $run.Entries.Insert(0, $folderEntry)
            Save-HvJournal -Run $run
        } catch { $errors.Add(('the journal could not be told to remove {0} too: {1}' -f $folder, (Get-HvErrorMessage -ErrorRecord $_))) }
    }
    if ($errors.Count -eq 0 -and -not $journalKept) { Remove-HvProbeFolders -Folders $newFolders }
    $vmLeft = $false
    try { $vmLeft = (@(Find-HvVMByName -Name $name).Count -gt 0) } catch { $vmLeft = $true }
    $data.warnings = Get-HvWarningMessages -Context $Context
    $data.cleanup = [ordered]@{
        undone       = $(if ($null -ne $rollback) { @($rollback.undone).Count } else { 0 })
        errors       = $errors.ToArray()
        journalKept  = $journalKept
        journal      = $(if ($journalKept -and $null -ne $run) { $run.JournalPath } else { $null })
        lockReleased = -not (Test-HvLockHeldBy -VmRoot $vmRoot -RunId $runId)
        vmLeft       = $vmLeft
        folderLeft   = (Test-HvDirectory -Path $folder)
    }

    if ($null -ne $failure) {
        $Context.Step = $failure.Step
        $Context.Cmdlet = $failure.Cmdlet
        throw $failure.Record
    }
    if ($errors.Count -gt 0 -or $journalKept) {
        $Context.Failure = [ordered]@{
            step     = 'probe-cleanup'
            cmdlet   = $null
            message  = ('the probe guest could not be removed completely: {0}. Run hvguest recover for this host to finish removing it' -f ($(if ($errors.Count -gt 0) { $errors.ToArray() -join '; ' } else { 'its journal was kept' })))
            category = 'InvalidOperation'
        }
    }
}

# Facts a bug report needs: what the host runs, and which PowerShell and Hyper-V module answer.
function Get-HvProbeHostFacts {
    $os = $null
    try {
        $o = @(Get-CimInstance -ClassName 'Win32_OperatingSystem')[0]
        $os = [ordered]@{
            caption     = [string](Get-HvField -Object $o -Name 'Caption' -Default '')
            version     = [string](Get-HvField -Object $o -Name 'Version' -Default '')
            buildNumber = [string](Get-HvField -Object $o -Name 'BuildNumber' -Default '')
        }
    } catch { $os = $null }
    $module = $null
    try {
        $m = @(Get-Module -Name 'Hyper-V')
        if ($m.Count -eq 0) { $m = @(Get-Module -ListAvailable -Name 'Hyper-V' | Sort-Object -Property Version -Descending) }
        if ($m.Count -gt 0) { $module = [ordered]@{ version = [string]$m[0].Version; path = [string]$m[0].Path } }
    } catch { $module = $null }
    $edition = [string](Get-HvField -Object $PSVersionTable -Name 'PSEdition' -Default 'Desktop')
    return [ordered]@{
        computerName = [System.Environment]::MachineName
        os           = $os
        powershell   = [ordered]@{ version = $PSVersionTable.PSVersion.ToString(); edition = $edition }
        hyperVModule = $module
    }
}

# The guest as the host reports it: generation, memory, every drive at its slot, adapters, ICs.
function Read-HvProbeGuest {
    param([hashtable]$Context, [string]$VMId)
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VM'
    Write-HvProgress -Context $Context -Step 'probe-read' -Detail $VMId
    $vm = Find-HvVMById -VMId $VMId
    if ($null -eq $vm) { throw (New-HvError -Cmdlet 'Get-VM' -Message ("the probe guest (id {0}) is not there after it was created" -f $VMId) -Category 'ObjectNotFound') }
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VMHardDiskDrive'
    $hdds = @(@(Select-HvObject -InputObject @(Get-VMHardDiskDrive -VM $vm) -Property 'ControllerType') | ForEach-Object { ConvertTo-HvProbeSlot -Drive $_ })
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VMDvdDrive'
    $dvds = @(@(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $vm) -Property 'ControllerType') | ForEach-Object { ConvertTo-HvProbeSlot -Drive $_ })
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VMNetworkAdapter'
    $nics = @(@(Select-HvObject -InputObject @(Get-VMNetworkAdapter -VM $vm) -Property 'Name') | ForEach-Object {
            [ordered]@{ name = [string]$_.Name; legacy = (Test-HvTrue (Get-HvField -Object $_ -Name 'IsLegacy' -Default $false)) }
        })
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VMIntegrationService'
    $ics = @(@(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $vm) -Property 'Id') | ForEach-Object {
            $id = [string](Get-HvField -Object $_ -Name 'Id' -Default '')
            [ordered]@{ id = $id.Substring($id.LastIndexOf('\') + 1).ToUpperInvariant(); enabled = (Test-HvTrue (Get-HvField -Object $_ -Name 'Enabled' -Default $false)) }
        })
    $generation = Get-HvField -Object $vm -Name 'Generation' -Default $null
    $memory = Get-HvField -Object $vm -Name 'MemoryStartup' -Default $null
    return [ordered]@{
        name                = [string]$vm.Name
        vmId                = $VMId
        generation          = $(if ($null -eq $generation) { $null } else { [int]$generation })
        memoryStartupBytes  = $(if ($null -eq $memory) { $null } else { [int64]$memory })
        hardDrives          = $hdds
        dvdDrives           = $dvds
        networkAdapters     = $nics
        integrationServices = $ics
    }
}

function ConvertTo-HvProbeSlot {
    param($Drive)
    $path = [string](Get-HvField -Object $Drive -Name 'Path' -Default '')
    return [ordered]@{
        controllerType     = [string](Get-HvField -Object $Drive -Name 'ControllerType' -Default '')
        controllerNumber   = [int](Get-HvField -Object $Drive -Name 'ControllerNumber' -Default -1)
        controllerLocation = [int](Get-HvField -Object $Drive -Name 'ControllerLocation' -Default -1)
        path               = $(if ($path.Length -eq 0) { $null } else { $path })
    }
}

# Each disk the probe created, as Get-VHD reports it (format, type, size).
function Read-HvProbeVhds {
    param([hashtable]$Context, $Guest)
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VHD'
    foreach ($d in @(Get-HvField -Object $Guest -Name 'drives' -Default @())) {
        if ([string](Get-HvField -Object $d -Name 'kind') -ne 'hdd') { continue }
        $path = [string](Get-HvField -Object $d -Name 'path' -Default '')
        if ($path.Length -eq 0) { continue }
        $vhd = @(Select-HvObject -InputObject @(Get-VHD -Path $path) -Property 'Path')
        if ($vhd.Count -eq 0) { continue }
        [ordered]@{
            path      = $path
            format    = [string](Get-HvField -Object $vhd[0] -Name 'VhdFormat' -Default '')
            type      = [string](Get-HvField -Object $vhd[0] -Name 'VhdType' -Default '')
            sizeBytes = [int64](Get-HvField -Object $vhd[0] -Name 'Size' -Default 0)
        }
    }
}

# Mount-VHD -Passthru then Dismount-VHD of one disk, as offline injection does; journaled, so a
# probe stopped in between is dismounted by rollback or recover.
function Test-HvProbeMount {
    param([hashtable]$Context, [string]$Path)
    Start-HvStep -Context $Context -Step 'mount-vhd' -Cmdlet 'Mount-VHD' -Detail $Path -Undo ([ordered]@{ action = 'dismount-vhd'; path = $Path })
    $mounted = @(Select-HvObject -InputObject @(Mount-VHD -Path $Path -Passthru) -Property 'Path')
    Complete-HvStep -Context $Context
    $attached = $null
    $diskNumber = $null
    try {
        if ($mounted.Count -gt 0) {
            $attached = Test-HvTrue (Get-HvField -Object $mounted[0] -Name 'Attached' -Default $false)
            $n = Get-HvField -Object $mounted[0] -Name 'DiskNumber' -Default $null
            if ($null -ne $n) { $diskNumber = [int]$n }
        }
    } finally {
        # Always, as offline injection does; a failure here is the probe's (rollback dismounts too).
        Start-HvStep -Context $Context -Step 'dismount-vhd' -Cmdlet 'Dismount-VHD' -Detail $Path
        Dismount-VHD -Path $Path | Out-Null
        Complete-HvStep -Context $Context
    }
    Set-HvActivity -Context $Context -Step 'probe-read' -Cmdlet 'Get-VHD'
    $after = @(Select-HvObject -InputObject @(Get-VHD -Path $Path) -Property 'Path')
    $attachedAfter = $null
    if ($after.Count -gt 0) { $attachedAfter = Test-HvTrue (Get-HvField -Object $after[0] -Name 'Attached' -Default $false) }
    return [ordered]@{ path = $Path; passthru = ($mounted.Count -gt 0); attached = $attached; diskNumber = $diskNumber; attachedAfterDismount = $attachedAfter }
}

# Removes the given folders (deepest first) when they hold nothing at all: hvguest's own folders
# that did not exist before the probe.
function Remove-HvProbeFolders {
    param([string[]]$Folders)
    foreach ($f in $Folders) {
        try {
            if ((Test-HvDirectory -Path $f) -and @(Get-ChildItem -LiteralPath $f -Force).Count -eq 0) { Remove-Item -LiteralPath $f -Force }
        } catch { }
    }
}
