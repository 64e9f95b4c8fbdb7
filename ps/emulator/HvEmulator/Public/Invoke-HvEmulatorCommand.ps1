$script:Current = $null

function Invoke-HvEmulatorCommand {
    <#
    .SYNOPSIS
    Runs one emulated cmdlet call: fault injection, lock, state load, handler, atomic save.
    .DESCRIPTION
    Called by the generated wrapper of every emulated cmdlet with its $PSCmdlet and bound
    parameters. Get-* cmdlets read the state without the lock; every other verb mutates: it takes
    the lock, re-reads the state, and writes it back if the handler changed it. The handler's
    output is emitted only after the lock is released, so a downstream emulated cmdlet in the same
    pipeline can take it.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]
        $Cmdlet,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary]
        $Parameters,

        [scriptblock]
        $Handler
    )
    $name = $Cmdlet.MyInvocation.MyCommand.Name
    $previous = $script:Current
    $script:Current = [pscustomobject]@{ Cmdlet = $Cmdlet; Name = $name; State = $null; StatePath = $null; Cluster = $null }
    try {
        $fault = Test-InjectedFault -Name $name
        if ($fault) {
            Stop-HvEmulatorCommand -Message $fault -Category OperationStopped -ErrorId 'HvEmulatorInjectedFault'
        }
        if (-not $Handler) {
            Stop-HvEmulatorCommand -Message "$name is bound but not emulated." -Category NotImplemented -ErrorId 'HvEmulatorNotImplemented'
        }
        $statePath = Get-StateFilePath
        $script:Current.StatePath = $statePath
        $mutates = -not $name.StartsWith('Get-')
        # Hyper-V module cmdlets first check that Hyper-V is there and may be used (host.hyperV).
        $isHyperV = $Cmdlet.MyInvocation.MyCommand.ModuleName -eq 'Hyper-V'
        $context = [pscustomobject]@{
            Name          = $name
            Cmdlet        = $Cmdlet
            Parameters    = $Parameters
            ParameterSet  = $Cmdlet.ParameterSetName
            State         = $null
            StatePath     = $statePath
            # A cluster node's shared cluster state (ClusterState.ps1), or $null.
            Cluster       = $null
            ClusterPath   = $null
        }
        $output = $null
        if (-not $mutates) {
            $context.State = (Read-StateFile -Path $statePath).State
            $script:Current.State = $context.State
            $context.ClusterPath = Get-ClusterStatePath -State $context.State -StatePath $statePath
            if ($null -ne $context.ClusterPath) { $context.Cluster = (Read-StateFile -Path $context.ClusterPath).State }
            $script:Current.Cluster = $context.Cluster
            if ($isHyperV) { Assert-HvEmulatorHyperV -State $context.State -Name $name }
            $output = @(& $Handler $context)
        }
        else {
            if (-not $Cmdlet.ShouldProcess($name)) { return }
            $lock = Enter-StateLock -Path $statePath
            $clusterLock = $null
            try {
                $loaded = Read-StateFile -Path $statePath
                $context.State = $loaded.State
                $script:Current.State = $context.State
                $context.ClusterPath = Get-ClusterStatePath -State $context.State -StatePath $statePath
                $clusterLoaded = $null
                if ($null -ne $context.ClusterPath) {
                    $clusterLock = Enter-ClusterStateLock -Path $context.ClusterPath
                    $clusterLoaded = Read-StateFile -Path $context.ClusterPath
                    $context.Cluster = $clusterLoaded.State
                }
                $script:Current.Cluster = $context.Cluster
                if ($isHyperV) { Assert-HvEmulatorHyperV -State $context.State -Name $name }
                $output = @(& $Handler $context)
                $text = ConvertTo-StateText -State $context.State
                if ($text -cne $loaded.Text) { Write-StateFile -Path $statePath -Text $text }
                if ($null -ne $clusterLoaded) {
                    $clusterText = ConvertTo-StateText -State $context.Cluster
                    if ($clusterText -cne $clusterLoaded.Text) { Write-StateFile -Path $context.ClusterPath -Text $clusterText }
                }
            }
            finally {
                if ($null -ne $clusterLock) { $clusterLock.Dispose() }
                Exit-StateLock -Stream $lock
            }
        }
    }
    finally {
        $script:Current = $previous
    }
    foreach ($item in $output) { $item }
}

function Get-HvEmulatorCluster {
    <#
    .SYNOPSIS
    The shared cluster state (ClusterState.ps1) of the node whose emulated cmdlet is running, or
    $null: what Get-VM's IsClustered and the FailoverClusters handlers read.
    #>
    [CmdletBinding()]
    param()
    if ($script:Current) { return $script:Current.Cluster }
    $null
}

function New-HvEmulatorErrorRecord {
    # The error record of an emulated cmdlet: the exception type its category has in the real one.
    param([string]$Message, [System.Management.Automation.ErrorCategory]$Category, [string]$ErrorId, [object]$TargetObject)
    $exception = switch ($Category) {
        'InvalidArgument' { [System.ArgumentException]::new($Message) }
        'ObjectNotFound' { [System.Management.Automation.ItemNotFoundException]::new($Message) }
        'PermissionDenied' { [System.UnauthorizedAccessException]::new($Message) }
        default { [System.InvalidOperationException]::new($Message) }
    }
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
}

function Stop-HvEmulatorCommand {
    <#
    .SYNOPSIS
    Throws a terminating error from the emulated cmdlet being run, as the real cmdlet would.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Message,

        [System.Management.Automation.ErrorCategory]
        $Category = [System.Management.Automation.ErrorCategory]::InvalidOperation,

        [string]
        $ErrorId = 'HvEmulatorError',

        [object]
        $TargetObject
    )
    $record = New-HvEmulatorErrorRecord -Message $Message -Category $Category -ErrorId $ErrorId -TargetObject $TargetObject
    if ($script:Current -and $script:Current.Cmdlet) {
        $script:Current.Cmdlet.ThrowTerminatingError($record)
    }
    throw $record
}

function Write-HvEmulatorError {
    <#
    .SYNOPSIS
    Writes a non-terminating error from the emulated cmdlet being run, for one of its inputs, as
    the real cmdlet does (Get-VM -Name with a name no VM has): it goes on with the other inputs,
    and the caller's -ErrorAction decides whether the error stops it.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]
        $Message,

        [System.Management.Automation.ErrorCategory]
        $Category = [System.Management.Automation.ErrorCategory]::InvalidOperation,

        [string]
        $ErrorId = 'HvEmulatorError',

        [object]
        $TargetObject
    )
    $record = New-HvEmulatorErrorRecord -Message $Message -Category $Category -ErrorId $ErrorId -TargetObject $TargetObject
    if ($script:Current -and $script:Current.Cmdlet) {
        $script:Current.Cmdlet.WriteError($record)
        return
    }
    $PSCmdlet.WriteError($record)
}
