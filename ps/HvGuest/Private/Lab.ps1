# The host side of labs (`hvguest lab up|down`, docs/execution.md section 9): a lab network's switch,
# the host's gateway address on it and its NAT (lab-network), the lab record kept on the host
# (lab-record), both inside a begun run and journaled before each change; and lab-teardown, a run
# of its own that removes what the lab created. The undo kinds of the first two are here too
# (Invoke-HvLabUndo, called by Invoke-HvUndo in Journal.ps1):
#   {action: 'remove-switch', name, id}               a switch the run created (id once New-VMSwitch answered)
#   {action: 'remove-ip-address', interfaceAlias, ipAddress}  an address the run added
#   {action: 'remove-nat', name}                       a NetNat the run created
#   {action: 'restore-lab-record', path, previousBase64}  the record's bytes before (null: there was none)
# Each is journaled only after its target was checked to be absent (under the host lock), so an
# undo never removes what existed before the run: a switch the lab only uses, a NetNat it reuses.

$script:HvLabUndoCmdlets = @{
    'remove-switch'      = 'Remove-VMSwitch'
    'remove-ip-address'  = 'Remove-NetIPAddress'
    'remove-nat'         = 'Remove-NetNat'
    'restore-lab-record' = $null
}

# True when $Action is one of the lab's undo kinds.
function Test-HvLabUndoAction {
    param([string]$Action)
    return $script:HvLabUndoCmdlets.ContainsKey($Action)
}

function Get-HvLabUndoCmdlet {
    param([string]$Action)
    return $script:HvLabUndoCmdlets[$Action]
}

# ---- names, paths and addresses

# A lab name is a file name on the host (<vmRoot>\.hvguest\labs\<lab>.json): as strict as a run id.
function Assert-HvLabName {
    param($Lab)
    if ($null -eq $Lab -or -not ([string]$Lab -match '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$') -or ([string]$Lab).Contains('..')) {
        throw (New-HvError -Step 'request' -Message ("lab '{0}' is not a valid lab name: letters, digits, '.', '_' and '-' only" -f $Lab) -Category 'InvalidArgument')
    }
    return [string]$Lab
}

function Get-HvLabRecordDir { param([string]$VmRoot) return (Join-HvPath -Parent (Get-HvStateRoot -VmRoot $VmRoot) -Child 'labs') }
function Get-HvLabRecordPath { param([string]$VmRoot, [string]$Lab) return (Join-HvPath -Parent (Get-HvLabRecordDir -VmRoot $VmRoot) -Child ($Lab + '.json')) }

# The host's adapter of a switch shared with the management OS (internal, or external with AllowManagementOS).
function Get-HvSwitchHostAdapterName { param([string]$SwitchName) return ('vEthernet ({0})' -f $SwitchName) }

# An IPv4 address as a number, or $null when it is not one.
function ConvertTo-HvIPv4Number {
    param([string]$Address)
    # Four dotted numbers only: IPAddress.TryParse also takes "10.1" (as 10.0.0.1).
    if ($Address -notmatch '^\d{1,3}(\.\d{1,3}){3}$') { return $null }
    $parsed = $null
    if (-not [System.Net.IPAddress]::TryParse($Address, [ref]$parsed)) { return $null }
    if ($parsed.AddressFamily -ne [System.Net.Sockets.AddressFamily]::InterNetwork) { return $null }
    $bytes = $parsed.GetAddressBytes()
    return ([uint64]$bytes[0] * 16777216) + ([uint64]$bytes[1] * 65536) + ([uint64]$bytes[2] * 256) + [uint64]$bytes[3]
}

# "10.200.1.0/24" as @{ Network; Length } (the network masked), or $null when it is not an IPv4 prefix.
function ConvertFrom-HvIPv4Prefix {
    param([string]$Prefix)
    $slash = $Prefix.IndexOf('/')
    if ($slash -lt 1) { return $null }
    $number = ConvertTo-HvIPv4Number -Address $Prefix.Substring(0, $slash)
    $length = 0
    if ($null -eq $number -or -not [int]::TryParse($Prefix.Substring($slash + 1), [ref]$length) -or $length -lt 0 -or $length -gt 32) { return $null }
    $size = [uint64][math]::Pow(2, 32 - $length)
    return @{ Network = ($number - ($number % $size)); Length = $length }
}

# True when prefix $Outer holds every address of prefix $Inner (a NetNat that already NATs the lab's subnet).
function Test-HvPrefixHolds {
    param([string]$Outer, [string]$Inner)
    $o = ConvertFrom-HvIPv4Prefix -Prefix $Outer
    $i = ConvertFrom-HvIPv4Prefix -Prefix $Inner
    if ($null -eq $o -or $null -eq $i -or $o.Length -gt $i.Length) { return $false }
    $size = [uint64][math]::Pow(2, 32 - $o.Length)
    return (($i.Network - ($i.Network % $size)) -eq $o.Network)
}

