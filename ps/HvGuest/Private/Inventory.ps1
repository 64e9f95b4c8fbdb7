# list, destroy and recover: what is on the host, removing what hvguest made (and only that),
# and finishing the undo of runs that were killed.
#
# Manifests (Manifest.ps1, written at commit) are the only record of what hvguest created:
# destroy refuses a VM without one, and deletes only the files it lists.

# vmRoot from the request, else the host's default VM folder.
function Resolve-HvVmRoot {
    param($Request, [string]$Step, [switch]$Required)
    $vmRoot = [string](Get-HvField -Object $Request -Name 'vmRoot' -Default '')
    if ($vmRoot.Length -gt 0) { return $vmRoot }
    try { $vmRoot = [string](Get-HvField -Object (Get-VMHost) -Name 'VirtualMachinePath' -Default '') } catch { $vmRoot = '' }
    if ($vmRoot.Length -gt 0) { return $vmRoot }
    if ($Required) { throw (New-HvError -Step $Step -Cmdlet 'Get-VMHost' -Message 'the request has no vmRoot and the host reports no default virtual machine path' -Category 'InvalidArgument') }
    return $null
}

# Removes a VM and (unless $KeepDisks) the files its manifest lists. Shared by destroy and by
# create-guest with replace.
function Remove-HvManagedGuest {
    param([hashtable]$Context, $VM, $Manifest, $ManifestPath, [bool]$KeepDisks)
    $name = [string]$VM.Name
    # A clustered guest leaves its cluster first: its role (and the VM's resource in it) goes, so
    # the cluster neither restarts the VM nor keeps a role whose VM is gone.
    if (Test-HvTrue (Get-HvField -Object $VM -Name 'IsClustered' -Default $false)) {
        $role = Find-HvClusterRole -VMId (Get-HvVMId -VM $VM)
        if ($null -ne $role) {
            Start-HvStep -Context $Context -Step 'remove-cluster-role' -Cmdlet 'Remove-ClusterGroup' -Detail ([string]$role.Name)
            Remove-HvClusterRole -Role $role
            Complete-HvStep -Context $Context
        }
    }
    $state = [string](Get-HvField -Object $VM -Name 'State' -Default 'Off')
    if (-not (Test-HvSameText -A $state -B 'Off')) {
        Start-HvStep -Context $Context -Step 'stop-vm' -Cmdlet 'Stop-VM' -Detail $name
        Stop-VM -VM $VM -TurnOff -Force | Out-Null
        Complete-HvStep -Context $Context
    }
    Start-HvStep -Context $Context -Step 'remove-vm' -Cmdlet 'Remove-VM' -Detail $name
    Remove-VM -VM $VM -Force | Out-Null
    Complete-HvStep -Context $Context
    $deleted = New-Object System.Collections.Generic.List[string]
    $kept = New-Object System.Collections.Generic.List[string]
    $missing = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Manifest) {
        foreach ($f in @(Get-HvField -Object $Manifest -Name 'files' -Default @())) {
            $f = [string]$f
            if ($KeepDisks) { $kept.Add($f); continue }
            if (-not (Test-HvFile -Path $f)) { $missing.Add($f); continue }
            Start-HvStep -Context $Context -Step 'delete-file' -Cmdlet 'Remove-Item' -Detail $f
            Remove-Item -LiteralPath $f -Force
            Complete-HvStep -Context $Context
            $deleted.Add($f)
        }
        if (-not $KeepDisks) {
            $dirs = @(Get-HvField -Object $Manifest -Name 'directories' -Default @())
            [array]::Reverse($dirs)
            foreach ($d in $dirs) {
                $d = [string]$d
                if (-not (Test-HvDirectory -Path $d) -or -not (Test-HvDirectoryHasNoFiles -Path $d)) { continue }
                Start-HvStep -Context $Context -Step 'remove-folder' -Cmdlet 'Remove-Item' -Detail $d
                Remove-Item -LiteralPath $d -Recurse -Force
                Complete-HvStep -Context $Context
            }
        }
        if (-not [string]::IsNullOrEmpty([string]$ManifestPath) -and (Test-HvFile -Path $ManifestPath)) {
            Start-HvStep -Context $Context -Step 'delete-manifest' -Cmdlet $null -Detail $ManifestPath
            [void](Remove-HvManifest -Path $ManifestPath)
            Complete-HvStep -Context $Context
        }
    }
    return [ordered]@{ name = $name; vmId = (Get-HvVMId -VM $VM); deleted = $deleted.ToArray(); kept = $kept.ToArray(); missing = $missing.ToArray() }
}

