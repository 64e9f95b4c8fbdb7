# The wire protocol (docs/execution.md section 3): requests arrive as base64 of UTF-8 JSON, and
# the only thing the runtime ever writes to stdout is a JSON line starting with {"hvguest":1,.
# Lines are pure ASCII (every non-ASCII character is written as a \uXXXX escape), so no console
# code page can garble a name on its way to Node.

$script:HvProtocolVersion = 1

$script:HvNonAscii = New-Object System.Text.RegularExpressions.Regex -ArgumentList '[^\x00-\x7E]'
$script:HvEscapeNonAscii = [System.Text.RegularExpressions.MatchEvaluator] { param($m) '\u{0:x4}' -f [int][char]$m.Value }

function ConvertTo-HvJson {
    param($Value)
    $json = ConvertTo-Json -InputObject $Value -Depth 40 -Compress
    # Non-ASCII characters can only occur inside JSON strings, where \uXXXX is always valid. The
    # replace runs only on a line that has one: turning its script block into a delegate on every
    # call cost about 1 ms a line, 25 times ConvertTo-Json itself (bench/README.md).
    if (-not $script:HvNonAscii.IsMatch($json)) { return $json }
    return $script:HvNonAscii.Replace($json, $script:HvEscapeNonAscii)
}

# In a PSSession on the host (psRemoting, winrm), stdout is not the caller's: protocol lines go to
# $Host.UI, which remoting carries back to the caller's host as they are written (ps/remoting/Remote.ps1).
# $Host is read at each line: its UI relays through the pipeline that is running then, so a UI
# kept from an earlier pipeline (the bootstrap's) would write to nobody.
$script:HvInRemoteSession = ($Host.Name -eq 'ServerRemoteHost')

function Write-HvProtocolLine {
    param([System.Collections.IDictionary]$Message)
    $line = ConvertTo-HvJson -Value $Message
    if ($script:HvInRemoteSession) {
        $Host.UI.WriteLine($line)
        return
    }
    $writer = $script:HvProtocolOut
    if ($null -eq $writer) { $writer = [Console]::Out }
    $writer.WriteLine($line)
    $writer.Flush()
}

function Write-HvProgress {
    param([hashtable]$Context, [string]$Step, $Detail)
    $Context.ProgressSeq = $Context.ProgressSeq + 1
    $message = [ordered]@{
        hvguest = $script:HvProtocolVersion
        type    = 'progress'
        action  = $Context.Action
        guest   = $Context.Guest
        step    = $Step
        cmdlet  = $Context.Cmdlet
        detail  = $(if ($null -eq $Detail) { $null } else { [string]$Detail })
        seq     = $Context.ProgressSeq
    }
    Write-HvProtocolLine -Message $message
}

function New-HvResultMessage {
    param([hashtable]$Context)
    $message = [ordered]@{
        hvguest = $script:HvProtocolVersion
        type    = 'result'
        ok      = ($null -eq $Context.Failure)
        action  = $Context.Action
    }
    if ($null -ne $Context.Guest) { $message.guest = $Context.Guest }
    if ($null -ne $Context.RunId) { $message.runId = $Context.RunId }
    if ($null -ne $Context.Data) { $message.data = $Context.Data }
    if ($null -ne $Context.Failure) { $message.error = $Context.Failure }
    return $message
}

function ConvertFrom-HvRequest {
    param([string]$RequestBase64)
    if ([string]::IsNullOrWhiteSpace($RequestBase64)) {
        throw (New-HvError -Step 'request' -Message 'the request is empty' -Category 'InvalidArgument')
    }
    try {
        $bytes = [Convert]::FromBase64String($RequestBase64.Trim())
        $text = (New-Object System.Text.UTF8Encoding($false, $true)).GetString($bytes)
    } catch {
        throw (New-HvError -Step 'request' -Message ('the request is not base64 of UTF-8 text: {0}' -f (Get-HvErrorMessage -ErrorRecord $_)) -Category 'InvalidArgument')
    }
    try {
        $parsed = ConvertFrom-HvJsonText -Text $text
    } catch {
        throw (New-HvError -Step 'request' -Message ('the request is not valid JSON: {0}' -f (Get-HvErrorMessage -ErrorRecord $_)) -Category 'InvalidArgument')
    }
    if (-not ($parsed -is [System.Collections.IDictionary])) {
        throw (New-HvError -Step 'request' -Message 'the request must be a JSON object' -Category 'InvalidArgument')
    }
    return $parsed
}

# JSON text -> ordered dictionaries (keys case-sensitive, as in JSON) and object[] arrays.
# Strings stay strings: ConvertFrom-Json would turn one that looks like a date into a DateTime
# (before PowerShell 7.5), and refuses keys that differ only in case. PowerShell 7 reads with
# System.Text.Json; Windows PowerShell 5.1 (an emitted script) falls back to ConvertFrom-Json.
$script:HvJsonDocument = 'System.Text.Json.JsonDocument' -as [type]

function ConvertFrom-HvJsonText {
    param([string]$Text)
    if ($null -ne $script:HvJsonDocument) {
        $doc = $script:HvJsonDocument::Parse($Text)
        try { return ([HvJsonReader]::Convert($doc.RootElement)) } finally { $doc.Dispose() }
    }
    $options = @{}
    if ((Get-Command -Name ConvertFrom-Json).Parameters.ContainsKey('DateKind')) { $options.DateKind = 'String' }
    $raw = ConvertFrom-Json -InputObject $Text @options
    return (ConvertTo-HvData -Value $raw)
}

