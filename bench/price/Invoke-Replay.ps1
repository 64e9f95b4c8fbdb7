# Replays the requests of one recorded create run (bench/create-price.mjs) against a fresh emulated
# host in one pwsh, bootstrapped as a session is (ps/HvGuest/Bootstrap.ps1), and prints one JSON
# line: the milliseconds of each request. -Without removes one of the runtime's own costs, to
# measure its price: 'journal' makes the journal append a no-op (Add-HvJournalRecord; the journal
# file is still created by begin and removed by commit), 'progress' drops the progress lines
# (Write-HvProgress). Only for measuring: a run without its journal has no rollback.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]
    $ConfigBase64,

    [Parameter(Mandatory = $true)]
    [string]
    $RequestFolder,

    [ValidateSet('nothing', 'journal', 'progress')]
    [string]
    $Without = 'nothing'
)
$ErrorActionPreference = 'Stop'
$bootstrap = [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'ps', 'HvGuest', 'Bootstrap.ps1')
$clock = [System.Diagnostics.Stopwatch]::StartNew()
. $bootstrap -ConfigBase64 $ConfigBase64 | Out-Null
$bootstrapMs = $clock.Elapsed.TotalMilliseconds
$runtime = Get-Module -Name HvGuest
if ($Without -eq 'journal') { & $runtime { function script:Add-HvJournalRecord { param($Run, $Record) } } }
if ($Without -eq 'progress') { & $runtime { function script:Write-HvProgress { param($Context, $Step, $Detail) } } }
# The protocol lines a request writes to the console go to a writer of this script's while it
# runs: stdout carries the one line of times, and each request's result line is checked.
$protocol = [System.IO.StringWriter]::new()
$stdout = [Console]::Out
$times = [System.Collections.Generic.List[object]]::new()
foreach ($file in @(Get-ChildItem -LiteralPath $RequestFolder -Filter '*.json' | Sort-Object Name)) {
    $line = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($file.FullName))
    $clock.Restart()
    [Console]::SetOut($protocol)
    try { Invoke-HvGuestRequest -RequestBase64 $line | Out-Null } finally { [Console]::SetOut($stdout) }
    $ms = $clock.Elapsed.TotalMilliseconds
    $out = $protocol.ToString()
    $protocol.GetStringBuilder().Clear() | Out-Null
    if ($out -notmatch '"type":"result","ok":true') { throw "request $($file.Name) failed: $out" }
    $times.Add([ordered]@{ request = $file.BaseName; ms = [math]::Round($ms, 1) })
}
[Console]::Out.WriteLine((ConvertTo-Json -InputObject ([ordered]@{ bootstrapMs = [math]::Round($bootstrapMs, 1); requests = $times.ToArray() }) -Compress -Depth 5))
