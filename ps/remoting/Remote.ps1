# PowerShell remoting, the local side (docs/remote-hosts.md, "PowerShell remoting: the relay").
# Dot-sourced by the session's LOCAL pwsh for a host with `psRemoting: true` (New-PSSession
# -HostName, PowerShell remoting over SSH) or `transport: winrm` (New-PSSession -ComputerName).
# The runtime then runs in the PSSession on the host: Stage.ps1 puts it there (Invoke-Command
# -FilePath), Bootstrap.ps1 loads it, and each request is one Invoke-Command. This file is not
# part of the runtime (ps/HvGuest, which a host runs, and which may call no Invoke-Command): it
# runs on the workstation only, and is never staged on a host. On the host the
# runtime writes its protocol lines to $Host.UI, which remoting carries back live, as they are
# written, to this process's host, which prints them on stdout: the local side relays without a
# line of its own. Values (the host, the user, paths, requests) arrive base64-encoded and reach
# the cmdlets as arguments, never as script text. Windows PowerShell 5.1 and pwsh 7.

function Write-HvRemoteResult {
    # One protocol result line on this process's stdout (the session reads it).
    [CmdletBinding()]
    param([string]$Action, $Data, [string]$Message)
    $result = [ordered]@{ hvguest = 1; type = 'result'; ok = [string]::IsNullOrEmpty($Message); action = $Action }
    if ($null -ne $Data) { $result.data = $Data }
    if (-not [string]::IsNullOrEmpty($Message)) { $result.error = [ordered]@{ step = $Action; cmdlet = 'New-PSSession'; message = $Message; category = 'ConnectionError' } }
    $line = [regex]::Replace((ConvertTo-Json -InputObject $result -Depth 5 -Compress), '[^\x00-\x7E]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    [Console]::Out.WriteLine($line)
    [Console]::Out.Flush()
}

function Open-HvRemoteSession {
    # $ConfigBase64: base64 of UTF-8 JSON {kind: ssh|winrm, address, port, user, keyFile,
    # options {ssh_config keyword: value}, connectTimeoutMs}. Answers action "connect".
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string]$ConfigBase64)
    $ErrorActionPreference = 'Stop'
    try {
        $config = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ConfigBase64)))
        $connect = @{}
        if ([string]$config.kind -eq 'ssh') {
            $connect.HostName = [string]$config.address
            $options = @{}
            foreach ($o in @($config.options.PSObject.Properties)) { $options[$o.Name] = [string]$o.Value }
            $connect.Options = $options
            $connect.ConnectingTimeout = [int]$config.connectTimeoutMs
            if ($config.user) { $connect.UserName = [string]$config.user }
            if ($config.keyFile) { $connect.KeyFilePath = [string]$config.keyFile }
        } else {
            $connect.ComputerName = [string]$config.address
        }
        if ($config.port) { $connect.Port = [int]$config.port }
        $global:HvRemoteSession = New-PSSession @connect
        Write-HvRemoteResult -Action 'connect' -Data ([ordered]@{ state = [string]$global:HvRemoteSession.State })
    } catch {
        Write-HvRemoteResult -Action 'connect' -Message $_.Exception.Message
    }
}

function Stop-HvBrokenRemoteSession {
    # A remote session that broke (the connection was lost) ends this process: the session then
    # sees its process gone, and the next request opens a new connection (src/powershell/session.ts).
    [CmdletBinding()]
    param([string]$Message)
    if ($null -eq $global:HvRemoteSession -or [string]$global:HvRemoteSession.State -ne 'Opened') {
        [Console]::Error.WriteLine("the PowerShell remoting session broke: $Message")
        [Console]::Error.Flush()
        [System.Environment]::Exit(255)
    }
}

function Invoke-HvRemoteStage {
    # The stager (ps/HvGuest/Stage.ps1) run on the host with its two arguments.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string]$StagePathBase64, [Parameter(Mandatory = $true)] [string]$ConfigBase64, [string]$PayloadBase64 = '')
    $ErrorActionPreference = 'Stop'
    try {
        $stage = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($StagePathBase64))
        Invoke-Command -Session $global:HvRemoteSession -FilePath $stage -ArgumentList $ConfigBase64, $PayloadBase64
    } catch {
        Write-HvRemoteResult -Action 'stage' -Message $_.Exception.Message
        Stop-HvBrokenRemoteSession -Message $_.Exception.Message
    }
}

function Invoke-HvRemoteBootstrap {
    # Bootstrap.ps1 of the staged runtime, dot-sourced in the remote session (its modules are
    # imported -Global, so they stay for the requests that follow).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string]$ConfigBase64)
    $ErrorActionPreference = 'Stop'
    try {
        Invoke-Command -Session $global:HvRemoteSession -ScriptBlock { param($c) . (Join-Path $global:HvGuestStagedRoot 'HvGuest/Bootstrap.ps1') -ConfigBase64 $c } -ArgumentList $ConfigBase64
    } catch {
        Stop-HvBrokenRemoteSession -Message $_.Exception.Message
    }
}

function Test-HvRemoteReady {
    # Does the remote session answer requests (Invoke-HvGuestRequest loaded there)?
    [CmdletBinding()]
    param()
    try {
        return [bool](Invoke-Command -Session $global:HvRemoteSession -ScriptBlock { [bool](Get-Command -Name Invoke-HvGuestRequest -CommandType Function -ErrorAction Ignore) })
    } catch {
        return $false
    }
}

function Invoke-HvRemoteRequest {
    # One request, run on the host; its protocol lines come back through $Host.UI as they are written.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string]$RequestBase64)
    $ErrorActionPreference = 'Stop'
    try {
        Invoke-Command -Session $global:HvRemoteSession -ScriptBlock { param($r) Invoke-HvGuestRequest -RequestBase64 $r } -ArgumentList $RequestBase64
    } catch {
        Stop-HvBrokenRemoteSession -Message $_.Exception.Message
        throw
    }
}