# A JsonElement (System.Text.Json, PowerShell 7) as the runtime's data. A class's static method,
# not a function: a function call per JSON value made reading a 10-guest preflight request (52 KB,
# 1800 values) take 146 ms, and this takes 13 (bench/README.md). Typed [object], so that Windows
# PowerShell 5.1, which has no System.Text.Json and never calls it, still parses the module.
class HvJsonReader {
    static [object] Convert([object]$Element) {
        switch ($Element.ValueKind) {
            'Object' {
                # ::new, not New-Object: a cmdlet call per object cost as much as the rest together.
                $h = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::Ordinal)
                foreach ($p in $Element.EnumerateObject()) { $h[$p.Name] = [HvJsonReader]::Convert($p.Value) }
                return $h
            }
            'Array' {
                $list = [System.Collections.Generic.List[object]]::new()
                foreach ($e in $Element.EnumerateArray()) { $list.Add([HvJsonReader]::Convert($e)) }
                # A method returns its value as it is (no pipeline unrolls it): the array itself.
                return $list.ToArray()
            }
            'String' { return $Element.GetString() }
            'Number' {
                $long = [long]0
                if ($Element.TryGetInt64([ref]$long)) { return $long }
                return $Element.GetDouble()
            }
            'True' { return $true }
            'False' { return $false }
        }
        return $null
    }
}

function ConvertTo-HvData {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $h = [ordered]@{}
        foreach ($p in $Value.PSObject.Properties) { $h[$p.Name] = ConvertTo-HvData -Value $p.Value }
        return $h
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $h = [ordered]@{}
        foreach ($k in $Value.Keys) { $h[[string]$k] = ConvertTo-HvData -Value $Value[$k] }
        return $h
    }
    if (($Value -is [System.Collections.IEnumerable]) -and -not ($Value -is [string])) {
        $list = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Value) { $list.Add((ConvertTo-HvData -Value $item)) }
        return , $list.ToArray()
    }
    return $Value
}

# An error this runtime raises itself (not a cmdlet's): it carries its step, cmdlet and category.
function New-HvError {
    param([string]$Step, [string]$Cmdlet, [string]$Message, [string]$Category = 'InvalidOperation')
    $ex = New-Object System.Exception($Message)
    $ex.Data['hvguest.step'] = $Step
    $ex.Data['hvguest.cmdlet'] = $Cmdlet
    $ex.Data['hvguest.category'] = $Category
    return $ex
}

# The message a person should read: the cmdlet's own words, without PowerShell's wrapping.
function Get-HvErrorMessage {
    param($ErrorRecord)
    if ($null -eq $ErrorRecord) { return 'unknown error' }
    if ($ErrorRecord -is [System.Exception]) { $ex = $ErrorRecord }
    else {
        if ($null -ne $ErrorRecord.ErrorDetails -and -not [string]::IsNullOrEmpty($ErrorRecord.ErrorDetails.Message)) {
            return $ErrorRecord.ErrorDetails.Message
        }
        $ex = $ErrorRecord.Exception
    }
    while (($ex -is [System.Management.Automation.MethodInvocationException] -or $ex -is [System.Reflection.TargetInvocationException]) -and $null -ne $ex.InnerException) {
        $ex = $ex.InnerException
    }
    return $ex.Message
}

function ConvertTo-HvFailure {
    param([hashtable]$Context, $ErrorRecord)
    $ex = $ErrorRecord.Exception
    if ($null -ne $ex -and $ex.Data.Contains('hvguest.step')) {
        $step = $ex.Data['hvguest.step']
        $cmdlet = $ex.Data['hvguest.cmdlet']
        if ([string]::IsNullOrEmpty($step)) { $step = $Context.Step }
        if ([string]::IsNullOrEmpty($cmdlet)) { $cmdlet = $Context.Cmdlet }
        $category = $ex.Data['hvguest.category']
    } else {
        $step = $Context.Step
        $cmdlet = $Context.Cmdlet
        if ([string]::IsNullOrEmpty($cmdlet) -and $null -ne $ErrorRecord.InvocationInfo -and $null -ne $ErrorRecord.InvocationInfo.MyCommand) {
            $cmdlet = $ErrorRecord.InvocationInfo.MyCommand.Name
        }
        $category = [string]$ErrorRecord.CategoryInfo.Category
    }
    if ([string]::IsNullOrEmpty($step)) { $step = $Context.Action }
    if ([string]::IsNullOrEmpty($step)) { $step = 'request' }
    if ([string]::IsNullOrEmpty($cmdlet)) { $cmdlet = $null }
    if ([string]::IsNullOrEmpty($category)) { $category = 'NotSpecified' }
    $failure = [ordered]@{
        step     = [string]$step
        cmdlet   = $cmdlet
        message  = (Get-HvErrorMessage -ErrorRecord $ErrorRecord)
        category = [string]$category
    }
    # HVGUEST_DEBUG (as for the CLI): where in the runtime the error came from.
    if ($env:HVGUEST_DEBUG) { $failure.stack = [string]$ErrorRecord.ScriptStackTrace }
    return $failure
}
