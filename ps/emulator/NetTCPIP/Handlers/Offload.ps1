# Get/Set-NetOffloadGlobalSetting (TCP Chimney and the other global offloads).

$script:OffloadKeys = [ordered]@{
    ReceiveSideScaling = 'receiveSideScaling'; ReceiveSegmentCoalescing = 'receiveSegmentCoalescing'; Chimney = 'chimney'
    TaskOffload = 'taskOffload'; NetworkDirect = 'networkDirect'; NetworkDirectAcrossIPSubnets = 'networkDirectAcrossIPSubnets'
    PacketCoalescingFilter = 'packetCoalescingFilter'
}

function ConvertTo-OffloadObject {
    param($Offload)
    $props = [ordered]@{}
    foreach ($k in $script:OffloadKeys.Keys) { $props[$k] = [string]$Offload[$script:OffloadKeys[$k]] }
    Add-CimTypeName -Namespace 'ROOT/StandardCimv2' -Class 'MSFT_NetOffloadGlobalSetting' -Properties $props
}

$script:Handlers['Get-NetOffloadGlobalSetting'] = {
    param($Ctx)
    $offload = $Ctx.State.offload
    foreach ($k in $script:OffloadKeys.Keys) {
        if ((Test-Bound $Ctx $k) -and @($Ctx.Parameters[$k]) -notcontains [string]$offload[$script:OffloadKeys[$k]]) {
            Stop-HvEmulatorCommand -Message "No MSFT_NetOffloadGlobalSetting objects found with property '$k' equal to '$(@($Ctx.Parameters[$k]) -join ', ')'.  Verify the value of the property and retry." -Category ObjectNotFound -ErrorId "CmdletizationQuery_NotFound_$k"
        }
    }
    ConvertTo-OffloadObject $offload
}

$script:Handlers['Set-NetOffloadGlobalSetting'] = {
    param($Ctx)
    $offload = $Ctx.State.offload
    foreach ($k in $script:OffloadKeys.Keys) {
        if (Test-Bound $Ctx $k) {
            # Normalise the case to the enum's spelling (ValidateSet is case-insensitive).
            $offload[$script:OffloadKeys[$k]] = (Get-Culture).TextInfo.ToTitleCase(([string]$Ctx.Parameters[$k]).ToLowerInvariant())
        }
    }
    if (Get-Bound $Ctx 'PassThru') { ConvertTo-OffloadObject $offload }
}
