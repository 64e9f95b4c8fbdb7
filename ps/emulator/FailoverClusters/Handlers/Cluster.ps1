# Get-ClusterNode and Add-ClusterVirtualMachineRole. A host is clustered when the state has a
# "cluster"; a VM role needs every virtual hard disk under the cluster's sharedVolumeRoot.

function Get-ClusterOrFail {
    param($Ctx)
    $cluster = $Ctx.State.cluster
    if (-not $cluster) {
        Stop-HvEmulatorCommand -Message 'The cluster service is not running. Make sure that the service is running on all nodes in the cluster. There are no more endpoints available from the endpoint mapper.' -Category ConnectionError -ErrorId 'ClusterCmdletError'
    }
    if ((Test-Bound $Ctx 'Cluster') -and [string]$Ctx.Parameters['Cluster'] -notin '.', [string]$cluster.name) {
        Stop-HvEmulatorCommand -Message "The cluster '$($Ctx.Parameters['Cluster'])' was not found; this host is a node of '$($cluster.name)'." -Category ObjectNotFound -ErrorId 'ClusterCmdletError'
    }
    $cluster
}

$script:Handlers['Get-ClusterNode'] = {
    param($Ctx)
    $cluster = Get-ClusterOrFail $Ctx
    $names = if (Test-Bound $Ctx 'Name') { @($Ctx.Parameters['Name']) } else { $null }
    foreach ($n in @($cluster.nodes)) {
        if ($null -eq $n -or ($null -ne $names -and $names -notcontains [string]$n.name)) { continue }
        # Each node's own file holds the whole cluster's node list (docs/emulator-state.md): any
        # node answers for all of them, as Get-ClusterNode -Cluster does through whichever node answers.
        [pscustomobject][ordered]@{ PSTypeName = 'Microsoft.FailoverClusters.PowerShell.ClusterNode'; Name = [string]$n.name; NodeName = [string]$n.name; Id = [string]$n.id; State = [string]$n.state; Cluster = [string]$cluster.name }
    }
}

$script:Handlers['Add-ClusterVirtualMachineRole'] = {
    param($Ctx)
    $state = $Ctx.State
    $cluster = Get-ClusterOrFail $Ctx
    $vm = $null
    $key = if (Test-Bound $Ctx 'VMName') { [string]$Ctx.Parameters['VMName'] } elseif (Test-Bound $Ctx 'VirtualMachine') { [string]$Ctx.Parameters['VirtualMachine'] } else { $null }
    if ($key) { $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.name -eq $key } | Select-Object -First 1 }
    elseif (Test-Bound $Ctx 'VMId') { $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.id -eq ([guid]$Ctx.Parameters['VMId']).ToString() } | Select-Object -First 1 }
    elseif (Test-Bound $Ctx 'InputObject') {
        $id = [string](Get-PropertyValue $Ctx.Parameters['InputObject'] 'VMId')
        $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.id -eq $id } | Select-Object -First 1
    }
    if (-not $vm) {
        Stop-HvEmulatorCommand -Message "An error occurred while adding the virtual machine role: virtual machine '$key' was not found on node '$($state.host.computerName)'." -Category ObjectNotFound -ErrorId 'ClusterCmdletError'
    }
    if ($vm.clustered) {
        Stop-HvEmulatorCommand -Message "Virtual machine '$($vm.name)' is already a clustered role." -Category ResourceExists -ErrorId 'ClusterCmdletError'
    }
    $root = ([string]$cluster.sharedVolumeRoot).TrimEnd('\') + '\'
    foreach ($d in @($vm.hardDrives)) {
        if ($null -ne $d -and $d.path -and -not ([string]$d.path).StartsWith($root, [System.StringComparison]::OrdinalIgnoreCase)) {
            Stop-HvEmulatorCommand -Message "The virtual machine '$($vm.name)' cannot be made highly available: its virtual hard disk '$($d.path)' is not on cluster storage ($root)." -Category InvalidOperation -ErrorId 'ClusterCmdletError'
        }
    }
    $name = [string](Get-Bound $Ctx 'Name' $vm.name)
    $vm.clustered = $true
    Add-ToList $cluster 'groups' ([ordered]@{ name = $name; vmId = $vm.id; ownerNode = $state.host.computerName })
    [pscustomobject][ordered]@{ PSTypeName = 'Microsoft.FailoverClusters.PowerShell.ClusterGroup'; Name = $name; OwnerNode = [string]$state.host.computerName; State = 'Offline'; GroupType = 'VirtualMachine'; Cluster = [string]$cluster.name }
}
