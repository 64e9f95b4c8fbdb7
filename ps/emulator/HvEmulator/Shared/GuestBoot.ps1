# What happens inside an emulated VM when Start-VM powers it on: the firmware walks its boot
# devices, and the guest it finds gets (or does not get) what makes it answer Hyper-V. The result
# is the VM's "guest" record (docs/emulator-guests.md): when it booted, from what, which OS with
# which host name, packages and integration services, and short notes that say why. The decision
# comes only from what the guest received: the boot disk's image, the media in its drives and the
# first-boot files on them. What the guest writes to its boot disk (an installation, cloud-init's
# first boot, Windows' specialize pass) goes into that disk's header, so the next start sees it.
#
# Shared: dot-sourced through HandlerHelpers.ps1 by the emulated modules (Start-VM).

function Format-DriveSlot {
    param($Drive)
    "$($Drive.controllerType) $($Drive.controllerNumber):$($Drive.controllerLocation)"
}

function Get-SortedDrives {
    # Drives in the order firmware enumerates them: IDE before SCSI, then controller, location.
    param($Drives)
    @(@($Drives) | Where-Object { $null -ne $_ } | Sort-Object -Property @{ Expression = { if ($_.controllerType -eq 'IDE') { 0 } else { 1 } } }, @{ Expression = { [int]$_.controllerNumber } }, @{ Expression = { [int]$_.controllerLocation } })
}

function Get-RandomComputerName {
    # Windows names a machine WIN-<11 characters> when the answer file gives none (or '*'); here
    # the characters come from the VM id, so the name is stable.
    param([string]$Seed)
    $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($Seed))
    'WIN-' + (-join (0..10 | ForEach-Object { $alphabet[$hash[$_] % $alphabet.Length] }))
}

function Invoke-GuestBoot {
    <#
    Powers the guest on. Returns @{ Guest = the vm.guest record; PowerOff = $true when the guest
    turned itself off (a kickstart ending in poweroff) }. Writes the boot disk's header when the
    guest installs or configures itself.
    #>
    param($State, [string]$StatePath, $Vm, [datetime]$Now, $HostProfile)
    $boot = [pscustomobject]@{
        State = $State; StatePath = $StatePath; Vm = $Vm; HostProfile = $HostProfile
        Notes = [System.Collections.Generic.List[string]]::new()
        Guest = [ordered]@{
            bootedAt = $Now.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)
            bootedFrom = $null; os = $null; hostname = $null; fqdn = $null; software = @(); integrationServicesVersion = $null; network = $null; notes = @()
        }
        PowerOff = $false
        Media = @()
    }
    $boot.Media = @(foreach ($d in (Get-SortedDrives $Vm.dvdDrives)) {
            if (-not $d.path) { continue }
            $local = try { ConvertTo-HvEmulatorLocalPath -Path ([string]$d.path) -State $State -StatePath $StatePath } catch { $null }
            Get-MediaInfo -Slot (Format-DriveSlot $d) -WindowsPath ([string]$d.path) -LocalPath $local
        })
    foreach ($m in $boot.Media) {
        if ($m.Type -in 'missing', 'unreadable') { $boot.Notes.Add("$($m.Slot) $($m.Path): $($m.Problem)") }
    }
    $bootDisk = Get-BootDisk -Vm $Vm
    $found = Find-BootDevice -Boot $boot -BootDisk $bootDisk
    if ($found.Kind -eq 'dvd') {
        Invoke-InstallerBoot -Boot $boot -Media $found.Media -BootDisk $bootDisk
    }
    elseif ($found.Kind -eq 'disk') {
        Start-InstalledSystem -Boot $boot -Disk $found.Disk -Slot $found.Slot
    }
    else {
        $boot.Notes.Add("nothing to boot: $($found.Tried -join '; ')")
    }
    Add-GuestNetworkNotes -Boot $boot
    Add-GuestCapabilityNotes -Boot $boot
    $boot.Guest.notes = $boot.Notes.ToArray()
    @{ Guest = $boot.Guest; PowerOff = $boot.PowerOff }
}

