# ic-inject: integration components for a guest that already exists (`hvguest ic inject`).
# It runs inside a run (begin -> ic-inject -> commit), so every change is journalled and a
# failure rolls back what this request did; nothing that existed before is removed.
#   media    attach `media` (the host's vmguest.iso, or the LIS ISO) to the guest's DVD drives
#   offline  add the `packages` cabs to the stopped guest's IDE 0:0 boot VHD (mount, add, always
#            dismount); this changes the existing boot disk, which is what was asked for. A disk
#            mounted without a drive letter (automount off, "no default drive letter") gets one
#            for the injection, removed again before the dismount (MountedImage.ps1)
#   seed     write `seed` {path, contentBase64} (a new file) and put it in the drive that holds
#            `replaces` (the guest's previous seed media), else attach it like media
# A drive is found in this order: a drive already holding the path (nothing to do), an empty DVD
# drive, then a new DVD drive on the first free slot of the order the plan uses (Gen1: IDE 1:0,
# 1:1, 0:1; Gen2: SCSI 0 from location 1). A Generation 1 guest takes no new IDE drive while it
# runs, as on Hyper-V: that is an error naming the fix.

$script:HvGen1DvdOrder = @(@(1, 0), @(1, 1), @(0, 1))

function Invoke-HvIcInjectAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run this change belongs to')
    $Context.RunId = $runId
    $name = [string](Get-HvRequiredField -Object $Request -Name 'name' -What 'the guest name')
    $mode = [string](Get-HvRequiredField -Object $Request -Name 'mode' -What 'media, offline or seed')
    $Context.Guest = $name
    Set-HvActivity -Context $Context -Step 'journal' -Cmdlet $null
    $run = Resolve-HvRun -RunId $runId -VmRoot (Get-HvField -Object $Request -Name 'vmRoot')
    if (-not (Test-HvLockHeldBy -VmRoot $run.VmRoot -RunId $runId)) {
        throw (New-HvError -Step 'lock' -Message ("run {0} does not hold the host lock" -f $runId) -Category 'ResourceUnavailable')
    }
    $Context.Run = $run
    Set-HvActivity -Context $Context -Step 'find-vm' -Cmdlet 'Get-VM'
    $found = @(Find-HvVMByName -Name $name)
    if ($found.Count -eq 0) { throw (New-HvError -Message ("no VM named '{0}' on this host" -f $name) -Category 'ObjectNotFound') }
    $vm = $found[0]
    $done = New-Object System.Collections.Generic.List[object]
    $files = New-Object System.Collections.Generic.List[string]
    switch ($mode) {
        'media' {
            $path = [string](Get-HvRequiredField -Object $Request -Name 'media' -What 'the ISO to attach')
            Set-HvActivity -Context $Context -Step 'check-media' -Cmdlet 'Test-Path'
            if (-not (Test-HvFile -Path $path)) { throw (New-HvError -Message ("the integration media '{0}' is not on this host" -f $path) -Category 'ObjectNotFound') }
            $done.Add((Set-HvGuestDvdMedia -Context $Context -VM $vm -Path $path -Replaces $null))
        }
        'seed' {
            $seed = Get-HvRequiredField -Object $Request -Name 'seed' -What 'the seed media {path, contentBase64}'
            $replaces = [string](Get-HvField -Object $Request -Name 'replaces' -Default '')
            $directories = New-Object System.Collections.Generic.List[string]
            Write-HvMediaFile -Context $Context -Media $seed -Files $files -Directories $directories
            $done.Add((Set-HvGuestDvdMedia -Context $Context -VM $vm -Path ([string](Get-HvField -Object $seed -Name 'path')) -Replaces $replaces))
        }
        'offline' {
            $packages = @(@(Get-HvRequiredField -Object $Request -Name 'packages' -What 'the cab files') | ForEach-Object { [string]$_ })
            $state = [string](Get-HvField -Object $vm -Name 'State' -Default '')
            if (-not (Test-HvSameText -A $state -B 'Off')) {
                throw (New-HvError -Step 'check-state' -Cmdlet 'Get-VM' -Message ("'{0}' is {1}: offline injection needs the guest shut down (Stop-VM), so that its boot disk can be mounted" -f $name, $state) -Category 'InvalidOperation')
            }
            Set-HvActivity -Context $Context -Step 'find-boot-disk' -Cmdlet 'Get-VMHardDiskDrive'
            $boot = @(@(Get-VMHardDiskDrive -VM $vm) | Where-Object { $null -ne $_ -and [string]$_.ControllerType -eq 'IDE' -and [int]$_.ControllerNumber -eq 0 -and [int]$_.ControllerLocation -eq 0 })
            if ($boot.Count -eq 0 -or [string]::IsNullOrEmpty([string]$boot[0].Path)) {
                throw (New-HvError -Message ("'{0}' has no virtual hard disk at IDE 0:0 to inject into" -f $name) -Category 'ObjectNotFound')
            }
            foreach ($cab in $packages) {
                if (-not (Test-HvFile -Path $cab)) { throw (New-HvError -Step 'check-media' -Cmdlet 'Test-Path' -Message ("the integration package '{0}' is not on this host" -f $cab) -Category 'ObjectNotFound') }
            }
            Add-HvOfflinePackages -Context $Context -BootPath ([string]$boot[0].Path) -Packages $packages
            $done.Add([ordered]@{ action = 'offline'; disk = [string]$boot[0].Path; packages = $packages })
        }
        default { throw (New-HvError -Step 'request' -Message ("unknown ic-inject mode '{0}': media, offline or seed" -f $mode) -Category 'InvalidArgument') }
    }
    # The guest's manifest lists the new file, so that destroy deletes it too.
    if ($files.Count -gt 0) { Register-HvInjectedFiles -Context $Context -VM $vm -VmRoot $run.VmRoot -Files $files.ToArray() }
    # The new seed is the guest's first-boot media now: status and list warn while it is attached
    # and carries a secret (`secret`, `keepMedia`: metadata of the plan, never a value).
    if ($mode -eq 'seed') {
        $seedPath = [string](Get-HvField -Object (Get-HvField -Object $Request -Name 'seed') -Name 'path')
        $manifestPath = Get-HvManifestPath -VmRoot $run.VmRoot -VMId (Get-HvVMId -VM $vm)
        $previous = $null
        $manifest = Read-HvManifest -Path $manifestPath
        if ($null -ne $manifest) { $previous = Get-HvSeedMediaState -VM $vm -Manifest $manifest }
        Register-HvInjectedSeed -Context $Context -ManifestPath $manifestPath -Path $seedPath -Secret (Test-HvTrue (Get-HvField -Object $Request -Name 'secret')) -KeepMedia (Test-HvTrue (Get-HvField -Object $Request -Name 'keepMedia'))
        Remove-HvReplacedSecretSeed -Context $Context -VM $vm -ManifestPath $manifestPath -Previous $previous -NewPath $seedPath
    }
    $Context.Data = [ordered]@{ name = [string]$vm.Name; vmId = (Get-HvVMId -VM $vm); mode = $mode; changes = $done.ToArray(); files = $files.ToArray() }
}

