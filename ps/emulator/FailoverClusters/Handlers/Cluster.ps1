# The FailoverClusters cmdlets the runtime calls: Get-ClusterNode, Get-ClusterSharedVolume,
# Get-ClusterGroup, Add-ClusterVirtualMachineRole and Remove-ClusterGroup. A host is a node when
# its state names a cluster file ($Ctx.Cluster, HvEmulator/Private/ClusterState.ps1): the nodes,
# volumes and roles there are the cluster's, so what one node registers every node sees.

function Get-ClusterOrFail {
    param($Ctx)
    $cluster = $Ctx.Cluster
    if (-not $cluster) {
        Stop-HvEmulatorCommand -Message 'The cluster service is not running. Make sure that the service is running on all nodes in the cluster. There are no more endpoints available from the endpoint mapper.' -Category ConnectionError -ErrorId 'ClusterCmdletError'
    }
    if ((Test-Bound $Ctx 'Cluster') -and [string]$Ctx.Parameters['Cluster'] -notin '.', [string]$cluster.name) {
        Stop-HvEmulatorCommand -Message "The cluster '$($Ctx.Parameters['Cluster'])' was not found; this host is a node of '$($cluster.name)'." -Category ObjectNotFound -ErrorId 'ClusterCmdletError'
    }
    $cluster
}

function ConvertTo-ClusterNodeObject {
    param($Cluster, [string]$Name)
    $n = @($Cluster.nodes) | Where-Object { $null -ne $_ -and [string]$_.name -eq $Name } | Select-Object -First 1
    $node = [pscustomobject][ordered]@{ PSTypeName = 'Microsoft.FailoverClusters.PowerShell.ClusterNode'; Name = $Name; NodeName = $Name; Id = $(if ($n) { [string]$n.id } else { '' }); State = $(if ($n) { [string]$n.state } else { 'Unknown' }); Cluster = [string]$Cluster.name }
    # As the real ClusterNode: it reads as its name ("$($group.OwnerNode)").
    $node | Add-Member -MemberType ScriptMethod -Name ToString -Value { $this.Name } -Force
    $node
}

# The groups every cluster has besides its roles (Get-ClusterGroup lists them too).
function Get-ClusterCoreGroups {
    param($Cluster)
    $owner = [string]@($Cluster.nodes)[0].name
    @(
        [ordered]@{ name = 'Cluster Group'; groupType = 'Cluster'; ownerNode = $owner; state = 'Online'; vmId = $null }
        [ordered]@{ name = 'Available Storage'; groupType = 'AvailableStorage'; ownerNode = $owner; state = 'Offline'; vmId = $null }
    )
}

function ConvertTo-ClusterGroupObject {
    param($Cluster, $Group)
    [pscustomobject][ordered]@{
        PSTypeName = 'Microsoft.FailoverClusters.PowerShell.ClusterGroup'
        Name       = [string]$Group.name
        OwnerNode  = ConvertTo-ClusterNodeObject -Cluster $Cluster -Name ([string]$Group.ownerNode)
        State      = [string]$Group.state
        GroupType  = [string]$(if ($Group.Contains('groupType')) { $Group.groupType } else { 'VirtualMachine' })
        Cluster    = [string]$Cluster.name
    }
}