function Get-BootDisk {
    # The disk the firmware boots and an installer installs to: IDE 0:0 on Generation 1 (the only
    # IDE hard disk its BIOS boots); on Generation 2 the first hard disk of the firmware boot
    # order, else the first SCSI hard disk. $null when there is none (or it is a pass-through disk).
    param($Vm)
    $disks = @(Get-SortedDrives $Vm.hardDrives)
    if ([int]$Vm.generation -eq 1) {
        $d = $disks | Where-Object { $_.controllerType -eq 'IDE' -and [int]$_.controllerNumber -eq 0 -and [int]$_.controllerLocation -eq 0 } | Select-Object -First 1
    }
    else {
        $d = $null
        foreach ($entry in @($Vm.firmware.bootOrder)) {
            if ([string]$entry -match '^Drive:SCSI (\d+):(\d+)$') {
                $d = $disks | Where-Object { $_.controllerType -eq 'SCSI' -and [int]$_.controllerNumber -eq [int]$Matches[1] -and [int]$_.controllerLocation -eq [int]$Matches[2] } | Select-Object -First 1
                if ($d) { break }
            }
        }
        if (-not $d) { $d = $disks | Where-Object { $_.controllerType -eq 'SCSI' } | Select-Object -First 1 }
    }
    if (-not $d) { return $null }
    [pscustomobject]@{ Slot = Format-DriveSlot $d; Path = $(if ($d.path) { [string]$d.path } else { $null }); DiskNumber = $d.diskNumber }
}

function Find-BootDevice {
    # The firmware's walk. Generation 1 follows bios.startupOrder: CD = every DVD drive in IDE
    # order (0:0, 0:1, 1:0, 1:1), the first holding bootable media wins (an installer; seeds,
    # vmguest.iso and LIS media are not bootable); IDE = the boot disk at IDE 0:0;
    # LegacyNetworkAdapter = PXE, which no emulated switch answers; Floppy = nothing the emulator
    # boots. Generation 2 follows firmware.bootOrder (empty: hard disks, then DVD drives).
    param($Boot, $BootDisk)
    $vm = $Boot.Vm
    $tried = [System.Collections.Generic.List[string]]::new()
    $entries = [System.Collections.Generic.List[object]]::new()
    if ([int]$vm.generation -eq 1) {
        foreach ($device in @($vm.bios.startupOrder)) { $entries.Add(@{ Type = [string]$device }) }
    }
    else {
        foreach ($entry in @($vm.firmware.bootOrder)) {
            if ([string]$entry -match '^Dvd:SCSI (\d+):(\d+)$') { $entries.Add(@{ Type = 'CD'; Slot = "SCSI $($Matches[1]):$($Matches[2])" }) }
            elseif ([string]$entry -match '^Drive:SCSI (\d+):(\d+)$') { $entries.Add(@{ Type = 'IDE'; Slot = "SCSI $($Matches[1]):$($Matches[2])" }) }
            elseif ([string]$entry -like 'NetworkAdapter:*') { $entries.Add(@{ Type = 'LegacyNetworkAdapter' }) }
        }
        if ($entries.Count -eq 0) { $entries.Add(@{ Type = 'IDE' }); $entries.Add(@{ Type = 'CD' }) }
    }
    foreach ($entry in $entries) {
        switch ($entry['Type']) {
            'CD' {
                $candidates = @($Boot.Media | Where-Object { -not $entry['Slot'] -or $_.Slot -eq $entry['Slot'] })
                $bootable = $candidates | Where-Object { $_.Bootable } | Select-Object -First 1
                if ($bootable) { return @{ Kind = 'dvd'; Media = $bootable } }
                $what = @($candidates | ForEach-Object { "$($_.Slot) $(Format-MediaShort $_)" })
                $tried.Add("CD: no bootable disc$(if ($what.Count) { ' (' + ($what -join ', ') + ')' } else { ' (no media in the DVD drives)' })")
            }
            'IDE' {
                if ($entry['Slot'] -and (-not $BootDisk -or $BootDisk.Slot -ne $entry['Slot'])) { $tried.Add("$($entry['Slot']): not a hard disk with a system"); continue }
                if (-not $BootDisk) { $tried.Add($(if ([int]$vm.generation -eq 1) { 'IDE: no hard disk at IDE 0:0' } else { 'no SCSI hard disk' })); continue }
                if (-not $BootDisk.Path) { $tried.Add("$($BootDisk.Slot): a pass-through disk, whose contents the emulator does not know"); continue }
                $disk = Resolve-DiskImage -State $Boot.State -StatePath $Boot.StatePath -WindowsPath $BootDisk.Path
                switch ($disk.Kind) {
                    'image' { return @{ Kind = 'disk'; Disk = $disk; Slot = $BootDisk.Slot } }
                    'blank' { $tried.Add("$($BootDisk.Slot): $($BootDisk.Path) is blank (no boot sector)") }
                    'missing' { $tried.Add("$($BootDisk.Slot): $($BootDisk.Path) or a parent disk is missing") }
                    default { $tried.Add("$($BootDisk.Slot): $($BootDisk.Path) has no emulator image record (an image copied in): the emulator cannot tell what it boots") }
                }
            }
            'LegacyNetworkAdapter' {
                $legacy = @(@($vm.networkAdapters) | Where-Object { $null -ne $_ -and ($_.isLegacy -or [int]$vm.generation -eq 2) -and $_.switchName })
                if ($legacy.Count) { $tried.Add("PXE on switch '$($legacy[0].switchName)': no boot server answered") }
                else { $tried.Add($(if ([int]$vm.generation -eq 1) { 'LegacyNetworkAdapter: no connected legacy network adapter' } else { 'network: no connected adapter' })) }
            }
            'Floppy' {
                if ($vm.Contains('floppy') -and $vm.floppy -and $vm.floppy.path) { $tried.Add("Floppy: $($vm.floppy.path) is not a disk the emulator boots") }
                else { $tried.Add('Floppy: empty') }
            }
        }
    }
    @{ Kind = $null; Tried = $tried.ToArray() }
}