# ---- the host's switches, addresses and NATs, matched exactly (a -Name of these cmdlets is a wildcard)

# The switch with id $Id, else (no id) the one named $Name; $null when there is none.
function Find-HvLabSwitch {
    param([string]$Name, [string]$Id)
    if (-not [string]::IsNullOrEmpty($Id)) {
        foreach ($s in @(Select-HvObject -InputObject @(Get-VMSwitch) -Property 'Name')) {
            if (Test-HvSameText -A ([string](Get-HvField -Object $s -Name 'Id' -Default '')) -B $Id) { return $s }
        }
        return $null
    }
    return (Find-HvSwitch -Name $Name)
}

# Every IPv4 address of the host. Asked for all addresses, then the IPv4 ones kept: a filter that
# matches nothing (-AddressFamily IPv4 on a host with none) is an error of a CDXML cmdlet
# ("No MSFT_NetIPAddress objects found"), not an empty answer.
function Get-HvIPv4Addresses {
    return @(Select-HvObject -InputObject @(Get-NetIPAddress) -Property 'IPAddress' | Where-Object { $null -ne (ConvertTo-HvIPv4Number -Address ([string]$_.IPAddress)) })
}

# The host's IPv4 address $IPAddress on adapter $InterfaceAlias, or $null.
function Find-HvIPAddress {
    param([string]$InterfaceAlias, [string]$IPAddress)
    foreach ($a in @(Get-HvIPv4Addresses)) {
        if ((Test-HvSameText -A ([string]$a.InterfaceAlias) -B $InterfaceAlias) -and ([string]$a.IPAddress -eq $IPAddress)) { return $a }
    }
    return $null
}

# Every NetNat of the host (none on a host without the NetNat module: before Windows Server 2016,
# which Test-HvCommand -Command 'Get-NetNat' tells).
function Get-HvNetNats {
    if (Test-HvCommand -Command 'Get-NetNat') { return @(Select-HvObject -InputObject @(Get-NetNat) -Property 'Name') }
    return @()
}

function Find-HvNetNat {
    param([string]$Name)
    foreach ($n in @(Get-HvNetNats)) { if (Test-HvSameText -A ([string]$n.Name) -B $Name) { return $n } }
    return $null
}

# The host's VM adapters on a switch (by id, else by name): what keeps a switch in use.
function Get-HvSwitchUsers {
    param($Switch)
    $id = [string](Get-HvField -Object $Switch -Name 'Id' -Default '')
    $name = [string]$Switch.Name
    $users = New-Object System.Collections.Generic.List[string]
    foreach ($a in @(Select-HvObject -InputObject @(Get-VMNetworkAdapter -All) -Property 'Name')) {
        $vmName = [string](Get-HvField -Object $a -Name 'VMName' -Default '')
        if ($vmName.Length -eq 0) { continue }  # the host's own adapters (ManagementOS)
        $adapterSwitchId = [string](Get-HvField -Object $a -Name 'SwitchId' -Default '')
        $onIt = $(if ($adapterSwitchId.Length -gt 0 -and $id.Length -gt 0) { Test-HvSameText -A $adapterSwitchId -B $id } else { Test-HvSameText -A ([string](Get-HvField -Object $a -Name 'SwitchName' -Default '')) -B $name })
        if ($onIt -and -not ($users -contains $vmName)) { $users.Add($vmName) }
    }
    return , $users.ToArray()
}

# ---- lab-network