# The role groups an -Name / -VMId / -InputObject selects (none given: every group).
function Select-ClusterGroup {
    param($Ctx, $Cluster)
    $groups = @(Get-ClusterCoreGroups $Cluster) + @(@($Cluster.groups) | Where-Object { $null -ne $_ })
    if (Test-Bound $Ctx 'VMId') {
        $id = ([guid]$Ctx.Parameters['VMId']).ToString()
        $groups = @($groups | Where-Object { [string]$_.vmId -eq $id })
        if ($groups.Count -eq 0) { Stop-HvEmulatorCommand -Message "No clustered role has a virtual machine with ID '$id'." -Category ObjectNotFound -ErrorId 'ClusterCmdletError' -TargetObject $id }
    }
    $names = @()
    if (Test-Bound $Ctx 'Name') { $names = @($Ctx.Parameters['Name']) }
    elseif (Test-Bound $Ctx 'InputObject') { $names = @([string](Get-PropertyValue $Ctx.Parameters['InputObject'] 'Name')) }
    if ($names.Count -gt 0) {
        $selected = foreach ($n in $names) {
            $match = @($groups | Where-Object { [string]$_.name -eq [string]$n })
            if ($match.Count -eq 0) { Stop-HvEmulatorCommand -Message "The cluster group '$n' was not found." -Category ObjectNotFound -ErrorId 'ClusterCmdletError' -TargetObject $n }
            $match
        }
        $groups = @($selected)
    }
    $groups
}

$script:Handlers['Get-ClusterNode'] = {
    param($Ctx)
    $cluster = Get-ClusterOrFail $Ctx
    $names = if (Test-Bound $Ctx 'Name') { @($Ctx.Parameters['Name']) } else { $null }
    foreach ($n in @($cluster.nodes)) {
        if ($null -eq $n -or ($null -ne $names -and $names -notcontains [string]$n.name)) { continue }
        ConvertTo-ClusterNodeObject -Cluster $cluster -Name ([string]$n.name)
    }
}

$script:Handlers['Get-ClusterSharedVolume'] = {
    param($Ctx)
    $cluster = Get-ClusterOrFail $Ctx
    $names = if (Test-Bound $Ctx 'Name') { @($Ctx.Parameters['Name']) } else { $null }
    foreach ($v in @($cluster.sharedVolumes)) {
        if ($null -eq $v -or ($null -ne $names -and $names -notcontains [string]$v.name)) { continue }
        [pscustomobject][ordered]@{
            PSTypeName       = 'Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume'
            Name             = [string]$v.name
            State            = [string]$v.state
            OwnerNode        = ConvertTo-ClusterNodeObject -Cluster $cluster -Name ([string]$v.ownerNode)
            # One entry per volume of the disk: the folder every node reaches it at.
            SharedVolumeInfo = @([pscustomobject][ordered]@{ PSTypeName = 'Microsoft.FailoverClusters.PowerShell.ClusterSharedVolumeInfo'; FriendlyVolumeName = [string]$v.path; MaintenanceMode = $false; RedirectedAccess = $false })
            Cluster          = [string]$cluster.name
        }
    }
}

$script:Handlers['Get-ClusterGroup'] = {
    param($Ctx)
    $cluster = Get-ClusterOrFail $Ctx
    foreach ($g in (Select-ClusterGroup $Ctx $cluster)) { ConvertTo-ClusterGroupObject -Cluster $cluster -Group $g }
}