function Format-MediaShort {
    param($Media)
    switch ($Media.Type) {
        'emulator' {
            switch ($Media.Kind) {
                'installer' { return "installer ($(Format-GuestOs $Media.Os))" }
                'integration-services' { return "integration services setup $($Media.Version)" }
                'linux-integration-services' { return "Linux Integration Services $($Media.Version)" }
                default { return "media of kind '$($Media.Kind)'" }
            }
        }
        'iso9660' { return "ISO 9660 '$($Media.VolumeId)'$(if ($Media.Bootable) { ' (bootable)' })" }
        default { return 'unreadable media' }
    }
}

function Test-SecureBootRejects {
    # Generation 2 with Secure Boot and the MicrosoftWindows template refuses Linux boot loaders
    # (Linux needs MicrosoftUEFICertificateAuthority) [RH note 14][UBU note 11].
    param($Boot, $Os)
    $vm = $Boot.Vm
    if ([int]$vm.generation -ne 2 -or $null -eq $Os -or $Os['family'] -ne 'linux') { return $false }
    if ([string]$vm.firmware.secureBoot -ne 'On' -or [string]$vm.firmware.secureBootTemplate -ne 'MicrosoftWindows') { return $false }
    $Boot.Notes.Add("Secure Boot with the MicrosoftWindows template rejects the $(Format-GuestOs $Os) boot loader: use -SecureBootTemplate MicrosoftUEFICertificateAuthority or turn Secure Boot off")
    $true
}

