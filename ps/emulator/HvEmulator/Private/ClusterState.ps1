# The state of a failover cluster, shared by its nodes. Each node is its own state file; its
# "cluster" is {stateFile}, the cluster's file (relative to the node's state folder), which holds
# the cluster's name, its nodes, its Cluster Shared Volumes and its groups (roles). A role
# registered through one node is therefore seen from every other, as on a real cluster, where the
# cluster database is replicated to every node. docs/emulator-state.md, "Clusters".

function Get-ClusterStatePath {
    # The full path of the cluster file a node's state names, or $null when the host is no node.
    param([System.Collections.IDictionary]$State, [string]$StatePath)
    $cluster = $State['cluster']
    if ($null -eq $cluster) { return $null }
    $file = [string]$cluster['stateFile']
    if ([string]::IsNullOrEmpty($file)) { throw "The emulator state '$StatePath' has a cluster without a stateFile (docs/emulator-state.md)." }
    if (-not [System.IO.Path]::IsPathRooted($file)) { $file = [System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($StatePath), $file) }
    $full = [System.IO.Path]::GetFullPath($file)
    if (-not [System.IO.File]::Exists($full)) { throw "The cluster state file '$full' that '$StatePath' names does not exist." }
    $full
}

function Enter-ClusterStateLock {
    # The cluster file's own lock, always taken after the node's (Invoke-HvEmulatorCommand): one
    # order, so two nodes' cmdlets never wait on each other in a circle.
    param([string]$Path, [int]$TimeoutSeconds = 60)
    $lockPath = "$Path.lock"
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        try { return [System.IO.File]::Open($lockPath, [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None) }
        catch [System.IO.IOException] {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for the emulated cluster's lock '$lockPath'." }
            Start-Sleep -Milliseconds (Get-Random -Minimum 5 -Maximum 25)
        }
    }
}
