# Host operating systems the emulator can play, and the integration-service catalog.

# version/build/caption per hvguest host OS name; configuration versions per
# docs/hyperv-facts.md, 'Configuration versions' (2016+ from Get-VMHostSupportedVersion lists).
# icVersion: the integration services on the host's vmguest.iso (hosts up to 2012 R2), the RTM
# builds: 2008 6.0.6001.18016 (the Hyper-V RTM update), 2008 R2 SP1 6.1.7601.17514, 2012
# 6.2.9200.16384, 2012 R2 6.3.9600.16384 (not sourced from Microsoft documentation; the emulator
# only compares them).
$script:HostProfiles = [ordered]@{
    'windows-server-2008'   = @{ icVersion = '6.0.6001.18016'; version = '6.0.6001'; caption = 'Microsoft Windows Server 2008 Enterprise'; configurationVersions = @('2.0'); defaultVersion = '2.0' }
    'windows-server-2008r2' = @{ icVersion = '6.1.7601.17514'; version = '6.1.7601'; caption = 'Microsoft Windows Server 2008 R2 Enterprise'; configurationVersions = @('3.0'); defaultVersion = '3.0' }
    'windows-server-2012'   = @{ icVersion = '6.2.9200.16384'; version = '6.2.9200'; caption = 'Microsoft Windows Server 2012 Datacenter'; configurationVersions = @('4.0'); defaultVersion = '4.0' }
    'windows-server-2012r2' = @{ icVersion = '6.3.9600.16384'; version = '6.3.9600'; caption = 'Microsoft Windows Server 2012 R2 Datacenter'; configurationVersions = @('5.0'); defaultVersion = '5.0' }
    'windows-server-2016'   = @{ version = '10.0.14393'; caption = 'Microsoft Windows Server 2016 Datacenter'; configurationVersions = @('5.0', '6.2', '7.0', '7.1', '8.0'); defaultVersion = '8.0' }
    'windows-server-2019'   = @{ version = '10.0.17763'; caption = 'Microsoft Windows Server 2019 Datacenter'; configurationVersions = @('5.0', '6.2', '7.0', '7.1', '8.0', '8.1', '8.2', '8.3', '9.0'); defaultVersion = '9.0' }
    'windows-server-2022'   = @{ version = '10.0.20348'; caption = 'Microsoft Windows Server 2022 Datacenter'; configurationVersions = @('5.0', '6.2', '7.0', '7.1', '8.0', '8.1', '8.2', '8.3', '9.0', '9.1', '9.2', '9.3', '10.0'); defaultVersion = '10.0' }
    'windows-server-2025'   = @{ version = '10.0.26100'; caption = 'Microsoft Windows Server 2025 Datacenter'; configurationVersions = @('8.0', '8.1', '8.2', '8.3', '9.0', '9.1', '9.2', '9.3', '10.0', '11.0', '12.0'); defaultVersion = '12.0' }
    'windows-10'            = @{ version = '10.0.19045'; caption = 'Microsoft Windows 10 Pro'; configurationVersions = @('5.0', '6.2', '7.0', '7.1', '8.0', '8.1', '8.2', '8.3', '9.0', '9.1', '9.2', '9.3', '10.0'); defaultVersion = '10.0' }
    'windows-11'            = @{ version = '10.0.22631'; caption = 'Microsoft Windows 11 Pro'; configurationVersions = @('8.0', '8.1', '8.2', '8.3', '9.0', '9.1', '9.2', '9.3', '10.0', '11.0'); defaultVersion = '11.0' }
}

# GUIDs from ps/emulator/reference/hyperv-cmdlets.json integrationServices; names are localized.
$script:IntegrationServices = @(
    [ordered]@{ guid = '6C09BB55-D683-4DA0-8931-C9BF705F6480'; enabledByDefault = $false; names = @{ 'en-US' = 'Guest Service Interface'; 'de-DE' = 'Gastdienstschnittstelle' } }
    [ordered]@{ guid = '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47'; enabledByDefault = $true; names = @{ 'en-US' = 'Heartbeat'; 'de-DE' = 'Takt' } }
    [ordered]@{ guid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'; enabledByDefault = $true; names = @{ 'en-US' = 'Key-Value Pair Exchange'; 'de-DE' = 'Austausch von Schlüssel-Wert-Paaren' } }
    [ordered]@{ guid = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'; enabledByDefault = $true; names = @{ 'en-US' = 'Shutdown'; 'de-DE' = 'Herunterfahren des Betriebssystems' } }
    [ordered]@{ guid = '2497F4DE-E9FA-4204-80E4-4B75C46419C0'; enabledByDefault = $true; names = @{ 'en-US' = 'Time Synchronization'; 'de-DE' = 'Zeitsynchronisierung' } }
    [ordered]@{ guid = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'; enabledByDefault = $true; names = @{ 'en-US' = 'VSS'; 'de-DE' = 'Sicherung (Volumeschattenkopie)' } }
)