function Start-InstalledSystem {
    # The OS on the boot disk starts: its first boot reads cloud-init seeds (Linux) or an answer
    # file (a generalized Windows image); a later boot is the system as it was left.
    param($Boot, $Disk, [string]$Slot)
    $image = $Disk.Image
    $os = $image['os']
    if (Test-SecureBootRejects -Boot $Boot -Os $os) { return }
    $guest = $Boot.Guest
    $guest.bootedFrom = "$Slot $($Disk.Path)"
    $guest.os = $os
    $software = [System.Collections.Generic.List[string]]::new()
    foreach ($s in @($image['software'])) { if ($s) { $software.Add([string]$s) } }
    $changes = [ordered]@{}
    if ($os['family'] -eq 'windows') {
        $facts = $script:WindowsGuests[[string]$os['version']]
        $ic = if ($image['integrationServicesVersion']) { [string]$image['integrationServicesVersion'] } else { $facts.inbox }
        # Integration services cabs serviced into the image offline (Add-WindowsPackage) [B13].
        $cab = @($Disk.Packages | Where-Object { $_ -match '(?i)HyperVIntegrationServices' }) | Select-Object -First 1
        if ($cab -and $Boot.HostProfile.VmGuestIsoVersion -and (-not $ic -or (ConvertTo-ComparableVersion $Boot.HostProfile.VmGuestIsoVersion) -gt (ConvertTo-ComparableVersion $ic))) {
            $ic = [string]$Boot.HostProfile.VmGuestIsoVersion
            $Boot.Notes.Add("integration services $ic serviced into the image ($cab)")
        }
        $hostname = if ($image['hostname']) { [string]$image['hostname'] } else { Get-RandomComputerName -Seed ([string]$Boot.Vm.id) }
        # What the specialize pass configured stays in the system; without one, every adapter DHCP.
        $network = if ($image['network']) { $image['network'] } else { New-GuestNetworkRecord -Source $null -Parsed $null -Windows $true }
        if ($image['generalized']) {
            $specialized = Invoke-WindowsSpecialize -Boot $Boot -CurrentIc $ic
            if ($specialized) {
                $hostname = $specialized.hostname
                $ic = $specialized.ic
                $changes['generalized'] = $false
                $changes['hostname'] = $hostname
                if ($ic) { $changes['integrationServicesVersion'] = $ic }
                $network = New-GuestNetworkRecord -Source $specialized.source -Parsed $specialized.network -Windows $true
                $changes['network'] = $network
            }
        }
        $guest.network = $network
        $guest.hostname = $hostname
        $guest.fqdn = $hostname
        $guest.integrationServicesVersion = $ic
    }
    else {
        $facts = $script:LinuxGuests[[string]$os['distro']]
        $guest.hostname = if ($image['hostname']) { [string]$image['hostname'] } else { $facts.hostname }
        $guest.fqdn = if ($image['fqdn']) { [string]$image['fqdn'] } else { $null }
        $cidata = $Boot.Media | Where-Object { $_.Type -eq 'iso9660' -and [string]$_.VolumeId -ieq 'cidata' } | Select-Object -First 1
        # What an installer or an earlier cloud-init wrote stays; without it, the first NIC by DHCP.
        $guest.network = if ($image['network']) { $image['network'] } else { New-GuestNetworkRecord -Source $null -Parsed $null -Windows $false }
        if ($software -contains 'cloud-init') {
            $result = Invoke-CloudInit -Boot $Boot -Cidata $cidata -Image $image
            if ($result) {
                # Only what was not there yet goes into the disk (a package the image has is kept).
                $added = [System.Collections.Generic.List[string]]::new()
                foreach ($p in $result.packages) { if (-not $software.Contains($p)) { $software.Add($p); $added.Add($p) } }
                $guest.hostname = $result.hostname
                $guest.fqdn = $result.fqdn
                $changes['software'] = $added.ToArray()
                $changes['hostname'] = $result.hostname
                if ($result.fqdn) { $changes['fqdn'] = $result.fqdn }
                $changes['cloudInit'] = [ordered]@{ instanceId = $result.instanceId }
                if ($result.network) {
                    $guest.network = $result.network
                    $changes['network'] = $result.network
                }
            }
        }
        elseif ($cidata) {
            $Boot.Notes.Add("the image has no cloud-init: the cidata seed on $($cidata.Slot) is not read")
        }
        $lis = @($software | Where-Object { $_ -ieq 'microsoft-hyper-v' }).Count -gt 0
        # LIS installed from its media reports the media's version; drivers without it, their own.
        $guest.integrationServicesVersion = if ($lis -and $image['integrationServicesVersion']) { [string]$image['integrationServicesVersion'] } elseif ($lis -or (Test-LinuxBuiltInDrivers $os)) { $script:LinuxBuiltInIcVersion } else { $null }
    }
    $guest.software = $software.ToArray()
    if ($changes.Count -gt 0) {
        Update-DiskImage -LocalPath $Disk.Local -WindowsPath $Disk.Path -Changes $changes
    }
}

