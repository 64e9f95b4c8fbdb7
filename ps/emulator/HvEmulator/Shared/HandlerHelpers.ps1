# Helpers every emulated module's handlers use. Each module dot-sources this file into its own
# scope (so nothing here is exported to the session).

# Virtual hard disk files (header, packages serviced into an image), media, and the emulated
# guests: what boots at Start-VM and what a running guest reports (its addresses from its
# first-boot network configuration); host.hyperV; the host's own addresses and vEthernet adapters.
foreach ($shared in 'VhdFile.ps1', 'IsoImage.ps1', 'EmulatorMedia.ps1', 'GuestFacts.ps1', 'GuestImage.ps1', 'GuestParsers.ps1', 'GuestNetwork.ps1', 'GuestBoot.ps1', 'GuestReport.ps1', 'HyperVMode.ps1', 'HostNetwork.ps1', 'HostMemory.ps1') {
    . (Join-Path $PSScriptRoot $shared)
}

function Test-Bound {
    param($Ctx, [string]$Name)
    $Ctx.Parameters.ContainsKey($Name)
}

function Get-Bound {
    param($Ctx, [string]$Name, $Default = $null)
    if ($Ctx.Parameters.ContainsKey($Name)) { return $Ctx.Parameters[$Name] }
    $Default
}

function Add-ToList {
    # Appends to an array held in a hashtable (state arrays are plain object[]).
    param([System.Collections.IDictionary]$Owner, [string]$Key, $Item)
    $list = [System.Collections.Generic.List[object]]::new()
    if ($Owner[$Key]) { foreach ($x in $Owner[$Key]) { $list.Add($x) } }
    $list.Add($Item)
    $Owner[$Key] = $list.ToArray()
}

function Remove-FromList {
    param([System.Collections.IDictionary]$Owner, [string]$Key, [scriptblock]$Where)
    $kept = [System.Collections.Generic.List[object]]::new()
    foreach ($x in @($Owner[$Key])) { if ($null -ne $x -and -not (& $Where $x)) { $kept.Add($x) } }
    $Owner[$Key] = $kept.ToArray()
}

function Get-PropertyValue {
    # A property of a pipeline object (PSCustomObject or hashtable), or $null.
    param($Object, [string]$Name)
    if ($null -eq $Object) { return $null }
    if ($Object -is [System.Collections.IDictionary]) { return $Object[$Name] }
    $p = $Object.PSObject.Properties[$Name]
    if ($p) { return $p.Value }
    $null
}

function Test-SamePath {
    param([string]$A, [string]$B)
    if ([string]::IsNullOrEmpty($A) -or [string]::IsNullOrEmpty($B)) { return $false }
    [string]::Equals($A, $B, [System.StringComparison]::OrdinalIgnoreCase)
}

function Get-HostProfileOfState {
    param($State)
    Get-HvEmulatorHostProfile -HostOs ([string]$State.host.os)
}

function Format-Bytes {
    param([long]$Bytes)
    if ($Bytes -ge 1TB -and $Bytes % 1TB -eq 0) { return "$($Bytes / 1TB) TB" }
    if ($Bytes -ge 1GB -and $Bytes % 1GB -eq 0) { return "$($Bytes / 1GB) GB" }
    if ($Bytes -ge 1MB -and $Bytes % 1MB -eq 0) { return "$($Bytes / 1MB) MB" }
    "$Bytes bytes"
}

function Resolve-WindowsPath {
    # Normalises a Windows path argument; bad paths fail as the cmdlet's own error.
    param([string]$Path, [string]$What = 'path')
    if ([string]::IsNullOrEmpty($Path)) {
        Stop-HvEmulatorCommand -Message "The $What cannot be empty." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    if ($Path.IndexOfAny([char[]]('"', '<', '>', '|', '?', '*')) -ge 0 -or $Path -match '[\x00-\x1f]' -or $Path.LastIndexOf(':') -gt 1) {
        Stop-HvEmulatorCommand -Message "The $What '$Path' contains characters that are not valid in a Windows path." -Category InvalidArgument -ErrorId 'InvalidParameter'
    }
    try { ConvertTo-HvEmulatorWindowsPath -Path $Path }
    catch { Stop-HvEmulatorCommand -Message $_.Exception.Message -Category InvalidArgument -ErrorId 'InvalidParameter' }
}

function Resolve-LocalPath {
    param($Ctx, [string]$WindowsPath)
    try { ConvertTo-HvEmulatorLocalPath -Path $WindowsPath -State $Ctx.State -StatePath $Ctx.StatePath }
    catch { Stop-HvEmulatorCommand -Message $_.Exception.Message -Category ObjectNotFound -ErrorId 'ObjectNotFound' }
}

$script:NotSettings = @('VM', 'VMName', 'Name', 'CimSession', 'ComputerName', 'Credential', 'Passthru', 'PassThru', 'AsJob', 'Force', 'AllowUnverifiedPaths',
    'VMProcessor', 'VMMemory', 'VMNetworkAdapter', 'VMBios', 'VMFirmware', 'ManagementOS', 'VMNetworkAdapterName') +
    [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

function Save-OtherSettings {
    # Documented parameters a handler does not model are kept verbatim under the target's "settings".
    param($Ctx, [System.Collections.IDictionary]$Target, [string[]]$Handled)
    foreach ($key in @($Ctx.Parameters.Keys)) {
        if ($script:NotSettings -contains $key -or $Handled -contains $key) { continue }
        $value = $Ctx.Parameters[$key]
        if ($value -is [System.Management.Automation.SwitchParameter]) { $value = $value.IsPresent }
        elseif ($value -is [guid] -or $value -is [version] -or $value -is [uri]) { $value = $value.ToString() }
        elseif ($value -is [array]) { $value = [string[]]@($value | ForEach-Object { "$_" }) }
        if (-not $Target.Contains('settings') -or $null -eq $Target['settings']) { $Target['settings'] = [ordered]@{} }
        $Target['settings'][$key] = $value
    }
}

function Add-PSTypeName {
    # Adds the base-type names the real objects carry (so [PSTypeName()] parameters bind them).
    param($Object, [string[]]$Names)
    foreach ($n in $Names) { $Object.PSObject.TypeNames.Insert($Object.PSObject.TypeNames.Count - 1, $n) }
    $Object
}

function Add-CimTypeName {
    # A CIM-shaped object: Microsoft.Management.Infrastructure.CimInstance#<namespace>/<class> and #<class>.
    param([System.Collections.IDictionary]$Properties, [string]$Namespace, [string]$Class)
    $o = [pscustomobject]$Properties
    $o.PSObject.TypeNames.Insert(0, "Microsoft.Management.Infrastructure.CimInstance#$Class")
    $o.PSObject.TypeNames.Insert(0, "Microsoft.Management.Infrastructure.CimInstance#$Namespace/$Class")
    $o.PSObject.TypeNames.Insert(2, 'Microsoft.Management.Infrastructure.CimInstance')
    $o
}