function Get-HvDriveSlot {
    param($Drive)
    return ('{0} {1}:{2}' -f $Drive.ControllerType, $Drive.ControllerNumber, $Drive.ControllerLocation)
}

# Puts $Path in one of the guest's DVD drives; returns what it did.
function Set-HvGuestDvdMedia {
    param([hashtable]$Context, $VM, [string]$Path, [string]$Replaces)
    $vmId = Get-HvVMId -VM $VM
    Set-HvActivity -Context $Context -Step 'find-dvd-slot' -Cmdlet 'Get-VMDvdDrive'
    $dvds = @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $VM) -Property 'ControllerType')
    foreach ($d in $dvds) {
        if (Test-HvSameText -A ([string]$d.Path) -B $Path) { return [ordered]@{ action = 'already-attached'; slot = (Get-HvDriveSlot -Drive $d); path = $Path } }
    }
    $target = $null
    if ($Replaces.Length -gt 0) { $target = @($dvds | Where-Object { Test-HvSameText -A ([string]$_.Path) -B $Replaces }) | Select-Object -First 1 }
    if ($null -eq $target) { $target = @($dvds | Where-Object { [string]::IsNullOrEmpty([string]$_.Path) }) | Select-Object -First 1 }
    if ($null -ne $target) {
        $undo = [ordered]@{ action = 'set-dvd-media'; vmId = $vmId; controllerNumber = [int]$target.ControllerNumber; controllerLocation = [int]$target.ControllerLocation; path = [string]$target.Path }
        Start-HvStep -Context $Context -Step 'set-dvd-media' -Cmdlet 'Set-VMDvdDrive' -Detail ('{0} {1}' -f (Get-HvDriveSlot -Drive $target), $Path) -Undo $undo
        Set-VMDvdDrive -VMDvdDrive $target -Path $Path | Out-Null
        Complete-HvStep -Context $Context
        return [ordered]@{ action = 'set-media'; slot = (Get-HvDriveSlot -Drive $target); path = $Path; previous = $(if ([string]::IsNullOrEmpty([string]$target.Path)) { $null } else { [string]$target.Path }) }
    }

    # A new drive on the first free slot.
    $generation = [int](Get-HvField -Object $VM -Name 'Generation' -Default 1)
    $used = @{}
    foreach ($h in @(Select-HvObject -InputObject @(Get-VMHardDiskDrive -VM $VM) -Property 'ControllerType')) { $used[(Get-HvDriveSlot -Drive $h)] = $true }
    foreach ($d in $dvds) { $used[(Get-HvDriveSlot -Drive $d)] = $true }
    $free = $null
    if ($generation -eq 1) {
        foreach ($s in $script:HvGen1DvdOrder) { if (-not $used.ContainsKey(('IDE {0}:{1}' -f $s[0], $s[1]))) { $free = @{ Type = 'IDE'; Number = $s[0]; Location = $s[1] }; break } }
        if ($null -eq $free) {
            throw (New-HvError -Step 'find-dvd-slot' -Cmdlet 'Add-VMDvdDrive' -Message ("'{0}' has no free IDE slot (Generation 1: 2 controllers x 2 locations, all in use): empty or remove a DVD drive first" -f $VM.Name) -Category 'LimitsExceeded')
        }
        $state = [string](Get-HvField -Object $VM -Name 'State' -Default '')
        if (-not (Test-HvSameText -A $state -B 'Off')) {
            throw (New-HvError -Step 'find-dvd-slot' -Cmdlet 'Add-VMDvdDrive' -Message ("'{0}' is {1} and has no empty DVD drive: a Generation 1 guest takes no new IDE drive while it runs; shut it down, or empty one of its DVD drives" -f $VM.Name, $state) -Category 'InvalidOperation')
        }
    } else {
        for ($l = 1; $l -lt 64 -and $null -eq $free; $l++) { if (-not $used.ContainsKey(('SCSI 0:{0}' -f $l))) { $free = @{ Type = 'SCSI'; Number = 0; Location = $l } } }
        if ($null -eq $free) { throw (New-HvError -Step 'find-dvd-slot' -Cmdlet 'Add-VMDvdDrive' -Message ("'{0}' has no free location on SCSI controller 0" -f $VM.Name) -Category 'LimitsExceeded') }
    }
    $slot = '{0} {1}:{2}' -f $free.Type, $free.Number, $free.Location
    $undo = [ordered]@{ action = 'remove-dvd-drive'; vmId = $vmId; controllerNumber = $free.Number; controllerLocation = $free.Location }
    Start-HvStep -Context $Context -Step 'add-dvd' -Cmdlet 'Add-VMDvdDrive' -Detail ('{0} {1}' -f $slot, $Path) -Undo $undo
    Add-VMDvdDrive -VM $VM -ControllerNumber $free.Number -ControllerLocation $free.Location -Path $Path | Out-Null
    Complete-HvStep -Context $Context
    return [ordered]@{ action = 'added-drive'; slot = $slot; path = $Path }
}

