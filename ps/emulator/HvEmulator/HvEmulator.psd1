@{
    RootModule        = 'HvEmulator.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '5d0c7a3e-2f6b-4c1e-9a8d-6b1f0e4c2a71'
    Author            = 'hvguest'
    Description       = 'Core of the hvguest emulated Hyper-V host: the state file, Windows path mapping, fault injection, host facts, and the dispatcher behind every emulated cmdlet.'
    PowerShellVersion = '7.2'
    FunctionsToExport = @(
        'Initialize-HvEmulator',
        'New-HvEmulatorState',
        'Get-HvEmulatorState',
        'Invoke-HvEmulatorCommand',
        'Stop-HvEmulatorCommand',
        'Write-HvEmulatorError',
        'Get-HvEmulatorCluster',
        'ConvertTo-HvEmulatorLocalPath',
        'ConvertTo-HvEmulatorWindowsPath',
        'Get-HvEmulatorHostProfile',
        'Get-HvEmulatorIntegrationServiceCatalog',
        'New-HvEmulatorVirtualAdapterRecord',
        'New-HvEmulatorImage',
        'New-HvEmulatorMedia',
        'Read-HvIsoImage',
        'Reset-HvEmulatorFault',
        'Save-HvEmulatorSnapshot',
        'Restore-HvEmulatorSnapshot'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