function Invoke-HvLabNetworkAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run this network belongs to')
    $Context.RunId = $runId
    $network = Get-HvRequiredField -Object $Request -Name 'network' -What 'the lab network {switch, type, ...}'
    $switchName = [string](Get-HvRequiredField -Object $network -Name 'switch' -What 'the switch name')
    if ($switchName.Trim().Length -eq 0) { throw (New-HvError -Step 'request' -Message 'the lab network has an empty switch name' -Category 'InvalidArgument') }
    $Context.Run = Resolve-HvBegunRun -Context $Context -Request $Request -RunId $runId
    $switchCreated = $false
    $addressCreated = $false
    $natCreated = $false
    $natName = $null
    # What a failure had done (Node rolls the run back): filled in as each part is done.
    $Context.Data = [ordered]@{ switchCreated = $false; addressCreated = $false; natCreated = $false }

    Set-HvActivity -Context $Context -Step 'find-switch' -Cmdlet 'Get-VMSwitch'
    $sw = Find-HvSwitch -Name $switchName
    if (Test-HvTrue (Get-HvField -Object $network -Name 'createSwitch')) {
        if ($null -ne $sw) {
            throw (New-HvError -Step 'new-switch' -Cmdlet 'Get-VMSwitch' -Message ("a virtual switch named '{0}' already exists on this host (id {1}); the lab creates only switches that do not" -f $switchName, (Get-HvField -Object $sw -Name 'Id')) -Category 'ResourceExists')
        }
        $sw = New-HvLabSwitch -Context $Context -Network $network -SwitchName $switchName
        $switchCreated = $true
    } elseif ($null -eq $sw) {
        throw (New-HvError -Step 'find-switch' -Cmdlet 'Get-VMSwitch' -Message ("virtual switch '{0}' does not exist on this host, and the lab does not create it" -f $switchName) -Category 'ObjectNotFound')
    }
    $switchId = [string](Get-HvField -Object $sw -Name 'Id' -Default '')
    $Context.Data = [ordered]@{ switchId = $switchId; switchCreated = $switchCreated; addressCreated = $false; natCreated = $false }

    # The profile's jumbo frames on the adapters of a switch the run has just made: begin sets them
    # on the switches that exist, and this one did not yet. Through the host-setting door, so the
    # journal puts the old value back before a rollback removes the switch.
    $jumbo = Get-HvField -Object $network -Name 'jumbo'
    $hostSettings = @()
    if ($switchCreated -and $null -ne $jumbo) {
        Start-HvAdapterBatch -Context $Context
        Set-HvActivity -Context $Context -Step 'set-jumbo' -Cmdlet 'Get-NetAdapter'
        $hostSettings = @(Set-HvJumboEntry -Context $Context -Entry $jumbo -Adapters (Get-HvAllNetAdapters))
        [void](Complete-HvAdapterBatch -Context $Context)
    }

    $gateway = Get-HvField -Object $network -Name 'gateway'
    if ($null -ne $gateway) { $addressCreated = Add-HvLabGateway -Context $Context -SwitchName $switchName -Gateway $gateway }
    $Context.Data.addressCreated = $addressCreated

    $nat = Get-HvField -Object $network -Name 'nat'
    if ($null -ne $nat) {
        $natResult = Add-HvLabNat -Context $Context -Nat $nat
        $natCreated = $natResult.Created
        $natName = $natResult.Name
    }
    $Context.Data = [ordered]@{ switchId = $switchId; switchCreated = $switchCreated; addressCreated = $addressCreated; natCreated = $natCreated; natName = $natName; hostSettings = $hostSettings }
}

# The run of a request inside a begun run: known, journaled, and holding the host lock.
function Resolve-HvBegunRun {
    param([hashtable]$Context, $Request, [string]$RunId)
    Set-HvActivity -Context $Context -Step 'journal' -Cmdlet $null
    $run = Resolve-HvRun -RunId $RunId -VmRoot (Get-HvField -Object $Request -Name 'vmRoot')
    if (-not (Test-HvLockHeldBy -VmRoot $run.VmRoot -RunId $RunId)) {
        throw (New-HvError -Step 'lock' -Message ("run {0} does not hold the host lock" -f $RunId) -Category 'ResourceUnavailable')
    }
    return $run
}

# New-VMSwitch, journaled before it runs (its id is learned after). Returns the switch.
function New-HvLabSwitch {
    param([hashtable]$Context, $Network, [string]$SwitchName)
    $type = [string](Get-HvField -Object $Network -Name 'type' -Default '')
    $notes = [string](Get-HvField -Object $Network -Name 'notes' -Default '')
    $detail = '{0} ({1})' -f $SwitchName, $type
    Start-HvStep -Context $Context -Step 'new-switch' -Cmdlet 'New-VMSwitch' -Detail $detail -Undo ([ordered]@{ action = 'remove-switch'; name = $SwitchName; id = $null })
    if ($type -eq 'External') {
        $adapter = [string](Get-HvField -Object $Network -Name 'adapter' -Default '')
        if ($adapter.Length -eq 0) { throw (New-HvError -Step 'new-switch' -Message ("external switch '{0}' names no physical adapter" -f $SwitchName) -Category 'InvalidArgument') }
        $external = @{ Name = $SwitchName; NetAdapterName = $adapter; AllowManagementOS = (Test-HvTrue (Get-HvField -Object $Network -Name 'allowManagementOS')); Notes = $notes }
        $created = New-VMSwitch @external
    } elseif ($type -eq 'Internal' -or $type -eq 'Private') {
        $internal = @{ Name = $SwitchName; SwitchType = $type; Notes = $notes }
        $created = New-VMSwitch @internal
    } else {
        throw (New-HvError -Step 'new-switch' -Message ("switch type '{0}' is not one of Internal, Private, External" -f $type) -Category 'InvalidArgument')
    }
    $sw = @(Select-HvObject -InputObject @($created) -Property 'Name') | Select-Object -First 1
    if ($null -eq $sw) { $sw = Find-HvSwitch -Name $SwitchName }
    if ($null -eq $sw) { throw (New-HvError -Step 'new-switch' -Cmdlet 'Get-VMSwitch' -Message ("New-VMSwitch reported no error, but no switch '{0}' exists" -f $SwitchName) -Category 'ObjectNotFound') }
    Complete-HvStep -Context $Context -UndoUpdate ([ordered]@{ id = [string](Get-HvField -Object $sw -Name 'Id' -Default '') })
    return $sw
}

