# host.hyperV of a state (docs/emulator-state.md). Dot-sourced by HvEmulator (the dispatcher's
# check before every Hyper-V cmdlet) and by the emulated modules' handlers (the Hyper-V WMI
# namespace, the Microsoft-Hyper-V optional feature).

function Get-HvEmulatorHyperVMode {
    # 'installed' (also for a state written before the field existed), 'not-installed' or 'access-denied'.
    [CmdletBinding()]
    param($State)
    $h = $State['host']
    if ($null -eq $h -or -not $h.Contains('hyperV') -or [string]::IsNullOrEmpty([string]$h['hyperV'])) { return 'installed' }
    [string]$h['hyperV']
}