function Invoke-CloudInit {
    # cloud-init's NoCloud datasource: a disc labelled cidata with user-data and meta-data. Per
    # instance (instance-id) it sets the host name (user-data hostname, else the first label of
    # fqdn, else meta-data local-hostname) and installs the packages list; the same instance-id
    # on a later boot runs none of that again. Returns the result, or $null when it did nothing.
    param($Boot, $Cidata, $Image)
    if (-not $Cidata) {
        $Boot.Notes.Add('cloud-init found no cidata media (NoCloud): it ran without user data')
        return $null
    }
    $userData = Get-MediaFileText -Media $Cidata -Name 'user-data'
    $metaData = Get-MediaFileText -Media $Cidata -Name 'meta-data'
    if ($null -eq $userData -or $null -eq $metaData) {
        $missing = @(@('user-data', 'meta-data') | Where-Object { $null -eq (Get-MediaFileText -Media $Cidata -Name $_) }) -join ' and '
        $Boot.Notes.Add("cloud-init: the cidata media on $($Cidata.Slot) has no $missing (NoCloud needs both): it ran without user data")
        return $null
    }
    $meta = Read-CloudInitMetaData -Text $metaData
    $instanceId = if ($meta.instanceId) { [string]$meta.instanceId } else { 'nocloud' }
    $previous = if ($Image['cloudInit']) { [string]$Image['cloudInit']['instanceId'] } else { $null }
    if ($previous -and $previous -eq $instanceId) {
        $Boot.Notes.Add("cloud-init: instance '$instanceId' was set up on an earlier boot; its per-instance modules (host name, packages) do not run again")
        return $null
    }
    $config = Read-CloudConfig -Text $userData
    if (-not $config.cloudConfig) {
        $Boot.Notes.Add("cloud-init: user-data on $($Cidata.Slot) does not start with #cloud-config: no packages or host name read from it")
    }
    $hostname = if ($config.hostname) { $config.hostname } elseif ($config.fqdn) { ($config.fqdn -split '\.')[0] } elseif ($meta.localHostname) { [string]$meta.localHostname } elseif ($Image['hostname']) { [string]$Image['hostname'] } else { $script:LinuxGuests[[string]$Image['os']['distro']].hostname }
    $result = [ordered]@{ instanceId = $instanceId; hostname = $hostname; fqdn = $config.fqdn; packages = [string[]]@($config.packages); network = $null }
    # NoCloud's optional third file; cloud-init renders it for the new instance (netplan, ifcfg).
    $networkConfig = Get-MediaFileText -Media $Cidata -Name 'network-config'
    if ($null -ne $networkConfig) {
        $result.network = New-GuestNetworkRecord -Source "network-config on $($Cidata.Slot)" -Parsed (Read-CloudInitNetworkConfig -Text $networkConfig) -Windows $false
    }
    $Boot.Notes.Add("cloud-init (cidata on $($Cidata.Slot), instance '$instanceId'): host name $hostname$(if ($result.packages.Count) { '; installed ' + ($result.packages -join ', ') } else { '; no packages' })$(if ($null -ne $networkConfig) { '; network-config read' })")
    $result
}

function Invoke-WindowsSpecialize {
    # A generalized (sysprepped) Windows image's first boot: the specialize pass reads an answer
    # file from the root of a DVD (autounattend.xml, then unattend.xml, drives in firmware order).
    # Returns {hostname, ic, network, source}, or $null when setup stops (no answer file, or one
    # that does not parse).
    param($Boot, [string]$CurrentIc)
    $answer = $null
    foreach ($m in $Boot.Media) {
        foreach ($name in 'autounattend.xml', 'unattend.xml') {
            $text = Get-MediaFileText -Media $m -Name $name
            if ($null -ne $text) { $answer = @{ Media = $m; Name = $name; Text = $text }; break }
        }
        if ($answer) { break }
    }
    if (-not $answer) {
        $Boot.Notes.Add('the image is generalized and no DVD holds autounattend.xml or unattend.xml: Windows waits at OOBE for someone to answer it')
        return $null
    }
    try { $unattend = Read-UnattendFile -Text $answer.Text }
    catch {
        $Boot.Notes.Add("$($answer.Name) on $($answer.Media.Slot) is not valid XML: Windows setup stops with an error ($($_.Exception.Message))")
        return $null
    }
    $hostname = if ($unattend.computerName -and $unattend.computerName -ne '*') { $unattend.computerName } else { Get-RandomComputerName -Seed ([string]$Boot.Vm.id) }
    $ic = $CurrentIc
    if ($unattend.runsIcSetup) {
        $icMedia = $Boot.Media | Where-Object { $_.Type -eq 'emulator' -and $_.Kind -eq 'integration-services' } | Select-Object -First 1
        if (-not $icMedia) {
            $Boot.Notes.Add("$($answer.Name) runs support\amd64\setup.exe but no integration services media (vmguest.iso) is attached")
        }
        elseif ($ic -and (ConvertTo-ComparableVersion $icMedia.Version) -le (ConvertTo-ComparableVersion $ic)) {
            $Boot.Notes.Add("the integration services setup on $($icMedia.Slot) ($($icMedia.Version)) is not newer than the guest's ${ic}: nothing installed")
        }
        else {
            $ic = [string]$icMedia.Version
            $Boot.Notes.Add("$($answer.Name) ran the integration services setup from $($icMedia.Slot): integration services $ic")
        }
    }
    $Boot.Notes.Add("Windows specialize ($($answer.Name) on $($answer.Media.Slot)): computer name $hostname")
    @{ hostname = $hostname; ic = $ic; network = $unattend.network; source = "$($answer.Name) on $($answer.Media.Slot)" }
}