# The host's gateway address on the switch's vEthernet adapter. Returns $true when this run added it.
function Add-HvLabGateway {
    param([hashtable]$Context, [string]$SwitchName, $Gateway)
    $address = [string](Get-HvRequiredField -Object $Gateway -Name 'address' -What 'the gateway address')
    $length = [int](Get-HvRequiredField -Object $Gateway -Name 'prefixLength' -What 'the gateway prefix length')
    if ($null -eq (ConvertTo-HvIPv4Number -Address $address) -or $length -lt 1 -or $length -gt 32) {
        throw (New-HvError -Step 'request' -Message ("gateway {0}/{1} is not an IPv4 address and prefix length" -f $address, $length) -Category 'InvalidArgument')
    }
    $alias = Get-HvSwitchHostAdapterName -SwitchName $SwitchName
    Set-HvActivity -Context $Context -Step 'new-address' -Cmdlet 'Get-NetIPAddress'
    $existing = Find-HvIPAddress -InterfaceAlias $alias -IPAddress $address
    if ($null -ne $existing) {
        $has = [int](Get-HvField -Object $existing -Name 'PrefixLength' -Default 0)
        if ($has -ne $length) {
            throw (New-HvError -Step 'new-address' -Cmdlet 'Get-NetIPAddress' -Message ("'{0}' already has {1} with prefix length {2}, not {3}" -f $alias, $address, $has, $length) -Category 'ResourceExists')
        }
        return $false
    }
    Start-HvStep -Context $Context -Step 'new-address' -Cmdlet 'New-NetIPAddress' -Detail ('{0}/{1} on {2}' -f $address, $length, $alias) -Undo ([ordered]@{ action = 'remove-ip-address'; interfaceAlias = $alias; ipAddress = $address })
    New-NetIPAddress -InterfaceAlias $alias -IPAddress $address -PrefixLength $length | Out-Null
    Complete-HvStep -Context $Context
    return $true
}

# A NetNat for the subnet, unless one whose prefix holds it exists (then it is used as it is).
# Returns @{ Created; Name } (Name: the NAT the subnet goes through).
function Add-HvLabNat {
    param([hashtable]$Context, $Nat)
    $name = [string](Get-HvRequiredField -Object $Nat -Name 'name' -What 'the NAT name')
    $prefix = [string](Get-HvRequiredField -Object $Nat -Name 'prefix' -What 'the NAT prefix')
    if ($null -eq (ConvertFrom-HvIPv4Prefix -Prefix $prefix)) { throw (New-HvError -Step 'request' -Message ("NAT prefix '{0}' is not an IPv4 prefix" -f $prefix) -Category 'InvalidArgument') }
    Set-HvActivity -Context $Context -Step 'new-nat' -Cmdlet 'Get-NetNat'
    if (-not (Test-HvCommand -Command 'Get-NetNat')) { throw (New-HvError -Step 'new-nat' -Cmdlet 'Get-NetNat' -Message 'this host has no NetNat module (Windows Server 2016 and later have it): a lab network with nat cannot be made here' -Category 'NotImplemented') }
    # Windows Server 2012 R2's NetNat has no internal prefix (it NATs by interface): not a lab's NAT.
    $nats = @(Get-HvNetNats)
    $canCreate = $false
    if (Test-HvCommandParameter -Command 'New-NetNat' -Parameter 'InternalIPInterfaceAddressPrefix') { $canCreate = $true }
    foreach ($n in $nats) {
        if (Test-HvPrefixHolds -Outer ([string](Get-HvField -Object $n -Name 'InternalIPInterfaceAddressPrefix' -Default '')) -Inner $prefix) { return @{ Created = $false; Name = [string]$n.Name } }
    }
    foreach ($n in $nats) {
        if (Test-HvSameText -A ([string]$n.Name) -B $name) {
            throw (New-HvError -Step 'new-nat' -Cmdlet 'Get-NetNat' -Message ("a NetNat named '{0}' exists for {1}, which does not hold {2}" -f $name, (Get-HvField -Object $n -Name 'InternalIPInterfaceAddressPrefix'), $prefix) -Category 'ResourceExists')
        }
    }
    if (-not $canCreate) { throw (New-HvError -Step 'new-nat' -Cmdlet 'New-NetNat' -Message "this host's New-NetNat has no -InternalIPInterfaceAddressPrefix (Windows Server 2016 and later have it): a lab network with nat cannot be made here" -Category 'NotImplemented') }
    Start-HvStep -Context $Context -Step 'new-nat' -Cmdlet 'New-NetNat' -Detail ('{0} {1}' -f $name, $prefix) -Undo ([ordered]@{ action = 'remove-nat'; name = $name })
    if (Test-HvCommandParameter -Command 'New-NetNat' -Parameter 'InternalIPInterfaceAddressPrefix') { New-NetNat -Name $name -InternalIPInterfaceAddressPrefix $prefix | Out-Null }
    Complete-HvStep -Context $Context
    return @{ Created = $true; Name = $name }
}

