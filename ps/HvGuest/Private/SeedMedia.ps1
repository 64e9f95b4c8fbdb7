# remove-seed-media: a guest's seed media that carries a secret (an answer file can only
# obfuscate a password; cloud-init and kickstart media carry a password hash) is ejected from its
# DVD drive and deleted from the host once the guest is ready (`create --wait`). It runs inside a
# run (begin -> remove-seed-media -> commit), every change a journal step written before it runs:
#
#   1 eject-seed-media    Set-VMDvdDrive -Path $null    undo: reattach-seed-media
#   2 forget-seed-media   the manifest drops the file    undo: restore-seed-manifest
#   3 delete-seed-media   Remove-Item                    undo: none (a deleted file cannot come back)
#
# The delete comes last, and both undos act only while the file is still there: a run killed
# (or failing) before the delete rolls back to the media attached and listed, as it was; one
# killed after it leaves the media gone, the drive empty and the manifest saying so, because
# there is nothing left to put back. Either way `recover` leaves a consistent guest.
#
# Seed media state for list and guest-status: what the manifest says of the guest's first-boot
# media (secret, keepMedia, removed) and whether a DVD drive holds it now.

function Get-HvSeedMediaState {
    param($VM, $Manifest)
    if ($null -eq $Manifest) { return $null }
    $fb = Get-HvManifestFirstBoot -Manifest $Manifest
    if ($null -eq $fb) { return $null }
    $path = [string](Get-HvField -Object $fb -Name 'media' -Default '')
    if ($path.Length -eq 0) { return $null }
    $slot = $null
    foreach ($d in @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $VM) -Property 'ControllerType')) {
        if (Test-HvSameText -A ([string]$d.Path) -B $path) { $slot = Get-HvDriveSlot -Drive $d; break }
    }
    return [ordered]@{
        path      = $path
        secret    = (Test-HvTrue (Get-HvField -Object $fb -Name 'secret'))
        keepMedia = (Test-HvTrue (Get-HvField -Object $fb -Name 'keepMedia'))
        attached  = ($null -ne $slot)
        slot      = $slot
        onDisk    = (Test-HvFile -Path $path)
        removedAt = Get-HvField -Object $fb -Name 'mediaRemovedAt'
    }
}

function Invoke-HvRemoveSeedMediaAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run this change belongs to')
    $Context.RunId = $runId
    $name = [string](Get-HvRequiredField -Object $Request -Name 'name' -What 'the guest name')
    $media = [string](Get-HvRequiredField -Object $Request -Name 'media' -What "the seed media path (the plan's firstBoot.media)")
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
    $vmId = Get-HvVMId -VM $vm
    $wantedId = [string](Get-HvField -Object $Request -Name 'vmId' -Default '')
    if ($wantedId.Length -gt 0 -and $wantedId.ToLowerInvariant() -ne $vmId) {
        throw (New-HvError -Message ("the VM named '{0}' is {1}, not the {2} this run created" -f $name, $vmId, $wantedId) -Category 'InvalidOperation')
    }
    $manifestPath = Get-HvManifestPath -VmRoot $run.VmRoot -VMId $vmId
    # Only a file hvguest wrote for this guest is ever deleted: its manifest lists it.
    Set-HvActivity -Context $Context -Step 'read-manifest' -Cmdlet $null
    if (-not (Test-HvFile -Path $manifestPath)) {
        throw (New-HvError -Message ("'{0}' has no hvguest manifest ({1}): its seed media is not known to be hvguest's, so it is left alone" -f $name, $manifestPath) -Category 'ObjectNotFound')
    }
    $manifest = Read-HvManifest -Path $manifestPath -MustExist
    $listed = @(@(Get-HvField -Object $manifest -Name 'files' -Default @()) | Where-Object { Test-HvSameText -A ([string]$_) -B $media })
    $fb = Get-HvManifestFirstBoot -Manifest $manifest
    $isSeed = ($null -ne $fb -and (Test-HvSameText -A ([string](Get-HvField -Object $fb -Name 'media' -Default '')) -B $media))
    if ($listed.Count -eq 0 -and -not $isSeed) {
        throw (New-HvError -Message ("'{0}' is not the seed media hvguest wrote for '{1}' (its manifest does not list it)" -f $media, $name) -Category 'InvalidArgument')
    }

    $ejected = $null
    Set-HvActivity -Context $Context -Step 'find-dvd-drive' -Cmdlet 'Get-VMDvdDrive'
    foreach ($d in @(Select-HvObject -InputObject @(Get-VMDvdDrive -VM $vm) -Property 'ControllerType')) {
        if (-not (Test-HvSameText -A ([string]$d.Path) -B $media)) { continue }
        $slot = Get-HvDriveSlot -Drive $d
        $undo = [ordered]@{ action = 'reattach-seed-media'; vmId = $vmId; controllerNumber = [int]$d.ControllerNumber; controllerLocation = [int]$d.ControllerLocation; path = $media }
        Start-HvStep -Context $Context -Step 'eject-seed-media' -Cmdlet 'Set-VMDvdDrive' -Detail ('{0} {1}' -f $slot, $media) -Undo $undo
        Set-VMDvdDrive -VMDvdDrive $d -Path $null | Out-Null
        Complete-HvStep -Context $Context
        $ejected = $slot
    }

    $at = Get-HvTimestamp
    Start-HvStep -Context $Context -Step 'forget-seed-media' -Cmdlet $null -Detail $manifestPath -Undo ([ordered]@{ action = 'restore-seed-manifest'; manifest = $manifestPath; path = $media; listed = ($listed.Count -gt 0) })
    Set-HvSeedManifest -ManifestPath $manifestPath -Media $media -RemovedAt $at -Listed $false
    Complete-HvStep -Context $Context

    $deleted = $false
    if (Test-HvFile -Path $media) {
        Start-HvStep -Context $Context -Step 'delete-seed-media' -Cmdlet 'Remove-Item' -Detail $media
        [void](Remove-HvStateFile -Kind 'seed-media' -Path $media)
        Complete-HvStep -Context $Context
        $deleted = $true
    }
    $Context.Data = [ordered]@{ name = [string]$vm.Name; vmId = $vmId; media = $media; ejected = ($null -ne $ejected); slot = $ejected; deleted = $deleted; manifest = $manifestPath; removedAt = $at }
}