function Invoke-InstallerBoot {
    # The firmware booted installer media. The installer installs only onto a blank boot disk
    # (made by New-VHD, never written); when the boot disk already holds a system, the emulator
    # takes the installer menu's local-disk entry and boots it (it never installs twice).
    param($Boot, $Media, $BootDisk)
    $os = $Media.Os
    if (Test-SecureBootRejects -Boot $Boot -Os $os) { return }
    $label = "$($Media.Slot) $($Media.Path)"
    $target = if ($BootDisk -and $BootDisk.Path) { Resolve-DiskImage -State $Boot.State -StatePath $Boot.StatePath -WindowsPath $BootDisk.Path } else { $null }
    if ($target -and $target.Kind -eq 'image') {
        $Boot.Notes.Add("installer media on $label; the boot disk already holds $(Format-GuestOs $target.Image['os']): booting it")
        Start-InstalledSystem -Boot $Boot -Disk $target -Slot $BootDisk.Slot
        return
    }
    $Boot.Guest.bootedFrom = "$label (installer)"
    if (-not $target -or $target.Kind -ne 'blank') {
        $why = if (-not $BootDisk) { 'there is no boot disk to install to' } elseif (-not $BootDisk.Path) { 'the boot disk is a pass-through disk' } elseif ($target.Kind -eq 'missing') { "$($BootDisk.Path) is missing" } else { "$($BootDisk.Path) is not blank and the emulator cannot tell what it holds" }
        $Boot.Notes.Add("installer ($(Format-GuestOs $os)) on $label waits: $why")
        return
    }
    if ($os['family'] -eq 'windows') { Invoke-WindowsSetup -Boot $Boot -Media $Media -Target $target -BootDisk $BootDisk; return }
    Invoke-KickstartInstall -Boot $Boot -Media $Media -Target $target -BootDisk $BootDisk
}

function Invoke-KickstartInstall {
    # A Linux installer installs unattended only with a kickstart file: ks.cfg at the root of a
    # disc labelled OEMDRV (the installer booted with its boot hint). %packages are installed;
    # a %post that runs LIS's install.sh installs the LIS media's packages when it is attached.
    param($Boot, $Media, $Target, $BootDisk)
    $os = $Media.Os
    $oemdrv = $Boot.Media | Where-Object { $_.Type -eq 'iso9660' -and [string]$_.VolumeId -ieq 'OEMDRV' -and $null -ne (Get-MediaFileText -Media $_ -Name 'ks.cfg') } | Select-Object -First 1
    if (-not $oemdrv) {
        $Boot.Notes.Add("installer ($(Format-GuestOs $os)) waits at its prompt: no OEMDRV media with ks.cfg")
        return
    }
    $ks = Read-Kickstart -Text (Get-MediaFileText -Media $oemdrv -Name 'ks.cfg')
    $software = [System.Collections.Generic.List[string]]::new()
    foreach ($p in $ks.packages) { $software.Add($p) }
    $ic = $null
    if (Test-KickstartRunsLisInstaller -Post $ks.post) {
        $lis = $Boot.Media | Where-Object { $_.Type -eq 'emulator' -and $_.Kind -eq 'linux-integration-services' } | Select-Object -First 1
        if ($lis) {
            foreach ($p in $lis.Packages) { if (-not $software.Contains($p)) { $software.Add($p) } }
            $ic = $lis.Version
            $Boot.Notes.Add("kickstart %post ran install.sh from the LIS media on $($lis.Slot): installed $($lis.Packages -join ', ')")
        }
        else { $Boot.Notes.Add('kickstart %post runs install.sh but no Linux Integration Services media is attached') }
    }
    $hostname = if ($ks.hostname) { $ks.hostname } else { $script:LinuxGuests[[string]$os['distro']].hostname }
    $image = [ordered]@{ os = $os; software = $software.ToArray(); generalized = $false; hostname = $hostname }
    if ($ic) { $image['integrationServicesVersion'] = $ic }
    # anaconda writes the network commands' configuration into the installed system.
    if ($ks.network) { $image['network'] = New-GuestNetworkRecord -Source "ks.cfg on $($oemdrv.Slot)" -Parsed $ks.network -Windows $false }
    Update-DiskImage -LocalPath $Target.Local -WindowsPath $Target.Path -Changes $image -Partitions 1
    $Boot.Notes.Add("kickstart install ($(Format-GuestOs $os), ks.cfg on $($oemdrv.Slot)) onto $($BootDisk.Slot): host name $hostname$(if ($software.Count) { '; packages ' + ($software -join ', ') })")
    switch ($ks.completion) {
        'reboot' {
            $Boot.Notes.Add('ks.cfg ends with reboot: the installed system boots')
            Start-InstalledSystem -Boot $Boot -Disk (Resolve-DiskImage -State $Boot.State -StatePath $Boot.StatePath -WindowsPath $Target.Path) -Slot $BootDisk.Slot
        }
        { $_ -in 'poweroff', 'shutdown' } {
            $Boot.Notes.Add("ks.cfg ends with $($ks.completion): the virtual machine turned itself off after the installation")
            $Boot.PowerOff = $true
        }
        default {
            $Boot.Notes.Add('the installation finished; the installer waits for a key press to reboot (ks.cfg has no reboot)')
        }
    }
}