# The files this request wrote join the guest's manifest; a guest without one (not made by
# hvguest) gets a warning that destroy will not delete them.
function Register-HvInjectedFiles {
    [CmdletBinding()]
    param([hashtable]$Context, $VM, [string]$VmRoot, [string[]]$Files)
    $path = Get-HvManifestPath -VmRoot $VmRoot -VMId (Get-HvVMId -VM $VM)
    if (-not (Test-HvFile -Path $path)) {
        $Context.Warnings.Add(('{0} has no hvguest manifest: destroy will not delete {1}' -f $VM.Name, ($Files -join ', ')))
        return
    }
    Set-HvActivity -Context $Context -Step 'write-manifest' -Cmdlet $null
    $manifest = Read-HvManifest -Path $path -MustExist
    Add-HvManifestFiles -Manifest $manifest -Files $Files
    Save-HvManifest -Path $path -Manifest $manifest
}

# The new seed becomes the guest's first-boot media in its manifest (when the manifest has a
# first-boot record at all).
function Register-HvInjectedSeed {
    [CmdletBinding()]
    param([hashtable]$Context, [string]$ManifestPath, [string]$Path, [bool]$Secret, [bool]$KeepMedia)
    $manifest = Read-HvManifest -Path $ManifestPath
    if ($null -eq $manifest) { return }
    $fb = Get-HvManifestFirstBoot -Manifest $manifest
    if ($null -eq $fb) { return }
    Set-HvActivity -Context $Context -Step 'write-manifest' -Cmdlet $null
    Set-HvManifestFirstBootMedia -FirstBoot $fb -Media $Path -Secret $Secret -KeepMedia $KeepMedia
    Save-HvManifest -Path $ManifestPath -Manifest $manifest
}

# The seed the new one replaced, when it carried a secret: out of its drive now, so it is deleted
# (a detached file with an answer file's password or a hash in it is the thing not to leave on the
# host). Last step of the run, journaled, no undo: a deleted file cannot come back. Kept when a
# drive still holds it, or when the template says keepMedia.
function Remove-HvReplacedSecretSeed {
    param([hashtable]$Context, $VM, [string]$ManifestPath, $Previous, [string]$NewPath)
    if ($null -eq $Previous -or -not $Previous.secret -or $Previous.keepMedia) { return }
    $old = [string]$Previous.path
    if ((Test-HvSameText -A $old -B $NewPath) -or -not (Test-HvFile -Path $old)) { return }
    foreach ($d in @(Get-VMDvdDrive -VM $VM)) { if ($null -ne $d -and (Test-HvSameText -A ([string]$d.Path) -B $old)) { return } }
    Start-HvStep -Context $Context -Step 'delete-seed-media' -Cmdlet 'Remove-Item' -Detail $old
    [void](Remove-HvStateFile -Kind 'seed-media' -Path $old)
    Complete-HvStep -Context $Context
    Set-HvSeedManifest -ManifestPath $ManifestPath -Media $old -RemovedAt $null -Listed $false
}