# ---- lab-record

function Invoke-HvLabRecordAction {
    param([hashtable]$Context, $Request)
    $runId = Assert-HvRunId (Get-HvRequiredField -Object $Request -Name 'runId' -What 'the run this record belongs to')
    $Context.RunId = $runId
    $lab = Assert-HvLabName (Get-HvRequiredField -Object $Request -Name 'lab' -What 'the lab name')
    $Context.Run = Resolve-HvBegunRun -Context $Context -Request $Request -RunId $runId
    $record = Get-HvField -Object $Request -Name 'record'
    $path = Get-HvLabRecordPath -VmRoot $Context.Run.VmRoot -Lab $lab
    Set-HvActivity -Context $Context -Step 'read-lab-record' -Cmdlet $null
    $previous = $null
    if (Test-HvFile -Path $path) { $previous = [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes((Get-HvProviderPath -Path $path))) }
    $undo = [ordered]@{ action = 'restore-lab-record'; path = $path; previousBase64 = $previous }
    if ($null -eq $record) {
        if ($null -ne $previous) {
            Start-HvStep -Context $Context -Step 'delete-lab-record' -Cmdlet $null -Detail $path -Undo $undo
            [void](Remove-HvStateFile -Kind 'lab-record' -Path $path)
            Remove-HvEmptyLabRecordDir -Dir (Get-HvParentPath -Path $path)
            Complete-HvStep -Context $Context
        }
        $Context.Data = [ordered]@{ lab = $lab; path = $path; written = $false; deleted = ($null -ne $previous) }
        return
    }
    Start-HvStep -Context $Context -Step 'write-lab-record' -Cmdlet $null -Detail $path -Undo $undo
    Write-HvStateFile -Kind 'lab-record' -Path $path -Text (ConvertTo-HvJson -Value $record)
    Complete-HvStep -Context $Context
    $Context.Data = [ordered]@{ lab = $lab; path = $path; written = $true; deleted = $false }
}

# The labs folder goes when its last record does, so that a lab leaves no trace.
function Remove-HvEmptyLabRecordDir {
    param([string]$Dir)
    $dir = $Dir
    if ((Test-HvDirectory -Path $dir) -and (Test-HvDirectoryHasNoFiles -Path $dir)) { Remove-Item -LiteralPath $dir -Recurse -Force }
}

# Every lab record on the host, for facts: {name, record} each (a damaged one: record $null, and an
# error), unrolled for Get-HvFactOrError -List.
function Read-HvLabRecords {
    param([System.Collections.Generic.List[object]]$Errors, [string]$VmRoot)
    $dir = Get-HvLabRecordDir -VmRoot $VmRoot
    if (-not (Test-HvDirectory -Path $dir)) { return }
    foreach ($f in @(Get-ChildItem -LiteralPath $dir -File -Force | Where-Object { $_.Name -like '*.json' } | Sort-Object -Property Name)) {
        $path = Join-HvPath -Parent $dir -Child $f.Name
        $record = $null
        try {
            $record = Read-HvJsonFile -Path $path
            if ($record -isnot [System.Collections.IDictionary]) { throw (New-HvError -Message 'it does not hold a JSON object' -Category 'InvalidData') }
        } catch {
            $record = $null
            $Errors.Add([ordered]@{ fact = 'labRecords'; cmdlet = $null; message = ('the lab record {0} cannot be read: {1}' -f $path, (Get-HvErrorMessage -ErrorRecord $_)); category = 'InvalidData' })
        }
        [ordered]@{ name = [System.IO.Path]::GetFileNameWithoutExtension($f.Name); record = $record }
    }
}

# ---- undo (rollback, recover)