function Invoke-HvDestroyAction {
    param([hashtable]$Context, $Request)
    $names = @(@(Get-HvRequiredField -Object $Request -Name 'names' -What 'the VMs to destroy') | ForEach-Object { [string]$_ })
    $keepDisks = Test-HvTrue (Get-HvField -Object $Request -Name 'keepDisks')
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'destroy' -Required
    $timeout = [double](Get-HvField -Object $Request -Name 'lockTimeoutSeconds' -Default 30)
    $lockId = 'destroy-' + [guid]::NewGuid().ToString('N')
    Set-HvActivity -Context $Context -Step 'lock' -Cmdlet $null
    [void](Enter-HvLock -VmRoot $vmRoot -RunId $lockId -TimeoutSeconds $timeout -Step 'lock')
    try {
        # Every name is checked before anything is removed: all or nothing.
        Set-HvActivity -Context $Context -Step 'find-vm' -Cmdlet 'Get-VM'
        $targets = New-Object System.Collections.Generic.List[object]
        $refused = New-Object System.Collections.Generic.List[object]
        foreach ($n in $names) {
            $found = @(Find-HvVMByName -Name $n)
            if ($found.Count -eq 0) { $refused.Add([ordered]@{ name = $n; vmId = $null; reason = 'not-found'; message = ("no VM named '{0}' on this host" -f $n) }); continue }
            foreach ($vm in $found) {
                $vmId = Get-HvVMId -VM $vm
                $mp = Get-HvManifestPath -VmRoot $vmRoot -VMId $vmId
                if (-not (Test-HvFile -Path $mp)) {
                    $refused.Add([ordered]@{ name = $n; vmId = $vmId; reason = 'no-manifest'; message = ("VM '{0}' ({1}) has no hvguest manifest under {2}: hvguest did not create it, so it will not destroy it" -f $n, $vmId, (Get-HvManifestDir -VmRoot $vmRoot)) })
                    continue
                }
                $targets.Add(@{ VM = $vm; Name = $n; ManifestPath = $mp; Manifest = (Read-HvManifest -Path $mp -MustExist) })
            }
        }
        if ($refused.Count -gt 0) {
            $Context.Data = [ordered]@{ guests = @(); refused = $refused.ToArray() }
            $category = $(if (@($refused | Where-Object { $_.reason -eq 'no-manifest' }).Count -gt 0) { 'PermissionDenied' } else { 'ObjectNotFound' })
            throw (New-HvError -Step 'find-vm' -Cmdlet 'Get-VM' -Message ((@($refused | ForEach-Object { $_.message }) -join '; ') + '; nothing was destroyed') -Category $category)
        }
        $results = New-Object System.Collections.Generic.List[object]
        foreach ($t in $targets) {
            $Context.Guest = $t.Name
            $results.Add((Remove-HvManagedGuest -Context $Context -VM $t.VM -Manifest $t.Manifest -ManifestPath $t.ManifestPath -KeepDisks $keepDisks))
        }
        $Context.Guest = $null
        $Context.Data = [ordered]@{ guests = $results.ToArray(); refused = @(); keepDisks = $keepDisks }
    } finally {
        [void](Exit-HvLock -VmRoot $vmRoot -RunId $lockId)
    }
}

