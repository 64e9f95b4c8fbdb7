# The emulated host's free physical memory (docs/emulator-state.md, host.memoryCapacityBytes and
# host.memoryInUseByHostBytes): what the parent partition uses, less every running guest's
# memory, so that free memory shrinks as guests start, as on a real host. A guest's memory is its
# startup memory (with dynamic memory on, Hyper-V assigns at least that at start). Read by the
# Win32_OperatingSystem handler (FreePhysicalMemory) and Start-VM (a guest that does not fit).

function Get-HvEmulatorFreeMemoryBytes {
    [CmdletBinding()]
    param($State)
    $h = $State['host']
    $capacity = [long]$h['memoryCapacityBytes']
    # A state written before the field existed: 2 GB, about what a Hyper-V parent partition uses.
    $inUse = if ($h.Contains('memoryInUseByHostBytes') -and $null -ne $h['memoryInUseByHostBytes']) { [long]$h['memoryInUseByHostBytes'] } else { 2GB }
    $running = [long]0
    foreach ($vm in @($State['vms'])) {
        if ($null -ne $vm -and [string]$vm['state'] -eq 'Running') { $running += [long]$vm['memory']['startupBytes'] }
    }
    [Math]::Max([long]0, $capacity - $inUse - $running)
}
