# Small helpers shared by every action: request fields, Windows paths, exact-name lookups.
#
# Lookups never pass a user's value to a -Name parameter: Hyper-V and NetAdapter cmdlets read
# -Name as a wildcard pattern, so a VM called 'web[1]' would not be found and 'web*' would find
# too much. Objects are fetched whole and compared with an exact, case-insensitive match, and the
# object itself is passed on (-VM, -VMNetworkAdapter, -InputObject...).

function Get-HvField {
    param($Object, [string]$Name, $Default = $null)
    if ($null -eq $Object) { return $Default }
    if ($Object -is [System.Collections.IDictionary]) {
        if ($Object.Contains($Name) -and $null -ne $Object[$Name]) { return $Object[$Name] }
        return $Default
    }
    $p = $Object.PSObject.Properties[$Name]
    if ($null -ne $p -and $null -ne $p.Value) { return $p.Value }
    return $Default
}

function Get-HvRequiredField {
    param($Object, [string]$Name, [string]$What)
    $v = Get-HvField -Object $Object -Name $Name
    if ($null -eq $v -or ($v -is [string] -and $v.Length -eq 0)) {
        throw (New-HvError -Step 'request' -Message ("the request has no {0} ({1})" -f $Name, $What) -Category 'InvalidArgument')
    }
    return $v
}

function Test-HvTrue {
    param($Value)
    if ($null -eq $Value) { return $false }
    if ($Value -is [bool]) { return $Value }
    if ($Value -is [string]) { return ($Value -eq 'true') }
    return [bool]$Value
}

function Test-HvSameText {
    param([string]$A, [string]$B)
    return [string]::Equals($A, $B, [System.StringComparison]::OrdinalIgnoreCase)
}

# A run id names files under <vmRoot>\.hvguest: it must never climb out of that folder.
function Assert-HvRunId {
    param($RunId)
    if ($null -eq $RunId -or -not ([string]$RunId -match '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$') -or ([string]$RunId).Contains('..')) {
        throw (New-HvError -Step 'request' -Message ("runId '{0}' is not valid: letters, digits, '.', '_' and '-' only" -f $RunId) -Category 'InvalidArgument')
    }
    # <runId>.w<k> names a worker's journal of run <runId> (create --parallel, Journal.ps1): no run is called that.
    if ([string]$RunId -match '\.w[0-9]+$') {
        throw (New-HvError -Step 'request' -Message ("runId '{0}' is not valid: it must not end in .w and digits (the journal name of a run's worker session)" -f $RunId) -Category 'InvalidArgument')
    }
    return [string]$RunId
}

function Get-HvTimestamp { return [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [Globalization.CultureInfo]::InvariantCulture) }

# ---- Windows paths. Plans carry Windows paths (C:\Hyper-V\web1\boot.vhdx); they are joined and
# split here the Windows way whatever the local OS, and handed to the provider cmdlets as
# -LiteralPath, so PSDrives (an emulated host's C:) resolve them too.