# Performs one lab undo record; returns a short text of what was done. $Pending: the step may not
# have run, which changes nothing here (each undo acts only on what exists, and what it removes was
# checked absent before the step).
function Invoke-HvLabUndo {
    param($Undo, [bool]$Pending)
    $action = [string](Get-HvField -Object $Undo -Name 'action' -Default '')
    switch ($action) {
        'remove-switch' {
            $name = [string](Get-HvField -Object $Undo -Name 'name' -Default '')
            $sw = Find-HvLabSwitch -Name $name -Id ([string](Get-HvField -Object $Undo -Name 'id' -Default ''))
            if ($null -eq $sw) { return ('the switch {0} is already gone' -f $name) }
            Remove-VMSwitch -VMSwitch $sw -Force | Out-Null
            return ('removed switch {0}' -f $sw.Name)
        }
        'remove-ip-address' {
            $alias = [string](Get-HvField -Object $Undo -Name 'interfaceAlias' -Default '')
            $ip = [string](Get-HvField -Object $Undo -Name 'ipAddress' -Default '')
            $address = Find-HvIPAddress -InterfaceAlias $alias -IPAddress $ip
            if ($null -eq $address) { return ('{0} is already gone from {1}' -f $ip, $alias) }
            Remove-NetIPAddress -InputObject $address | Out-Null
            return ('removed {0} from {1}' -f $ip, $alias)
        }
        'remove-nat' {
            $name = [string](Get-HvField -Object $Undo -Name 'name' -Default '')
            $nat = Find-HvNetNat -Name $name
            if ($null -eq $nat) { return ('the NetNat {0} is already gone' -f $name) }
            if (Test-HvCommand -Command 'Remove-NetNat') { Remove-NetNat -InputObject $nat | Out-Null }
            return ('removed NetNat {0}' -f $name)
        }
        'restore-lab-record' {
            $path = [string](Get-HvField -Object $Undo -Name 'path' -Default '')
            $previous = Get-HvField -Object $Undo -Name 'previousBase64'
            if ($null -eq $previous) {
                if (-not (Remove-HvStateFile -Kind 'lab-record' -Path $path)) { return ('{0} is already gone' -f $path) }
                Remove-HvEmptyLabRecordDir -Dir (Get-HvParentPath -Path $path)
                return ('deleted {0}' -f $path)
            }
            Write-HvStateFile -Kind 'lab-record' -Path $path -Bytes ([System.Convert]::FromBase64String([string]$previous))
            return ('put back {0}' -f $path)
        }
        default { throw (New-HvError -Message ("unknown lab undo action '{0}'" -f $action) -Category 'InvalidData') }
    }
}

# ---- lab-teardown: its own run (lock, journal), forward only

function Invoke-HvLabTeardownAction {
    param([hashtable]$Context, $Request)
    $lab = Assert-HvLabName (Get-HvRequiredField -Object $Request -Name 'lab' -What 'the lab name')
    $includeExternal = Test-HvTrue (Get-HvField -Object $Request -Name 'includeExternal')
    $removed = New-Object System.Collections.Generic.List[object]
    $kept = New-Object System.Collections.Generic.List[object]
    $absent = New-Object System.Collections.Generic.List[object]
    $restored = New-Object System.Collections.Generic.List[object]
    $change = Start-HvHostChange -Context $Context -Request $Request
    try {
        # A lab may have several internal networks: each has its gateway address, and its NAT where the host allows more than one.
        foreach ($nat in @(Get-HvField -Object $Request -Name 'nats' -Default @())) {
            if ($null -eq $nat) { continue }
            Remove-HvLabNat -Context $Context -Name ([string](Get-HvRequiredField -Object $nat -Name 'name' -What 'the NAT name')) -Removed $removed -Absent $absent
        }
        foreach ($address in @(Get-HvField -Object $Request -Name 'addresses' -Default @())) {
            if ($null -eq $address) { continue }
            Remove-HvLabAddress -Context $Context -InterfaceAlias ([string](Get-HvRequiredField -Object $address -Name 'interfaceAlias' -What 'the address adapter')) -IPAddress ([string](Get-HvRequiredField -Object $address -Name 'ipAddress' -What 'the address')) -Removed $removed -Absent $absent
        }
        $removedSwitches = New-Object System.Collections.Generic.List[string]
        foreach ($s in @(Get-HvField -Object $Request -Name 'switches' -Default @())) {
            if ($null -eq $s) { continue }
            $gone = Remove-HvLabSwitch -Context $Context -Entry $s -IncludeExternal $includeExternal -Removed $removed -Kept $kept -Absent $absent
            if ($gone) { $removedSwitches.Add([string](Get-HvField -Object $s -Name 'name')) }
        }
        Start-HvAdapterBatch -Context $Context
        foreach ($r in @(Get-HvField -Object $Request -Name 'hostSettings' -Default @())) {
            if ($null -eq $r -or [string](Get-HvField -Object $r -Name 'action' -Default '') -ne 'set') { continue }
            Restore-HvLabHostSetting -Context $Context -Record $r -Restored $restored -Kept $kept -Absent $absent
        }
        $restarted = @(Complete-HvAdapterBatch -Context $Context)
        Remove-HvNetOriginals -Context $Context -VmRoot $change.VmRoot -Restored $restored.ToArray() -RemovedSwitches $removedSwitches.ToArray()
        $path = Get-HvLabRecordPath -VmRoot $change.VmRoot -Lab $lab
        # A switch the lab made and kept (a VM still uses it, or it is external): the record stays,
        # so that the next teardown still knows the switch is the lab's and finishes the job.
        $keptSwitches = @($kept.ToArray() | Where-Object { [string]$_.kind -eq 'switch' })
        if ($keptSwitches.Count -gt 0) {
            $kept.Add([ordered]@{ kind = 'lab-record'; name = $lab; reason = 'kept while the lab still has a switch on this host' })
        } else {
            Start-HvStep -Context $Context -Step 'delete-lab-record' -Cmdlet $null -Detail $path
            if (Remove-HvStateFile -Kind 'lab-record' -Path $path) { $removed.Add([ordered]@{ kind = 'lab-record'; name = $lab }) } else { $absent.Add([ordered]@{ kind = 'lab-record'; name = $lab }) }
            Remove-HvEmptyLabRecordDir -Dir (Get-HvParentPath -Path $path)
            Complete-HvStep -Context $Context
        }
        Complete-HvHostChange -Context $Context -Change $change
    } catch {
        # Forward only: what was removed stays removed (running the teardown again finishes it);
        # the journal goes and the lock is released, and the answer says how far it got.
        $failure = $_
        $Context.Data = New-HvTeardownAnswer -Context $Context -Removed $removed -Kept $kept -Absent $absent -Restored $restored -Restarted @()
        try { Complete-HvHostChange -Context $Context -Change $change } catch { }
        throw $failure
    }
    $Context.Data = New-HvTeardownAnswer -Context $Context -Removed $removed -Kept $kept -Absent $absent -Restored $restored -Restarted $restarted
}