# The manifest at $ManifestPath records the seed media as listed or not, removed or not
# (Set-HvManifestSeedMedia).
function Set-HvSeedManifest {
    [CmdletBinding()]
    param([string]$ManifestPath, [string]$Media, $RemovedAt, [bool]$Listed)
    $manifest = Read-HvManifest -Path $ManifestPath -MustExist
    Set-HvManifestSeedMedia -Manifest $manifest -Media $Media -RemovedAt $RemovedAt -Listed $Listed
    Save-HvManifest -Path $ManifestPath -Manifest $manifest
}

# Undo of eject-seed-media: the media back in its drive, while the file is still there.
function Invoke-HvReattachSeedMedia {
    param($Undo)
    $path = [string](Get-HvField -Object $Undo -Name 'path' -Default '')
    if (-not (Test-HvFile -Path $path)) { return ('{0} is deleted already: the drive stays empty' -f $path) }
    $drive = Find-HvDvdDriveAt -Undo $Undo
    if ($null -eq $drive) { throw (New-HvError -Cmdlet 'Get-VMDvdDrive' -Message ('the DVD drive that held {0} is gone' -f $path) -Category 'ObjectNotFound') }
    if (Test-HvSameText -A ([string]$drive.Path) -B $path) { return 'the seed media is still in its DVD drive' }
    if (-not [string]::IsNullOrEmpty([string]$drive.Path)) { return ('the DVD drive holds {0} now: left as it is' -f $drive.Path) }
    Set-VMDvdDrive -VMDvdDrive $drive -Path $path | Out-Null
    return ('put {0} back in its DVD drive' -f $path)
}

# Undo of forget-seed-media: the manifest lists the media again, while the file is still there.
function Invoke-HvRestoreSeedManifest {
    param($Undo)
    $path = [string](Get-HvField -Object $Undo -Name 'path' -Default '')
    if (-not (Test-HvFile -Path $path)) { return ('{0} is deleted already: the manifest keeps saying so' -f $path) }
    $manifestPath = [string](Get-HvField -Object $Undo -Name 'manifest' -Default '')
    if ($manifestPath.Length -eq 0 -or -not (Test-HvFile -Path $manifestPath)) { return 'the guest has no manifest any more: nothing to restore' }
    Set-HvSeedManifest -ManifestPath $manifestPath -Media $path -RemovedAt $null -Listed (Test-HvTrue (Get-HvField -Object $Undo -Name 'listed' -Default $true))
    return ('the manifest lists {0} again' -f $path)
}
