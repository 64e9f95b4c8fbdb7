# The host manifest: hvguest's record of one guest it created, <vmRoot>\.hvguest\guests\<vmId>.json
# (vmId in lower case). A commit writes it; destroy deletes only what it lists and refuses a VM
# without one; ic-inject and remove-seed-media keep its file list and first-boot media current;
# list and guest-status report it. The functions here are the only ones that know where a
# manifest is and what is in it:
#
#   {name, vmId, runId, createdAt, files[], directories[], guest}
#
# `guest` is what the plan said of the guest (template, OS, integration, firstBoot), as the commit
# request sent it, or null. Its `firstBoot` {media, secret, keepMedia, mediaRemovedAt?, ...} is the
# guest's seed media. Every read goes through Read-HvManifest, every write through Save-HvManifest
# and the delete through Remove-HvManifest (a state file of kind 'manifest', StateFiles.ps1); the
# updates below change a manifest read into memory, and the caller saves it.

function Get-HvManifestDir {
    [CmdletBinding()]
    param([string]$VmRoot)
    return (Join-HvPath -Parent (Get-HvStateRoot -VmRoot $VmRoot) -Child 'guests')
}

function Get-HvManifestPath {
    [CmdletBinding()]
    param([string]$VmRoot, [string]$VMId)
    return (Join-HvPath -Parent (Get-HvManifestDir -VmRoot $VmRoot) -Child ($VMId.ToLowerInvariant() + '.json'))
}

# A new guest's manifest, as its commit writes it.
function New-HvManifest {
    [CmdletBinding()]
    param([string]$Name, [string]$VMId, [string]$RunId, [string]$CreatedAt, [string[]]$Files, [string[]]$Directories, $Guest)
    return [ordered]@{
        name        = $Name
        vmId        = $VMId
        runId       = $RunId
        createdAt   = $CreatedAt
        files       = $Files
        directories = $Directories
        guest       = $Guest
    }
}

# The manifest at $Path, or $null when there is no file there. One that cannot be read throws,
# or is $null too with -Lenient (list and status report such a guest as unmanaged). -MustExist
# reads without looking first: a missing file is then the read's own error.
function Read-HvManifest {
    [CmdletBinding()]
    param([string]$Path, [switch]$Lenient, [switch]$MustExist)
    if (-not $MustExist -and -not (Test-HvFile -Path $Path)) { return $null }
    if ($Lenient) {
        try { return (Read-HvJsonFile -Path $Path) } catch { return $null }
    }
    return (Read-HvJsonFile -Path $Path)
}

# Every readable manifest under $VmRoot (one that cannot be read is left out).
function Get-HvManifests {
    [CmdletBinding()]
    param([string]$VmRoot)
    $dir = Get-HvManifestDir -VmRoot $VmRoot
    if (-not (Test-HvDirectory -Path $dir)) { return }
    foreach ($f in @(Get-ChildItem -LiteralPath $dir -File -Force | Where-Object { $_.Name -like '*.json' })) {
        $manifest = Read-HvManifest -Path (Join-HvPath -Parent $dir -Child $f.Name) -Lenient
        if ($null -ne $manifest) { $manifest }
    }
}

function Save-HvManifest {
    [CmdletBinding()]
    param([string]$Path, $Manifest)
    Write-HvStateFile -Kind 'manifest' -Path $Path -Text (ConvertTo-HvJson -Value $Manifest)
}

# Deletes the manifest (destroy). $true when there was one to delete.
function Remove-HvManifest {
    [CmdletBinding()]
    param([string]$Path)
    return (Remove-HvStateFile -Kind 'manifest' -Path $Path)
}

# The plan's first-boot record of the guest (guest.firstBoot), or $null.
function Get-HvManifestFirstBoot {
    [CmdletBinding()]
    param($Manifest)
    return (Get-HvField -Object (Get-HvField -Object $Manifest -Name 'guest') -Name 'firstBoot')
}

# Adds files (each once, compared case-insensitively) to the files the manifest lists.
function Add-HvManifestFiles {
    [CmdletBinding()]
    param($Manifest, [string[]]$Files)
    $list = New-Object System.Collections.Generic.List[string]
    foreach ($f in @(Get-HvField -Object $Manifest -Name 'files' -Default @())) { $list.Add([string]$f) }
    foreach ($f in $Files) { if (-not ($list | Where-Object { Test-HvSameText -A $_ -B $f })) { $list.Add($f) } }
    $Manifest['files'] = $list.ToArray()
}

# New seed media for the guest (ic-inject --seed): firstBoot names it, with its flags, and it is
# not removed. $FirstBoot: Get-HvManifestFirstBoot of the manifest.
function Set-HvManifestFirstBootMedia {
    [CmdletBinding()]
    param($FirstBoot, [string]$Media, [bool]$Secret, [bool]$KeepMedia)
    $FirstBoot['media'] = $Media
    $FirstBoot['secret'] = $Secret
    $FirstBoot['keepMedia'] = $KeepMedia
    if ($FirstBoot.Contains('mediaRemovedAt')) { $FirstBoot.Remove('mediaRemovedAt') }
}

# The manifest's record of the seed media: the file listed (or not, so that destroy does not look
# for it), and guest.firstBoot.mediaRemovedAt set (or cleared, for a $null $RemovedAt) when
# firstBoot names that media.
function Set-HvManifestSeedMedia {
    [CmdletBinding()]
    param($Manifest, [string]$Media, $RemovedAt, [bool]$Listed)
    $files = New-Object System.Collections.Generic.List[string]
    foreach ($f in @(Get-HvField -Object $Manifest -Name 'files' -Default @())) { if (-not (Test-HvSameText -A ([string]$f) -B $Media)) { $files.Add([string]$f) } }
    if ($Listed) { $files.Add($Media) }
    $Manifest['files'] = $files.ToArray()
    $fb = Get-HvManifestFirstBoot -Manifest $Manifest
    if ($null -ne $fb -and (Test-HvSameText -A ([string](Get-HvField -Object $fb -Name 'media' -Default '')) -B $Media)) {
        if ($null -eq $RemovedAt) { if ($fb.Contains('mediaRemovedAt')) { $fb.Remove('mediaRemovedAt') } } else { $fb['mediaRemovedAt'] = [string]$RemovedAt }
    }
}