function New-HvTeardownAnswer {
    param([hashtable]$Context, $Removed, $Kept, $Absent, $Restored, $Restarted)
    return [ordered]@{ removed = $Removed.ToArray(); kept = $Kept.ToArray(); absent = $Absent.ToArray(); restored = $Restored.ToArray(); restartedAdapters = @($Restarted); warnings = $Context.Warnings.ToArray() }
}

function Remove-HvLabNat {
    param([hashtable]$Context, [string]$Name, $Removed, $Absent)
    Set-HvActivity -Context $Context -Step 'remove-nat' -Cmdlet 'Get-NetNat'
    $nat = Find-HvNetNat -Name $Name
    if ($null -eq $nat) { $Absent.Add([ordered]@{ kind = 'nat'; name = $Name }); return }
    Start-HvStep -Context $Context -Step 'remove-nat' -Cmdlet 'Remove-NetNat' -Detail $Name
    if (Test-HvCommand -Command 'Remove-NetNat') { Remove-NetNat -InputObject $nat | Out-Null }
    Complete-HvStep -Context $Context
    $Removed.Add([ordered]@{ kind = 'nat'; name = $Name })
}

function Remove-HvLabAddress {
    param([hashtable]$Context, [string]$InterfaceAlias, [string]$IPAddress, $Removed, $Absent)
    $label = '{0} on {1}' -f $IPAddress, $InterfaceAlias
    Set-HvActivity -Context $Context -Step 'remove-address' -Cmdlet 'Get-NetIPAddress'
    $a = Find-HvIPAddress -InterfaceAlias $InterfaceAlias -IPAddress $IPAddress
    if ($null -eq $a) { $Absent.Add([ordered]@{ kind = 'address'; name = $label }); return }
    Start-HvStep -Context $Context -Step 'remove-address' -Cmdlet 'Remove-NetIPAddress' -Detail $label
    Remove-NetIPAddress -InputObject $a | Out-Null
    Complete-HvStep -Context $Context
    $Removed.Add([ordered]@{ kind = 'address'; name = $label })
}