function Invoke-WindowsSetup {
    # Windows Setup installs unattended only with autounattend.xml at the root of a DVD; it then
    # reboots into the new system, whose specialize pass reads the same answer file.
    param($Boot, $Media, $Target, $BootDisk)
    $hasAnswer = $Boot.Media | Where-Object { $null -ne (Get-MediaFileText -Media $_ -Name 'autounattend.xml') } | Select-Object -First 1
    if (-not $hasAnswer) {
        $Boot.Notes.Add("Windows Setup ($(Format-GuestOs $Media.Os)) waits at its first page: no DVD holds autounattend.xml")
        return
    }
    Update-DiskImage -LocalPath $Target.Local -WindowsPath $Target.Path -Changes ([ordered]@{ os = $Media.Os; software = @(); generalized = $true }) -Partitions 1
    $Boot.Notes.Add("Windows Setup installed $(Format-GuestOs $Media.Os) onto $($BootDisk.Slot) (autounattend.xml on $($hasAnswer.Slot)) and restarted")
    Start-InstalledSystem -Boot $Boot -Disk (Resolve-DiskImage -State $Boot.State -StatePath $Boot.StatePath -WindowsPath $Target.Path) -Slot $BootDisk.Slot
}

function Add-GuestCapabilityNotes {
    # Why a running guest will not answer some integration service (the services a guest needs,
    # table in docs/emulator-guests.md).
    param($Boot)
    $guest = $Boot.Guest
    if ($null -eq $guest.os) { return }
    $capability = Get-GuestCapability -Guest $guest
    if ($capability.Windows) {
        if (-not $guest.integrationServicesVersion) { $Boot.Notes.Add("no integration services in the guest: $(Format-GuestOs $guest.os) needs the setup from vmguest.iso (support\amd64\setup.exe)") }
        elseif (-not $capability.Fcopy) { $Boot.Notes.Add("integration services $($guest.integrationServicesVersion) have no Guest Service Interface (it came with 6.3, Windows Server 2012 R2)") }
        return
    }
    if (-not $capability.HvUtils) {
        $Boot.Notes.Add("the $(Format-GuestOs $guest.os) kernel has no Hyper-V drivers (hv_utils, hv_netvsc; built in from $($script:LinuxGuests[[string]$guest.os['distro']].name) $($script:LinuxGuests[[string]$guest.os['distro']].minimum)): install Linux Integration Services (microsoft-hyper-v)")
        return
    }
    foreach ($pair in @(@('Kvp', 'kvp', 'hv_kvp_daemon'), @('Vss', 'vss', 'hv_vss_daemon'), @('Fcopy', 'fcopy', 'hv_fcopy_daemon'))) {
        if (-not $capability[$pair[0]]) { $Boot.Notes.Add("no $($pair[2]): $(Get-LinuxDaemonPackageHint -Os $guest.os -Daemon $pair[1])") }
    }
}
