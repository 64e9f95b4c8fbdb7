# host.hyperV: whether the Hyper-V cmdlets work on the emulated host. A host without the role
# (and so without its PowerShell module) answers every Hyper-V cmdlet as PowerShell answers a
# command that does not exist; a user outside Hyper-V's authorization policy gets Hyper-V's own
# permission error. Both fail before the handler runs, so nothing changes. The mode itself is
# read by Shared/HyperVMode.ps1 (the CIM handlers need it too).

function Assert-HvEmulatorHyperV {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary]
        $State,

        [Parameter(Mandatory = $true)]
        [string]
        $Name
    )
    switch (Get-HvEmulatorHyperVMode -State $State) {
        'not-installed' {
            $message = "The term '$Name' is not recognized as a name of a cmdlet, function, script file, or executable program.`nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again."
            $record = [System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.CommandNotFoundException]::new($message), 'CommandNotFoundException',
                [System.Management.Automation.ErrorCategory]::ObjectNotFound, $Name)
            # Thrown, not raised through the cmdlet: the engine raises this error before any cmdlet
            # runs, so its FullyQualifiedErrorId carries no command name.
            throw $record
        }
        'access-denied' {
            $computer = [string]$State['host']['computerName']
            Stop-HvEmulatorCommand -Message "You do not have the required permission to complete this task. Contact the administrator of the authorization policy for the computer '$computer'." -Category PermissionDenied -ErrorId 'AccessDenied' -TargetObject $computer
        }
    }
}