# One switch the lab created: removed, unless a VM still uses it or it is external (and
# includeExternal is not given), which keep it with a warning. A switch of the name with another id
# is not the lab's and is never touched. Returns $true when it was removed.
function Remove-HvLabSwitch {
    param([hashtable]$Context, $Entry, [bool]$IncludeExternal, $Removed, $Kept, $Absent)
    $name = [string](Get-HvRequiredField -Object $Entry -Name 'name' -What 'the switch name')
    $id = [string](Get-HvField -Object $Entry -Name 'id' -Default '')
    Set-HvActivity -Context $Context -Step 'remove-switch' -Cmdlet 'Get-VMSwitch'
    $sw = Find-HvLabSwitch -Name $name -Id $id
    if ($null -eq $sw) {
        $other = Find-HvSwitch -Name $name
        if ($null -ne $other) {
            $reason = "a switch named '{0}' exists with id {1}, not the lab's {2}: it is not the one the lab created" -f $name, (Get-HvField -Object $other -Name 'Id'), $id
            $Kept.Add([ordered]@{ kind = 'switch'; name = $name; reason = $reason })
            Add-HvWarning -Context $Context -Code 'lab-switch-kept' -Setting $name -Message $reason
        } else {
            $Absent.Add([ordered]@{ kind = 'switch'; name = $name })
        }
        return $false
    }
    $type = [string](Get-HvField -Object $sw -Name 'SwitchType' -Default (Get-HvField -Object $Entry -Name 'type' -Default ''))
    $reason = $null
    if ((Test-HvSameText -A $type -B 'External') -and -not $IncludeExternal) {
        $reason = "switch '{0}' is external (bound to a physical NIC): it is removed only with includeExternal" -f $name
    } else {
        Set-HvActivity -Context $Context -Step 'remove-switch' -Cmdlet 'Get-VMNetworkAdapter'
        $users = Get-HvSwitchUsers -Switch $sw
        if ($users.Count -gt 0) { $reason = "switch '{0}' is still used by {1}" -f $name, ($users -join ', ') }
    }
    if ($null -ne $reason) {
        $Kept.Add([ordered]@{ kind = 'switch'; name = $name; reason = $reason })
        Add-HvWarning -Context $Context -Code 'lab-switch-kept' -Setting $name -Message $reason
        return $false
    }
    Start-HvStep -Context $Context -Step 'remove-switch' -Cmdlet 'Remove-VMSwitch' -Detail $name
    Remove-VMSwitch -VMSwitch $sw -Force | Out-Null
    Complete-HvStep -Context $Context
    $Removed.Add([ordered]@{ kind = 'switch'; name = $name })
    return $true
}

# One host setting the lab's begin set (a begin hostSettings record, action 'set'): put back to
# the value it had before, through the one door (Restore-HvHostSetting), while it still holds the
# value the lab set; a setting changed since is kept as it is, and one already back at its value, or
# whose adapter is gone (the host's vEthernet of a removed switch), has nothing to put back.
function Restore-HvLabHostSetting {
    param([hashtable]$Context, $Record, $Restored, $Kept, $Absent)
    $setting = [string](Get-HvField -Object $Record -Name 'setting' -Default '')
    $adapter = [string](Get-HvField -Object $Record -Name 'adapter' -Default '')
    $keyword = [string](Get-HvField -Object $Record -Name 'keyword' -Default '')
    $undo = ConvertTo-HvNetSettingUndo -Setting $setting -Adapter $adapter -Keyword $keyword -Original (Get-HvField -Object $Record -Name 'previous')
    $parsed = ConvertFrom-HvHostSettingUndo -Undo $undo
    $name = Format-HvHostSettingName -Kind $parsed.Kind -Target $parsed.Target
    Set-HvActivity -Context $Context -Step ('restore-' + $setting) -Cmdlet $script:HvHostSettingKinds[$parsed.Kind].ReadCmdlet
    $state = Read-HvHostSetting -Kind $parsed.Kind -Target $parsed.Target
    if ($null -eq $state) { $Absent.Add([ordered]@{ kind = 'host-setting'; name = $name }); return }
    # Put back already (an earlier teardown): nothing to do.
    if (Test-HvHostSettingValue -Kind $parsed.Kind -Current $state.Current -Value $parsed.Value) { $Absent.Add([ordered]@{ kind = 'host-setting'; name = $name }); return }
    $labValue = Get-HvField -Object $Record -Name 'value'
    if ($parsed.Kind -eq 'vmq') { $labValue = Test-HvTrue $labValue } else { $labValue = [string]$labValue }
    if (-not (Test-HvHostSettingValue -Kind $parsed.Kind -Current $state.Current -Value $labValue)) {
        $reason = '{0} is {1} now, not the {2} the lab set: left as it is' -f $name, $state.Current, $labValue
        $Kept.Add([ordered]@{ kind = 'host-setting'; name = $name; reason = $reason })
        Add-HvWarning -Context $Context -Code 'lab-setting-kept' -Setting $name -Message $reason
        return
    }
    $result = Restore-HvHostSetting -Undo $undo -Context $Context -Step ('restore-' + $setting)
    $Restored.Add([ordered]@{ setting = $setting; adapter = $(if ($adapter.Length -gt 0) { $adapter } else { $null }); keyword = $(if ($keyword.Length -gt 0) { $keyword } else { $null }); previous = $result.Previous; value = $result.Value; name = $name })
}