$script:Handlers['Add-ClusterVirtualMachineRole'] = {
    param($Ctx)
    $state = $Ctx.State
    $cluster = Get-ClusterOrFail $Ctx
    $vm = $null
    $key = if (Test-Bound $Ctx 'VMName') { [string]$Ctx.Parameters['VMName'] } elseif (Test-Bound $Ctx 'VirtualMachine') { [string]$Ctx.Parameters['VirtualMachine'] } else { $null }
    if ($key) { $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.name -eq $key } | Select-Object -First 1 }
    elseif (Test-Bound $Ctx 'VMId') { $key = ([guid]$Ctx.Parameters['VMId']).ToString(); $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.id -eq $key } | Select-Object -First 1 }
    elseif (Test-Bound $Ctx 'InputObject') {
        $key = [string](Get-PropertyValue $Ctx.Parameters['InputObject'] 'VMId')
        $vm = @($state.vms) | Where-Object { $null -ne $_ -and $_.id -eq $key } | Select-Object -First 1
    }
    if (-not $vm) {
        Stop-HvEmulatorCommand -Message "An error occurred while adding the virtual machine role: virtual machine '$key' was not found on node '$($state.host.computerName)'." -Category ObjectNotFound -ErrorId 'ClusterCmdletError'
    }
    if (@(@($cluster.groups) | Where-Object { $null -ne $_ -and [string]$_.vmId -eq [string]$vm.id }).Count -gt 0) {
        Stop-HvEmulatorCommand -Message "Virtual machine '$($vm.name)' is already a clustered role." -Category ResourceExists -ErrorId 'ClusterCmdletError'
    }
    # Every file of the VM must be on cluster storage, or another node could not start it.
    $roots = @(@($cluster.sharedVolumes) | Where-Object { $null -ne $_ } | ForEach-Object { ([string]$_.path).TrimEnd('\') + '\' })
    $onShared = { param([string]$Path) @($roots | Where-Object { $Path.StartsWith($_, [System.StringComparison]::OrdinalIgnoreCase) }).Count -gt 0 }
    foreach ($d in @($vm.hardDrives)) {
        if ($null -ne $d -and $d.path -and -not (& $onShared ([string]$d.path))) {
            Stop-HvEmulatorCommand -Message "The virtual machine '$($vm.name)' cannot be made highly available: its virtual hard disk '$($d.path)' is not on a Cluster Shared Volume ($($roots -join ', '))." -Category InvalidOperation -ErrorId 'ClusterCmdletError'
        }
    }
    if (-not (& $onShared ([string]$vm.path))) {
        Stop-HvEmulatorCommand -Message "The virtual machine '$($vm.name)' cannot be made highly available: its configuration in '$($vm.path)' is not on a Cluster Shared Volume ($($roots -join ', '))." -Category InvalidOperation -ErrorId 'ClusterCmdletError'
    }
    $name = [string](Get-Bound $Ctx 'Name' $vm.name)
    if (@(@(Get-ClusterCoreGroups $cluster) + @($cluster.groups) | Where-Object { $null -ne $_ -and [string]$_.name -eq $name }).Count -gt 0) {
        Stop-HvEmulatorCommand -Message "A cluster group named '$name' already exists." -Category ResourceExists -ErrorId 'ClusterCmdletError'
    }
    # The switches the VM's adapters use are not checked: the real cmdlet registers the role
    # even when another node lacks one (the guest then loses its network after a failover).
    $group = [ordered]@{ name = $name; groupType = 'VirtualMachine'; vmId = [string]$vm.id; ownerNode = [string]$state.host.computerName; state = $(if ($vm.state -eq 'Running') { 'Online' } else { 'Offline' }) }
    Add-ToList $cluster 'groups' $group
    ConvertTo-ClusterGroupObject -Cluster $cluster -Group $group
}

$script:Handlers['Remove-ClusterGroup'] = {
    param($Ctx)
    $cluster = Get-ClusterOrFail $Ctx
    # Without -Force the cmdlet asks for confirmation, which a session without a console cannot give.
    if (-not (Get-Bound $Ctx 'Force')) {
        Stop-HvEmulatorCommand -Message 'Remove-ClusterGroup asks for confirmation before it removes a group, and this session cannot prompt: specify -Force.' -Category InvalidOperation -ErrorId 'ClusterCmdletError'
    }
    foreach ($g in (Select-ClusterGroup $Ctx $cluster)) {
        if (-not $g.Contains('vmId') -or -not $g.vmId) {
            Stop-HvEmulatorCommand -Message "The cluster group '$($g.name)' is one of the cluster's own groups and cannot be removed." -Category InvalidOperation -ErrorId 'ClusterCmdletError'
        }
        # A VM role holds the VM's resource: without -RemoveResources the group is not empty.
        if (-not (Get-Bound $Ctx 'RemoveResources')) {
            Stop-HvEmulatorCommand -Message "The cluster group '$($g.name)' still contains resources: remove them first, or specify -RemoveResources." -Category InvalidOperation -ErrorId 'ClusterCmdletError'
        }
        $vmId = [string]$g.vmId
        Remove-FromList $cluster 'groups' { param($x) [string]$x.vmId -eq $vmId }
    }
}