# Whether a Windows path is on one of the given volume paths (the folder itself or below it).
function Test-HvPathUnder {
    param([string]$Path, $Roots)
    foreach ($r in @($Roots)) {
        $root = ([string]$r).TrimEnd('\')
        if ((Test-HvSameText -A $Path.TrimEnd('\') -B $root) -or $Path.StartsWith($root + '\', [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
    }
    return $false
}

function Join-HvPath {
    param([string]$Parent, [string]$Child)
    return ($Parent.TrimEnd('\', '/') + '\' + $Child.TrimStart('\', '/'))
}

function Get-HvParentPath {
    param([string]$Path)
    $trimmed = $Path.TrimEnd('\', '/')
    $i = $trimmed.LastIndexOfAny([char[]]@('\', '/'))
    if ($i -le 0) { return $null }
    $parent = $trimmed.Substring(0, $i)
    if ($parent -match '^[A-Za-z]:$') { $parent = $parent + '\' }
    return $parent
}

function Get-HvLeafName {
    param([string]$Path)
    $trimmed = $Path.TrimEnd('\', '/')
    $i = $trimmed.LastIndexOfAny([char[]]@('\', '/'))
    if ($i -lt 0) { return $trimmed }
    return $trimmed.Substring($i + 1)
}

# The provider's own path (what .NET file APIs need): C:\x on Windows, the mapped folder on an
# emulated host.
function Get-HvProviderPath {
    param([string]$Path)
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Test-HvFile {
    param([string]$Path)
    return (Test-Path -LiteralPath $Path -PathType Leaf)
}

function Test-HvDirectory {
    param([string]$Path)
    return (Test-Path -LiteralPath $Path -PathType Container)
}

function New-HvDirectoryQuiet {
    param([string]$Path)
    if (-not (Test-HvDirectory -Path $Path)) {
        New-Item -ItemType Directory -Path (Get-HvProviderPath -Path $Path) -Force | Out-Null
    }
}

# Writes a whole file so that a reader sees the old or the new content, never half of it. The
# runtime's own files go through Write-HvStateFile (StateFiles.ps1), which calls this.
function Write-HvTextFile {
    param([string]$Path, [string]$Text)
    $target = Get-HvProviderPath -Path $Path
    $temp = $target + '.' + [guid]::NewGuid().ToString('N') + '.tmp'
    $encoding = New-Object System.Text.UTF8Encoding($false)
    [System.IO.File]::WriteAllText($temp, $Text, $encoding)
    if ([System.IO.File]::Exists($target)) {
        [System.IO.File]::Replace($temp, $target, [NullString]::Value)
    } else {
        [System.IO.File]::Move($temp, $target)
    }
}

function Read-HvJsonFile {
    param([string]$Path)
    $text = [System.IO.File]::ReadAllText((Get-HvProviderPath -Path $Path), [System.Text.Encoding]::UTF8)
    return (ConvertFrom-HvJsonText -Text $text)
}

# True when the directory holds no file at any depth (empty folders only).
function Test-HvDirectoryHasNoFiles {
    param([string]$Path)
    $files = @(Get-ChildItem -LiteralPath $Path -Recurse -Force -File)
    return ($files.Count -eq 0)
}

# ---- Hyper-V lookups by exact value.

# Only the objects a cmdlet is documented to return: anything else something wrote to the output
# stream (a stray string from a profile or proxy function) is dropped.
function Select-HvObject {
    param($InputObject, [string]$Property)
    $out = New-Object System.Collections.Generic.List[object]
    foreach ($o in @($InputObject)) {
        if ($null -eq $o -or $o -is [string] -or $o -is [System.ValueType]) { continue }
        $v = Get-HvField -Object $o -Name $Property
        if ($null -eq $v -or [string]::IsNullOrEmpty([string]$v)) { continue }
        $out.Add($o)
    }
    return $out.ToArray()
}

function Get-HvVMId {
    param($VM)
    $id = Get-HvField -Object $VM -Name 'Id'
    if ($null -eq $id) { $id = Get-HvField -Object $VM -Name 'VMId' }
    return ([string]$id).ToLowerInvariant()
}

function Get-HvAllVMs {
    return @(Select-HvObject -InputObject @(Get-VM) -Property 'Name')
}

# The VMs named $Name (Hyper-V allows several). Get-VM -Name asks Hyper-V for that name only:
# listing every VM and filtering took 57 ms against 7 on an emulated host with 10 VMs, and grows
# with the host's VM count (it ran twice per guest). A name with a wildcard character or a
# backtick (the pattern's escape: web`b would match webb) would be a pattern to -Name, so it is
# listed and filtered. Get-VM's error for a name no VM has
# (InvalidParameter, "unable to find a virtual machine with name") means none; any other error
# falls back to the full listing, which answers or reports the real failure itself.
function Find-HvVMByName {
    param([string]$Name)
    if ($Name.Length -gt 0 -and $Name.IndexOfAny([char[]]'*?[]`') -lt 0) {
        $named = $null
        try {
            $named = @(Select-HvObject -InputObject @(Get-VM -Name $Name -ErrorAction Stop) -Property 'Name')
        } catch {
            if (-not (Test-HvVMNameNotFound -ErrorRecord $_ -Name $Name)) { $named = $null }
            else { $named = @() }
        }
        if ($null -ne $named) { return @($named | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $Name }) }
    }
    return @(Get-HvAllVMs | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $Name })
}

# Whether an error of Get-VM -Name says only that no VM has this name.
function Test-HvVMNameNotFound {
    param($ErrorRecord, [string]$Name)
    $id = [string]$ErrorRecord.FullyQualifiedErrorId
    $message = [string]$ErrorRecord.Exception.Message
    return ($id.StartsWith('InvalidParameter') -and $message.IndexOf('unable to find a virtual machine with name', [System.StringComparison]::OrdinalIgnoreCase) -ge 0 -and $message.IndexOf($Name, [System.StringComparison]::OrdinalIgnoreCase) -ge 0)
}

function Find-HvVMById {
    param([string]$VMId)
    foreach ($vm in (Get-HvAllVMs)) {
        if ((Get-HvVMId -VM $vm) -eq $VMId.ToLowerInvariant()) { return $vm }
    }
    return $null
}

function Find-HvSwitch {
    param([string]$Name)
    $all = @(Select-HvObject -InputObject @(Get-VMSwitch) -Property 'Name')
    $exact = @($all | Where-Object { [string]::Equals([string]$_.Name, $Name, [System.StringComparison]::Ordinal) })
    if ($exact.Count -gt 0) { return $exact[0] }
    $loose = @($all | Where-Object { Test-HvSameText -A ([string]$_.Name) -B $Name })
    if ($loose.Count -gt 0) { return $loose[0] }
    return $null
}

function Get-HvSwitchNicDescriptions {
    param($Switch)
    $many = @(Get-HvField -Object $Switch -Name 'NetAdapterInterfaceDescriptions' -Default @()) | Where-Object { -not [string]::IsNullOrEmpty([string]$_) }
    if (@($many).Count -gt 0) { return @($many | ForEach-Object { [string]$_ }) }
    $one = [string](Get-HvField -Object $Switch -Name 'NetAdapterInterfaceDescription' -Default '')
    if ($one.Length -gt 0) { return @($one) }
    return @()
}

# The physical NICs behind a virtual switch, in the switch's order: one @{ Description; Adapter }
# per interface description the switch is bound to, Adapter being the host's adapter with that
# description, or $null when none has it. An internal or private switch has none. $Adapters: the
# host's adapters (Get-HvAllNetAdapters), read once by the caller; $null reads them per NIC.
# The one walk from a switch to its NICs: facts, preflight, begin and net-apply all ask this.
function Get-HvSwitchPhysicalNics {
    [CmdletBinding()]
    param($Switch, $Adapters)
    foreach ($d in @(Get-HvSwitchNicDescriptions -Switch $Switch)) {
        @{ Description = $d; Adapter = (Find-HvNetAdapterByDescription -Description $d -All $Adapters) }
    }
}

function Get-HvAllNetAdapters {
    return @(Select-HvObject -InputObject @(Get-NetAdapter) -Property 'Name')
}

function Find-HvNetAdapterByDescription {
    param([string]$Description, $All)
    if ($null -eq $All) { $All = Get-HvAllNetAdapters }
    foreach ($a in $All) { if ([string]::Equals([string]$a.InterfaceDescription, $Description, [System.StringComparison]::OrdinalIgnoreCase)) { return $a } }
    return $null
}

function Find-HvNetAdapterByName {
    param([string]$Name, $All)
    if ($null -eq $All) { $All = Get-HvAllNetAdapters }
    foreach ($a in $All) { if (Test-HvSameText -A ([string]$a.Name) -B $Name) { return $a } }
    return $null
}

# The advanced property objects of one adapter for one keyword (all adapters are read and the
# adapter is matched exactly: its name may hold wildcard characters).
function Find-HvAdvancedProperty {
    param([string]$AdapterName, [string]$Keyword)
    $all = @(Select-HvObject -InputObject @(Get-NetAdapterAdvancedProperty -RegistryKeyword $Keyword) -Property 'RegistryKeyword')
    foreach ($p in $all) {
        if ((Test-HvSameText -A ([string]$p.Name) -B $AdapterName) -and (Test-HvSameText -A ([string]$p.RegistryKeyword) -B $Keyword)) { return $p }
    }
    return $null
}

function Get-HvRegistryValue {
    param($Property)
    $v = @(Get-HvField -Object $Property -Name 'RegistryValue' -Default @())
    if ($v.Count -eq 0) { return $null }
    return [string]$v[0]
}

function Get-HvValidRegistryValues {
    param($Property)
    return @(@(Get-HvField -Object $Property -Name 'ValidRegistryValues' -Default @()) | ForEach-Object { [string]$_ })
}

function Test-HvProcessAlive {
    param($ProcessId, [string]$ProcessName)
    if ($null -eq $ProcessId) { return $false }
    try { $p = Get-Process -Id ([int]$ProcessId) -ErrorAction Stop } catch { return $false }
    if ($null -eq $p) { return $false }
    if (-not [string]::IsNullOrEmpty($ProcessName) -and -not (Test-HvSameText -A $p.ProcessName -B $ProcessName)) { return $false }
    return $true
}

function Get-HvCurrentProcessName {
    try { return (Get-Process -Id $PID).ProcessName } catch { return $null }
}
