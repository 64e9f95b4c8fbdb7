# hvguest session bootstrap (docs/execution.md section 2): the first line of every session,
#   . $bootstrapPath -ConfigBase64 '<base64 of UTF-8 JSON>'
# with config {"runtime": "<path to HvGuest.psd1>", "emulator": null | {"modulePath": "<ps/emulator>",
# "stateFile": "<path>"}}. It makes the session quiet and strict, points an emulated host's session
# at its modules and state file, imports the runtime, and answers with one protocol result line
# (action "bootstrap"; its data says among other things whether the host has the Hyper-V module,
# hyperVModule). This is the only file that knows an emulator exists.
param(
    [Parameter(Mandatory = $true)]
    [string]
    $ConfigBase64
)

$global:ErrorActionPreference = 'Stop'
$global:ProgressPreference = 'SilentlyContinue'
$global:InformationPreference = 'SilentlyContinue'
$global:WarningPreference = 'SilentlyContinue'
$global:VerbosePreference = 'SilentlyContinue'
$global:DebugPreference = 'SilentlyContinue'
$global:ConfirmPreference = 'None'

& {
    $step = 'config'
    $cmdlet = $null
    $data = $null
    $failure = $null
    try {
        $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ConfigBase64.Trim()))
        $config = ConvertFrom-Json -InputObject $json
        $runtime = [string]$config.runtime
        if ([string]::IsNullOrEmpty($runtime)) { throw 'the bootstrap config has no runtime path' }
        # A staged copy on a remote host (Stage.ps1) is named relative to its root, the folder above this file's.
        $stagedRoot = Split-Path -Path $PSScriptRoot -Parent
        if (-not [System.IO.Path]::IsPathRooted($runtime)) { $runtime = Join-Path $stagedRoot $runtime }
        $emulator = $config.emulator
        if ($null -ne $emulator) {
            $step = 'emulator'
            $modulePath = [string]$emulator.modulePath
            $stateFile = [string]$emulator.stateFile
            if ([string]::IsNullOrEmpty($modulePath) -or [string]::IsNullOrEmpty($stateFile)) { throw 'the emulator config needs modulePath and stateFile' }
            if (-not [System.IO.Path]::IsPathRooted($modulePath)) { $modulePath = Join-Path $stagedRoot $modulePath }
            $modulePath = [System.IO.Path]::GetFullPath($modulePath)
            $parts = @($env:PSModulePath -split [regex]::Escape([string][System.IO.Path]::PathSeparator) | Where-Object { $_ -and $_ -ne $modulePath })
            $env:PSModulePath = (@($modulePath) + $parts) -join [System.IO.Path]::PathSeparator
            $cmdlet = 'Import-Module'
            Import-Module -Name ([System.IO.Path]::Combine($modulePath, 'HvEmulator', 'HvEmulator.psd1')) -Global -Force -ErrorAction Stop 3>$null 4>$null 6>$null | Out-Null
            $cmdlet = 'Initialize-HvEmulator'
            Initialize-HvEmulator -StateFile $stateFile 3>$null 4>$null 6>$null | Out-Null
            # The emulated host's modules (Hyper-V, NetAdapter, ...) load on first use, found
            # through PSModulePath ahead of any real module of the same name.
        }
        $step = 'runtime'
        $cmdlet = 'Import-Module'
        Import-Module -Name $runtime -Global -Force -ErrorAction Stop -WarningAction SilentlyContinue 3>$null 4>$null 6>$null | Out-Null
        # Whether this host has the Hyper-V PowerShell module at all (not on 2008 / 2008 R2, Linux or
        # macOS): asked after an emulated host's modules are on PSModulePath, so it answers for the
        # host the session plays. Node refuses such a host (hyperv-module-missing) before any request.
        $hyperVModule = (@(Get-Module -ListAvailable -Name 'Hyper-V' -ErrorAction SilentlyContinue).Count -gt 0)
        $data = [ordered]@{
            powershell = $PSVersionTable.PSVersion.ToString()
            edition    = [string]$PSVersionTable.PSEdition
            os         = [System.Environment]::OSVersion.VersionString
            pid        = $PID
            emulator   = ($null -ne $emulator)
            runtime    = [string](Get-Module -Name HvGuest).Version
            hyperVModule = $hyperVModule
        }
    } catch {
        $message = $_.Exception.Message
        if ($null -ne $_.ErrorDetails -and $_.ErrorDetails.Message) { $message = $_.ErrorDetails.Message }
        $failure = [ordered]@{ step = $step; cmdlet = $cmdlet; message = $message; category = [string]$_.CategoryInfo.Category }
    }
    $result = [ordered]@{ hvguest = 1; type = 'result'; ok = ($null -eq $failure); action = 'bootstrap' }
    if ($null -ne $data) { $result.data = $data }
    if ($null -ne $failure) { $result.error = $failure }
    $line = ConvertTo-Json -InputObject $result -Depth 10 -Compress
    $line = [regex]::Replace($line, '[^\x00-\x7E]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    # In a PSSession on the host, $Host.UI is what reaches the caller (ps/remoting/Remote.ps1).
    if ($Host.Name -eq 'ServerRemoteHost') { $Host.UI.WriteLine($line) } else {
        [Console]::Out.WriteLine($line)
        [Console]::Out.Flush()
    }
}