function Get-HvIntegrationServiceGuid {
    param([string]$Id)
    if ([string]::IsNullOrEmpty($Id)) { return $null }
    return $Id.Substring($Id.LastIndexOf('\') + 1).ToUpperInvariant()
}

function Get-HvGuestDescription {
    param($VM, [string]$VmRoot)
    $vmId = Get-HvVMId -VM $VM
    $manifest = $null
    if (-not [string]::IsNullOrEmpty($VmRoot)) { $manifest = Read-HvManifest -Path (Get-HvManifestPath -VmRoot $VmRoot -VMId $vmId) -Lenient }
    $drives = New-Object System.Collections.Generic.List[object]
    foreach ($h in @(Select-HvObject -InputObject @(Get-VMHardDiskDrive -VM $VM) -Property 'ControllerType')) {
        $drives.Add([ordered]@{
                kind       = 'hdd'
                controller = [ordered]@{ type = [string]$h.ControllerType; number = [int]$h.ControllerNumber; location = [int]$h.ControllerLocation }
                path       = $(if ([string]::IsNullOrEmpty([string]$h.Path)) { $null } else { [string]$h.Path })
                diskNumber = Get-HvField -Object $h -Name 'DiskNumber'
            })
    }
    foreach ($d in @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $VM) -Property 'ControllerType')) {
        $type = [string](Get-HvField -Object $d -Name 'ControllerType' -Default $(if ([int](Get-HvField -Object $VM -Name 'Generation' -Default 1) -eq 2) { 'SCSI' } else { 'IDE' }))
        $drives.Add([ordered]@{
                kind       = 'dvd'
                controller = [ordered]@{ type = $type; number = [int]$d.ControllerNumber; location = [int]$d.ControllerLocation }
                path       = $(if ([string]::IsNullOrEmpty([string]$d.Path)) { $null } else { [string]$d.Path })
                diskNumber = $null
            })
    }
    $sorted = @($drives.ToArray() | Sort-Object -Property @{ Expression = { $_.controller.type } }, @{ Expression = { $_.controller.number } }, @{ Expression = { $_.controller.location } })
    $adapters = New-Object System.Collections.Generic.List[object]
    foreach ($a in @(Select-HvObject -InputObject @(Get-VMNetworkAdapter -VM $VM) -Property 'Name')) {
        $adapters.Add([ordered]@{
                name       = [string]$a.Name
                switch     = $(if ([string]::IsNullOrEmpty([string]$a.SwitchName)) { $null } else { [string]$a.SwitchName })
                legacy     = Test-HvTrue (Get-HvField -Object $a -Name 'IsLegacy')
                macAddress = [string](Get-HvField -Object $a -Name 'MacAddress' -Default '')
                vmqWeight  = Get-HvField -Object $a -Name 'VmqWeight'
            })
    }
    $services = New-Object System.Collections.Generic.List[object]
    foreach ($s in @(Select-HvObject -InputObject @(Get-VMIntegrationService -VM $VM) -Property 'Id')) {
        $services.Add([ordered]@{ id = (Get-HvIntegrationServiceGuid -Id ([string]$s.Id)); name = [string]$s.Name; enabled = (Test-HvTrue (Get-HvField -Object $s -Name 'Enabled')) })
    }
    $startup = Get-HvField -Object $VM -Name 'MemoryStartup'
    # A clustered guest's role: the node that owns it now (after a failover, not this one).
    $role = $null
    if (Test-HvTrue (Get-HvField -Object $VM -Name 'IsClustered' -Default $false)) {
        $group = Find-HvClusterRole -VMId $vmId
        if ($null -ne $group) { $role = [ordered]@{ name = [string]$group.Name; ownerNode = [string](Get-HvField -Object $group -Name 'OwnerNode') } }
    }
    return [ordered]@{
        name                = [string]$VM.Name
        vmId                = $vmId
        state               = [string](Get-HvField -Object $VM -Name 'State' -Default '')
        generation          = [int](Get-HvField -Object $VM -Name 'Generation' -Default 1)
        processors          = Get-HvField -Object $VM -Name 'ProcessorCount'
        memoryStartupBytes  = $(if ($null -eq $startup) { $null } else { [int64]$startup })
        dynamicMemory       = Get-HvField -Object $VM -Name 'DynamicMemoryEnabled'
        path                = Get-HvField -Object $VM -Name 'Path'
        notes               = Get-HvField -Object $VM -Name 'Notes'
        managed             = ($null -ne $manifest)
        runId               = $(if ($null -ne $manifest) { Get-HvField -Object $manifest -Name 'runId' } else { $null })
        createdAt           = $(if ($null -ne $manifest) { Get-HvField -Object $manifest -Name 'createdAt' } else { $null })
        drives              = $sorted
        networkAdapters     = $adapters.ToArray()
        integrationServices = $services.ToArray()
        seedMedia           = (Get-HvSeedMediaState -VM $VM -Manifest $manifest)
        clusterRole         = $role
    }
}

function Invoke-HvListAction {
    param([hashtable]$Context, $Request)
    $names = @(@(Get-HvField -Object $Request -Name 'names' -Default @()) | ForEach-Object { [string]$_ })
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'list'
    Set-HvActivity -Context $Context -Step 'list' -Cmdlet 'Get-VM'
    $vms = @(Get-HvAllVMs)
    $missing = New-Object System.Collections.Generic.List[string]
    if ($names.Count -gt 0) {
        foreach ($n in $names) {
            if (@($vms | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $n }).Count -eq 0) { $missing.Add($n) }
        }
        $vms = @($vms | Where-Object { $vm = $_; @($names | Where-Object { Test-HvSameText -A ([string]$vm.Name) -B $_ }).Count -gt 0 })
    }
    $guests = New-Object System.Collections.Generic.List[object]
    foreach ($vm in ($vms | Sort-Object -Property Name)) {
        Set-HvActivity -Context $Context -Step 'list' -Cmdlet 'Get-VMHardDiskDrive'
        $guests.Add((Get-HvGuestDescription -VM $vm -VmRoot $vmRoot))
    }
    $Context.Data = [ordered]@{ vmRoot = $vmRoot; guests = $guests.ToArray(); missing = $missing.ToArray() }
}

