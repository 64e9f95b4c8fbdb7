@{
    RootModule           = 'HvGuest.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b8a52-3f8e-4b0e-9a57-2c1d7c4e8a11'
    Author               = 'hvguest'
    Description          = 'hvguest runtime: executes a plan (as data) on a Hyper-V host. See docs/execution.md.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @('Invoke-HvGuestRequest')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