# A recover record of a worker's journal (create --parallel) says which worker it was.
function Add-HvWorkerField {
    param([System.Collections.IDictionary]$Record, [hashtable]$Run)
    if ([int]$Run.Worker -gt 0) { $Record['worker'] = [int]$Run.Worker }
    return $Record
}

function Invoke-HvRecoverAction {
    param([hashtable]$Context, $Request)
    $vmRoot = Resolve-HvVmRoot -Request $Request -Step 'recover' -Required
    # force: also runs whose process still seems alive (a reused process id).
    $force = Test-HvTrue (Get-HvField -Object $Request -Name 'force')
    $journalDir = Get-HvJournalDir -VmRoot $vmRoot
    $runs = New-Object System.Collections.Generic.List[object]
    $skipped = New-Object System.Collections.Generic.List[object]
    $errors = New-Object System.Collections.Generic.List[string]
    Set-HvActivity -Context $Context -Step 'recover' -Cmdlet 'Get-ChildItem'
    $files = @()
    if (Test-HvDirectory -Path $journalDir) {
        $all = @(Get-ChildItem -LiteralPath $journalDir -File -Force | Where-Object { Test-HvJournalFileName -Name $_.Name })
        $names = @($all | ForEach-Object { $_.Name })
        # One journal per run: an earlier hvguest's <runId>.json is read only while no <runId>.jsonl
        # has replaced it (Open-HvJournal converts it on its first write).
        $files = @($all | Where-Object { -not ($_.Name -like '*.json' -and $names -contains ($_.Name + 'l')) } | Sort-Object -Property Name)
    }
    # Every journal first, then each run as a whole: a run's journals (its lead's and, with create
    # --parallel, each worker's) are finished together, workers before their lead.
    $byRun = [ordered]@{}
    foreach ($f in $files) {
        $path = Join-HvPath -Parent $journalDir -Child $f.Name
        Set-HvActivity -Context $Context -Step 'recover' -Cmdlet $null
        try { $run = Open-HvJournal -Path $path } catch {
            $errors.Add(("journal {0} cannot be read: {1}" -f $path, (Get-HvErrorMessage -ErrorRecord $_)))
            continue
        }
        if ([string]::IsNullOrEmpty($run.RunId)) { $run.RunId = [System.IO.Path]::GetFileNameWithoutExtension($f.Name) }
        if ([string]::IsNullOrEmpty($run.VmRoot)) { $run.VmRoot = $vmRoot }
        if (-not $byRun.Contains($run.RunId)) { $byRun[$run.RunId] = New-Object System.Collections.Generic.List[object] }
        $byRun[$run.RunId].Add($run)
    }
    # Runs left alone because one of their sessions is alive: their lock stays too.
    $liveRuns = @{}
    foreach ($runId in $byRun.Keys) {
        $parts = @($byRun[$runId] | Sort-Object -Property @{ Expression = { if ([int]$_.Worker -gt 0) { 0 } else { 1 } } }, @{ Expression = { [int]$_.Worker } })
        # One session of the run still at work (a worker's process can outlive its lead's): the
        # whole run is left alone, or its host settings and lock would go from under that session.
        $why = $null
        foreach ($run in $parts) {
            $jpid = Get-HvField -Object $run.Journal -Name 'pid'
            $jname = [string](Get-HvField -Object $run.Journal -Name 'processName' -Default '')
            if ($script:HvRuns.ContainsKey((Get-HvRunKey -RunId $run.RunId -Worker ([int]$run.Worker)))) { $why = 'the run is active in this session'; break }
            if (-not $force -and $null -ne $jpid -and [int]$jpid -ne $PID -and (Test-HvProcessAlive -ProcessId $jpid -ProcessName $jname)) {
                $why = ('the run is still in progress (process {0} is alive)' -f $jpid)
                break
            }
        }
        if ($null -ne $why) {
            $liveRuns[$runId] = $true
            foreach ($run in $parts) { $skipped.Add((Add-HvWorkerField -Record ([ordered]@{ runId = $runId; reason = $why }) -Run $run)) }
            continue
        }
        # A commit is finished only when every journal of the run here is marked: Node marks them
        # all before it completes any, so one without the mark means none was completed, and the
        # whole run rolls back (never half a run kept).
        $committing = @($parts | Where-Object { $null -ne (Get-HvField -Object $_.Journal -Name 'commit') }).Count -eq $parts.Count
        foreach ($run in $parts) {
            $jpid = Get-HvField -Object $run.Journal -Name 'pid'
            $startedAt = Get-HvField -Object $run.Journal -Name 'startedAt'
            if ($committing) {
                # The run was committing: its guests are kept, and recover finishes the commit (never a
                # rollback: the user was told they were created).
                try {
                    $c = Complete-HvCommit -Context $Context -Run $run
                    $runs.Add((Add-HvWorkerField -Run $run -Record ([ordered]@{ runId = $runId; startedAt = $startedAt; pid = $jpid; outcome = 'committed'; guests = @($c.guests | ForEach-Object { $_.name }); undone = @(); errors = @(); journalKept = $false })))
                } catch {
                    $message = ('could not finish committing: {0}' -f (Get-HvErrorMessage -ErrorRecord $_))
                    $runs.Add((Add-HvWorkerField -Run $run -Record ([ordered]@{ runId = $runId; startedAt = $startedAt; pid = $jpid; outcome = 'commit-failed'; guests = @((Get-HvRunGuests -Run $run).Keys); undone = @(); errors = @($message); journalKept = $true })))
                    $errors.Add(('run {0}: {1}' -f $runId, $message))
                }
                continue
            }
            try { $r = Complete-HvRollback -Run $run -Context $Context } catch {
                $message = Get-HvErrorMessage -ErrorRecord $_
                $runs.Add((Add-HvWorkerField -Run $run -Record ([ordered]@{ runId = $runId; startedAt = $startedAt; pid = $jpid; outcome = 'rollback-failed'; guests = @(); undone = @(); errors = @($message); journalKept = $true })))
                $errors.Add(('run {0}: {1}' -f $runId, $message))
                continue
            }
            $runs.Add((Add-HvWorkerField -Run $run -Record ([ordered]@{ runId = $runId; startedAt = $startedAt; pid = $jpid; outcome = 'rolled-back'; guests = @(); undone = $r.undone; errors = $r.errors; journalKept = $r.journalKept })))
            foreach ($e in $r.errors) { $errors.Add(('run {0}: {1}' -f $runId, $e)) }
        }
    }

    # A lock left by a process that is gone (its journal, if any, was just rolled back).
    Set-HvActivity -Context $Context -Step 'recover' -Cmdlet 'Remove-Item'
    $lockInfo = [ordered]@{ present = $false; removed = $false; holder = $null }
    $lock = Read-HvLock -VmRoot $vmRoot
    if ($null -ne $lock) {
        $lockInfo.present = $true
        $holderRun = [string](Get-HvField -Object $lock -Name 'runId' -Default '')
        $lpid = Get-HvField -Object $lock -Name 'pid'
        $lname = [string](Get-HvField -Object $lock -Name 'processName' -Default '')
        $lockInfo.holder = [ordered]@{ runId = $holderRun; pid = $lpid; since = (Get-HvField -Object $lock -Name 'since') }
        $activeHere = $script:HvRuns.ContainsKey($holderRun)
        $aliveElsewhere = (-not $force -and $null -ne $lpid -and [int]$lpid -ne $PID -and (Test-HvProcessAlive -ProcessId $lpid -ProcessName $lname))
        # The lock names the lead's process; a run left alone for a live worker keeps it as well.
        if (-not $activeHere -and -not $aliveElsewhere -and -not $liveRuns.ContainsKey($holderRun)) {
            Write-HvProgress -Context $Context -Step 'remove-stale-lock' -Detail (Get-HvLockPath -VmRoot $vmRoot)
            $lockInfo.removed = (Remove-HvStateFile -Kind 'lock' -Path (Get-HvLockPath -VmRoot $vmRoot))
        }
    }
    $Context.Data = [ordered]@{ vmRoot = $vmRoot; runs = $runs.ToArray(); skipped = $skipped.ToArray(); lock = $lockInfo; errors = $errors.ToArray() }
    if ($errors.Count -gt 0) {
        $Context.Failure = [ordered]@{ step = 'recover'; cmdlet = $null; message = ($errors -join '; '); category = 'InvalidOperation' }
    }
}
