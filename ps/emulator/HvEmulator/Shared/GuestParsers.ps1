# The first-boot files an emulated guest reads from its media: cloud-init's NoCloud seed
# (user-data, meta-data), a kickstart file (ks.cfg) and a Windows answer file (unattend.xml /
# autounattend.xml). Each parser reads only what decides what the guest gets; none runs anything.
#
# Shared: dot-sourced through HandlerHelpers.ps1 by the emulated modules (Start-VM).

function ConvertFrom-YamlScalar {
    # One YAML scalar: 'single' ('' is a quote), "double" (backslash escapes), or plain (a
    # trailing " # comment" dropped).
    param([string]$Text)
    $t = $Text.Trim()
    if ($t.StartsWith("'")) {
        $end = $t.LastIndexOf("'")
        if ($end -gt 0) { return $t.Substring(1, $end - 1).Replace("''", "'") }
        return $t.Substring(1)
    }
    if ($t.StartsWith('"')) {
        $end = $t.LastIndexOf('"')
        $inner = if ($end -gt 0) { $t.Substring(1, $end - 1) } else { $t.Substring(1) }
        return [regex]::Replace($inner, '\\(.)', { param($m) switch ($m.Groups[1].Value) { 'n' { "`n" } 't' { "`t" } default { $m.Groups[1].Value } } })
    }
    ($t -replace '\s+#.*$', '').Trim()
}

function Split-YamlFlowSequence {
    # The items of a flow sequence '[a, "b, c", 'd']' (brackets included), quotes respected; a
    # nested [name, version] item gives its first element.
    param([string]$Text)
    $t = $Text.Trim()
    if ($t.StartsWith('[')) { $t = $t.Substring(1) }
    $close = $t.LastIndexOf(']')
    if ($close -ge 0) { $t = $t.Substring(0, $close) }
    $items = [System.Collections.Generic.List[string]]::new()
    $current = [System.Text.StringBuilder]::new()
    $quote = [char]0
    $depth = 0
    foreach ($c in $t.ToCharArray()) {
        if ($quote -ne [char]0) {
            [void]$current.Append($c)
            if ($c -eq $quote) { $quote = [char]0 }
            continue
        }
        if ($c -eq "'" -or $c -eq '"') { $quote = $c; [void]$current.Append($c); continue }
        if ($c -eq '[') { $depth++ }
        if ($c -eq ']') { $depth-- }
        if ($c -eq ',' -and $depth -eq 0) { $items.Add($current.ToString()); [void]$current.Clear(); continue }
        [void]$current.Append($c)
    }
    if ($current.ToString().Trim()) { $items.Add($current.ToString()) }
    foreach ($item in $items) {
        $v = $item.Trim()
        if ($v.StartsWith('[')) { $v = @(Split-YamlFlowSequence $v)[0] } else { $v = ConvertFrom-YamlScalar $v }
        if ($v) { $v }
    }
}

function Read-CloudConfig {
    # From a #cloud-config user-data: hostname, fqdn and the packages list (a block sequence of
    # plain, 'single' or "double" quoted scalars, [name, version] pairs, or a flow sequence).
    # Only top-level keys count (YAML indentation 0).
    param([string]$Text)
    $result = [ordered]@{ cloudConfig = $false; hostname = $null; fqdn = $null; packages = @() }
    $lines = @($Text -split '\r?\n')
    $result.cloudConfig = $lines.Count -gt 0 -and $lines[0].TrimEnd() -eq '#cloud-config'
    if (-not $result.cloudConfig) { return $result }
    $packages = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^hostname\s*:\s*(.+)$') { $result.hostname = ConvertFrom-YamlScalar $Matches[1]; continue }
        if ($line -match '^fqdn\s*:\s*(.+)$') { $result.fqdn = ConvertFrom-YamlScalar $Matches[1]; continue }
        if ($line -notmatch '^packages\s*:(.*)$') { continue }
        $rest = ($Matches[1] -replace '\s+#.*$', '').Trim()
        if ($rest.StartsWith('[')) {
            # A flow sequence may run over several lines until its closing bracket.
            $flow = $rest
            while (($flow.Split('[').Count - 1) -gt ($flow.Split(']').Count - 1) -and $i + 1 -lt $lines.Count) { $i++; $flow += ' ' + $lines[$i].Trim() }
            foreach ($p in @(Split-YamlFlowSequence $flow)) { $packages.Add($p) }
            continue
        }
        if ($rest) { continue }
        for ($j = $i + 1; $j -lt $lines.Count; $j++) {
            $item = $lines[$j]
            if ($item.Trim() -eq '' -or $item.Trim().StartsWith('#')) { continue }
            if ($item -match '^\s*-\s+(.*)$' -or $item -match '^\s*-$') {
                $value = if ($Matches.Count -gt 1) { $Matches[1] } else { '' }
                $name = if ($value.Trim().StartsWith('[')) { @(Split-YamlFlowSequence $value)[0] } else { ConvertFrom-YamlScalar $value }
                if ($name) { $packages.Add($name) }
                continue
            }
            # A more-indented line continues the item before it; anything else ends the list.
            if ($item -match '^\s+\S' -and $item -notmatch '^\s*\w[\w-]*\s*:') { continue }
            break
        }
        $i = $j - 1
    }
    $result.packages = $packages.ToArray()
    $result
}

function Read-CloudInitMetaData {
    # instance-id and local-hostname from NoCloud meta-data (YAML lines or a JSON object).
    param([string]$Text)
    $result = [ordered]@{ instanceId = $null; localHostname = $null }
    if ($Text.TrimStart().StartsWith('{')) {
        try {
            $json = ConvertFrom-Json -InputObject $Text -AsHashtable
            $result.instanceId = $json['instance-id']
            $result.localHostname = $json['local-hostname']
        }
        catch { }
        return $result
    }
    foreach ($line in @($Text -split '\r?\n')) {
        if ($line -match '^instance-id\s*:\s*(.+)$') { $result.instanceId = ConvertFrom-YamlScalar $Matches[1] }
        if ($line -match '^local-hostname\s*:\s*(.+)$') { $result.localHostname = ConvertFrom-YamlScalar $Matches[1] }
    }
    $result
}

function Split-ShellWords {
    # A kickstart command line split as a shell would: 'single' (literal), "double" (backslash
    # escapes), backslash outside quotes; quotes inside a word join it (--hostname='web1').
    param([string]$Line)
    $words = [System.Collections.Generic.List[string]]::new()
    $current = [System.Text.StringBuilder]::new()
    $inWord = $false
    $i = 0
    while ($i -lt $Line.Length) {
        $c = $Line[$i]
        if ($c -eq "'") {
            $end = $Line.IndexOf("'", $i + 1)
            if ($end -lt 0) { $end = $Line.Length }
            [void]$current.Append($Line.Substring($i + 1, $end - $i - 1)); $inWord = $true; $i = $end + 1; continue
        }
        if ($c -eq '"') {
            $i++
            while ($i -lt $Line.Length -and $Line[$i] -ne '"') {
                if ($Line[$i] -eq '\' -and $i + 1 -lt $Line.Length) { $i++ }
                [void]$current.Append($Line[$i]); $i++
            }
            $inWord = $true; $i++; continue
        }
        if ($c -eq '\' -and $i + 1 -lt $Line.Length) { [void]$current.Append($Line[$i + 1]); $inWord = $true; $i += 2; continue }
        if ([char]::IsWhiteSpace($c)) {
            if ($inWord) { $words.Add($current.ToString()); [void]$current.Clear(); $inWord = $false }
            $i++; continue
        }
        if ($c -eq '#' -and -not $inWord) { break }
        [void]$current.Append($c); $inWord = $true; $i++
    }
    if ($inWord) { $words.Add($current.ToString()) }
    , $words.ToArray()
}

function Read-Kickstart {
    # From ks.cfg: the %packages names (no @groups, no -excluded, no options), the host name of a
    # network command (--hostname=NAME or --hostname NAME, shell-quoted or not), the %post
    # bodies, how the installation ends (reboot, poweroff, shutdown, halt, or $null), and the
    # interfaces the network commands configure (network: @{ interfaces; problems }, see
    # Read-KickstartNetworkLine).
    param([string]$Text)
    $result = [ordered]@{ packages = @(); hostname = $null; post = @(); completion = $null; network = $null }
    $interfaces = [System.Collections.Generic.List[object]]::new()
    $networkProblems = [System.Collections.Generic.List[string]]::new()
    $packages = [System.Collections.Generic.List[string]]::new()
    $post = [System.Collections.Generic.List[string]]::new()
    $section = $null
    $body = $null
    foreach ($raw in @($Text -split '\r?\n')) {
        $t = $raw.Trim()
        if ($section) {
            if ($t -match '^%end\b') {
                if ($section -eq 'post') { $post.Add($body.ToString()) }
                $section = $null
                continue
            }
            # RHEL 6 and earlier let %packages run to the next section without %end.
            $next = $t -match '^%(packages|post|pre|pre-install|onerror|traceback|addon|anaconda)\b'
            if (-not $next) {
                if ($section -eq 'packages') {
                    if ($t -eq '' -or $t.StartsWith('#') -or $t.StartsWith('@') -or $t.StartsWith('-') -or $t.StartsWith('%')) { continue }
                    $name = (Split-ShellWords $t)[0]
                    if ($name -and -not $packages.Contains($name)) { $packages.Add($name) }
                }
                elseif ($section -eq 'post') { [void]$body.AppendLine($raw) }
                continue
            }
            if ($section -eq 'post') { $post.Add($body.ToString()) }
            $section = $null
        }
        if ($t -match '^%(packages|post|pre|pre-install|onerror|traceback|addon|anaconda)\b') {
            $section = $Matches[1]
            if ($section -eq 'post') { $body = [System.Text.StringBuilder]::new() }
            continue
        }
        if ($t -eq '' -or $t.StartsWith('#')) { continue }
        $words = Split-ShellWords $t
        if ($words.Count -eq 0) { continue }
        switch ($words[0]) {
            'network' {
                for ($k = 1; $k -lt $words.Count; $k++) {
                    if ($words[$k] -match '^--hostname=(.*)$') { $result.hostname = $Matches[1] }
                    elseif ($words[$k] -eq '--hostname' -and $k + 1 -lt $words.Count) { $result.hostname = $words[$k + 1] }
                }
                $interface = Read-KickstartNetworkLine -Words @($words | Select-Object -Skip 1) -Problems $networkProblems
                if ($interface) { $interfaces.Add($interface) }
            }
            { $_ -in 'reboot', 'poweroff', 'shutdown', 'halt' } { $result.completion = $words[0] }
        }
    }
    if ($section -eq 'post') { $post.Add($body.ToString()) }
    $result.packages = $packages.ToArray()
    $result.post = $post.ToArray()
    if ($interfaces.Count -or $networkProblems.Count) { $result.network = @{ interfaces = $interfaces.ToArray(); problems = $networkProblems.ToArray() } }
    $result
}

function Test-KickstartRunsLisInstaller {
    # Whether a %post body runs LIS's install.sh (./install.sh, /mnt/install.sh, sh install.sh ...).
    param([string[]]$Post)
    foreach ($body in @($Post)) {
        if ($body -match '(?m)(^|[\s;&|(/''"])install\.sh($|[\s;&|)''"])') { return $true }
    }
    $false
}

function Read-UnattendFile {
    # From a Windows answer file: the specialize pass's Microsoft-Windows-Shell-Setup
    # ComputerName, and whether a RunSynchronousCommand Path or a FirstLogonCommands CommandLine
    # runs the integration services setup (support\amd64\setup.exe, any case), and the network
    # interfaces it configures (network: @{ interfaces; problems } from Read-UnattendNetwork, or
    # $null when it configures none). Namespaces and the processorArchitecture attribute are not
    # checked. Throws when the XML does not parse.
    param([string]$Text)
    $doc = [System.Xml.XmlDocument]::new()
    # Answer files carry no DTD; never resolve one (an answer file is data).
    $doc.XmlResolver = $null
    $doc.LoadXml($Text)
    $name = $doc.SelectSingleNode("//*[local-name()='settings'][@pass='specialize']/*[local-name()='component'][@name='Microsoft-Windows-Shell-Setup']/*[local-name()='ComputerName']")
    $commands = @($doc.SelectNodes("//*[local-name()='RunSynchronousCommand']/*[local-name()='Path'] | //*[local-name()='FirstLogonCommands']//*[local-name()='CommandLine']") | ForEach-Object { $_.InnerText })
    $network = Read-UnattendNetwork -Doc $doc
    [ordered]@{
        computerName = $(if ($name) { $name.InnerText.Trim() } else { $null })
        runsIcSetup  = @($commands | Where-Object { $_ -match '(?i)support\\amd64\\setup\.exe' }).Count -gt 0
        network      = $(if ($network.interfaces.Count -or $network.problems.Count) { $network } else { $null })
    }
}

# --- YAML, as far as a cloud-init network-config needs it -----------------------------------
# Block mappings and sequences (by indentation, "- key: value" items included), flow
# collections ({a: b}, [a, b], over several lines), 'single', "double" and plain scalars (kept as
# strings; null and ~ read as $null), comments. Anchors, tags, block scalars (| >) and several
# documents are not read: hvguest's templates and hand-written network configs do not use them.

function Remove-YamlComment {
    # A line without its comment: '#' at the start or after a space, outside quotes.
    param([string]$Line)
    $quote = [char]0
    for ($i = 0; $i -lt $Line.Length; $i++) {
        $c = $Line[$i]
        if ($quote -ne [char]0) {
            if ($c -eq $quote) { $quote = [char]0 }
            elseif ($quote -eq '"' -and $c -eq '\') { $i++ }
            continue
        }
        if ($c -eq '"' -or $c -eq "'") { $quote = $c; continue }
        if ($c -eq '#' -and ($i -eq 0 -or [char]::IsWhiteSpace($Line[$i - 1]))) { return $Line.Substring(0, $i).TrimEnd() }
    }
    $Line.TrimEnd()
}

function Split-YamlMappingLine {
    # "key: value" (key plain or quoted) -> @{ Key; Value }, or $null when the text is no mapping entry.
    param([string]$Text)
    if ($Text.StartsWith('{') -or $Text.StartsWith('[') -or $Text -match '^-(\s|$)') { return $null }
    if ($Text.StartsWith('"') -or $Text.StartsWith("'")) {
        $q = $Text[0]
        $i = 1
        while ($i -lt $Text.Length) {
            if ($q -eq '"' -and $Text[$i] -eq '\') { $i += 2; continue }
            if ($Text[$i] -eq $q) {
                if ($q -eq "'" -and $i + 1 -lt $Text.Length -and $Text[$i + 1] -eq "'") { $i += 2; continue }
                break
            }
            $i++
        }
        $rest = $Text.Substring([Math]::Min($i + 1, $Text.Length)).TrimStart()
        if (-not $rest.StartsWith(':')) { return $null }
        return @{ Key = (ConvertFrom-YamlScalar $Text.Substring(0, [Math]::Min($i + 1, $Text.Length))); Value = $rest.Substring(1).Trim() }
    }
    $m = [regex]::Match($Text, ':(\s|$)')
    if (-not $m.Success) { return $null }
    @{ Key = $Text.Substring(0, $m.Index).Trim(); Value = $Text.Substring($m.Index + 1).Trim() }
}

function Test-YamlFlowOpen {
    # Whether a flow collection started in this text is still open (brackets outside quotes).
    param([string]$Text)
    $depth = 0
    $quote = [char]0
    foreach ($c in $Text.ToCharArray()) {
        if ($quote -ne [char]0) { if ($c -eq $quote) { $quote = [char]0 }; continue }
        if ($c -eq '"' -or $c -eq "'") { $quote = $c }
        elseif ($c -eq '[' -or $c -eq '{') { $depth++ }
        elseif ($c -eq ']' -or $c -eq '}') { $depth-- }
    }
    $depth -gt 0
}

function Read-YamlFlowNode {
    # One node of a flow text from $Pos: a {mapping}, a [sequence] or a scalar. In a flow
    # collection a plain scalar ends at , ] } or ": ".
    param([string]$Text, [ref]$Pos, [bool]$InFlow)
    while ($Pos.Value -lt $Text.Length -and [char]::IsWhiteSpace($Text[$Pos.Value])) { $Pos.Value++ }
    if ($Pos.Value -ge $Text.Length) { return $null }
    $c = $Text[$Pos.Value]
    if ($c -eq '{' -or $c -eq '[') {
        $isMap = $c -eq '{'
        $close = if ($isMap) { '}' } else { ']' }
        $Pos.Value++
        $map = [ordered]@{}
        $items = [System.Collections.Generic.List[object]]::new()
        while ($true) {
            while ($Pos.Value -lt $Text.Length -and ([char]::IsWhiteSpace($Text[$Pos.Value]) -or $Text[$Pos.Value] -eq ',')) { $Pos.Value++ }
            if ($Pos.Value -ge $Text.Length) { break }
            if ($Text[$Pos.Value] -eq $close) { $Pos.Value++; break }
            $node = Read-YamlFlowNode -Text $Text -Pos $Pos -InFlow $true
            while ($Pos.Value -lt $Text.Length -and [char]::IsWhiteSpace($Text[$Pos.Value])) { $Pos.Value++ }
            if ($isMap) {
                $value = $null
                if ($Pos.Value -lt $Text.Length -and $Text[$Pos.Value] -eq ':') { $Pos.Value++; $value = Read-YamlFlowNode -Text $Text -Pos $Pos -InFlow $true }
                $map[[string]$node] = $value
            }
            else { $items.Add($node) }
        }
        if ($isMap) { return $map }
        return , $items.ToArray()
    }
    if ($c -eq '"' -or $c -eq "'") {
        $start = $Pos.Value
        $i = $start + 1
        while ($i -lt $Text.Length) {
            if ($c -eq '"' -and $Text[$i] -eq '\') { $i += 2; continue }
            if ($Text[$i] -eq $c) {
                if ($c -eq "'" -and $i + 1 -lt $Text.Length -and $Text[$i + 1] -eq "'") { $i += 2; continue }
                break
            }
            $i++
        }
        $end = [Math]::Min($i + 1, $Text.Length)
        $Pos.Value = $end
        return ConvertFrom-YamlScalar $Text.Substring($start, $end - $start)
    }
    $start = $Pos.Value
    if ($InFlow) {
        while ($Pos.Value -lt $Text.Length) {
            $ch = $Text[$Pos.Value]
            if ($ch -eq ',' -or $ch -eq ']' -or $ch -eq '}') { break }
            if ($ch -eq ':' -and ($Pos.Value + 1 -ge $Text.Length -or $Text[$Pos.Value + 1] -match '[\s,\]\}]')) { break }
            $Pos.Value++
        }
    }
    else { $Pos.Value = $Text.Length }
    $plain = $Text.Substring($start, $Pos.Value - $start).Trim()
    if ($plain -in 'null', '~', '') { return $null }
    $plain
}

function Read-YamlBlock {
    # The block node whose lines start at $Pos with indentation $Indent.
    param([System.Collections.Generic.List[object]]$Lines, [ref]$Pos, [int]$Indent)
    $first = $Lines[$Pos.Value]
    if ($first.Text -match '^-(\s|$)') {
        $items = [System.Collections.Generic.List[object]]::new()
        while ($Pos.Value -lt $Lines.Count) {
            $l = $Lines[$Pos.Value]
            if ($l.Indent -ne $Indent -or $l.Text -notmatch '^-(\s+(.*))?$') { break }
            $rest = if ($Matches[2]) { $Matches[2] } else { '' }
            if ($rest -eq '') {
                $Pos.Value++
                if ($Pos.Value -lt $Lines.Count -and $Lines[$Pos.Value].Indent -gt $Indent) { $items.Add((Read-YamlBlock -Lines $Lines -Pos $Pos -Indent $Lines[$Pos.Value].Indent)) }
                else { $items.Add($null) }
                continue
            }
            if ($null -ne (Split-YamlMappingLine $rest)) {
                # "- key: value": a mapping whose first entry sits after the dash.
                $childIndent = $Indent + ($l.Text.Length - $rest.Length)
                $Lines[$Pos.Value] = @{ Indent = $childIndent; Text = $rest }
                $items.Add((Read-YamlBlock -Lines $Lines -Pos $Pos -Indent $childIndent))
                continue
            }
            $Pos.Value++
            $items.Add((Read-YamlInlineValue -Lines $Lines -Pos $Pos -Indent $Indent -Text $rest))
        }
        return , $items.ToArray()
    }
    if ($null -eq (Split-YamlMappingLine $first.Text)) {
        $Pos.Value++
        return Read-YamlInlineValue -Lines $Lines -Pos $Pos -Indent $Indent -Text $first.Text
    }
    $map = [ordered]@{}
    while ($Pos.Value -lt $Lines.Count) {
        $l = $Lines[$Pos.Value]
        if ($l.Indent -ne $Indent) { break }
        $entry = Split-YamlMappingLine $l.Text
        if ($null -eq $entry) { break }
        $Pos.Value++
        if ($entry.Value -ne '') {
            $map[$entry.Key] = Read-YamlInlineValue -Lines $Lines -Pos $Pos -Indent $Indent -Text $entry.Value
            continue
        }
        $next = if ($Pos.Value -lt $Lines.Count) { $Lines[$Pos.Value] } else { $null }
        # A block sequence may sit at its key's own indentation.
        if ($next -and ($next.Indent -gt $Indent -or ($next.Indent -eq $Indent -and $next.Text -match '^-(\s|$)'))) {
            $map[$entry.Key] = Read-YamlBlock -Lines $Lines -Pos $Pos -Indent $next.Indent
        }
        else { $map[$entry.Key] = $null }
    }
    $map
}

function Read-YamlInlineValue {
    # A value on its key's (or dash's) line; a flow collection left open continues on the
    # more-indented lines after it.
    param([System.Collections.Generic.List[object]]$Lines, [ref]$Pos, [int]$Indent, [string]$Text)
    $value = $Text
    while ((Test-YamlFlowOpen $value) -and $Pos.Value -lt $Lines.Count -and $Lines[$Pos.Value].Indent -gt $Indent) {
        $value += ' ' + $Lines[$Pos.Value].Text
        $Pos.Value++
    }
    $p = [ref]0
    $node = Read-YamlFlowNode -Text $value -Pos $p -InFlow $false
    if ($node -is [array]) { return , $node }
    $node
}

function ConvertFrom-YamlSubset {
    # YAML text -> ordered dictionaries, arrays and strings (see the section comment above).
    param([string]$Text)
    $lines = [System.Collections.Generic.List[object]]::new()
    foreach ($raw in @($Text -split '\r?\n')) {
        $content = Remove-YamlComment $raw
        if ($content.Trim() -eq '' -or $content.Trim() -eq '---') { continue }
        $lines.Add(@{ Indent = $content.Length - $content.TrimStart(' ').Length; Text = $content.Trim() })
    }
    if ($lines.Count -eq 0) { return $null }
    $pos = [ref]0
    $node = Read-YamlBlock -Lines $lines -Pos $pos -Indent $lines[0].Indent
    if ($node -is [array]) { return , $node }
    $node
}

# --- Network configuration on first-boot media ------------------------------------------------
# Each reader returns @{ interfaces; problems }: interfaces in one shape for the three formats,
# [ordered]@{ id; match; dhcp4; addresses; gateway; dns }, where match holds what selects the
# adapter (macAddress: 12 upper-case hex digits; name: a kernel name or Windows interface alias,
# '*' and '?' globs for cloud-init; driver; link: the first connected adapter), addresses are
# IPv4 CIDR strings, gateway an IPv4 address or $null, dns IPv4 addresses. problems are short
# reasons for what the guest ignored.

function Test-IPv4Text {
    param([string]$Text)
    if ($Text -notmatch '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$') { return $false }
    foreach ($k in 1..4) { if ([int]$Matches[$k] -gt 255) { return $false } }
    $true
}

function Test-IPv4Cidr {
    param([string]$Text)
    $parts = $Text.Split('/')
    $parts.Count -eq 2 -and (Test-IPv4Text $parts[0]) -and $parts[1] -match '^\d{1,2}$' -and [int]$parts[1] -le 32
}

function ConvertTo-NormalizedMac {
    # 00:15:5d:01:02:03, 00-15-5D-01-02-03 or 00155D010203 -> 00155D010203; $null for anything else.
    param([string]$Text)
    $t = ([string]$Text).Trim()
    if ($t -match '^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$' -or $t -match '^[0-9A-Fa-f]{12}$') { return ($t -replace '[:-]', '').ToUpperInvariant() }
    $null
}

function ConvertTo-PrefixLength {
    # A dotted netmask (255.255.255.0) or a bare prefix length (24) -> 24; $null when not contiguous.
    param([string]$Netmask)
    if ($Netmask -match '^\d{1,2}$' -and [int]$Netmask -le 32) { return [int]$Netmask }
    if (-not (Test-IPv4Text $Netmask)) { return $null }
    $bits = (($Netmask.Split('.') | ForEach-Object { [Convert]::ToString([int]$_, 2).PadLeft(8, '0') }) -join '')
    if ($bits -match '^1*0*$') { return $bits.TrimEnd('0').Length }
    $null
}

function Test-YamlTrue {
    # YAML 1.1 booleans as netplan reads them.
    param($Value)
    [string]$Value -in 'true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y'
}

function Read-CloudInitNetworkConfig {
    # cloud-init's network-config, version 2 (netplan syntax): under ethernets, each entry's
    # match (macaddress, name, driver; no match: the entry's id is the interface name), dhcp4,
    # addresses, gateway4 or a default route (to: default or 0.0.0.0/0), nameservers.addresses.
    # The file may be wrapped in a top-level network: key. Version 1 is not read.
    param([string]$Text)
    $interfaces = [System.Collections.Generic.List[object]]::new()
    $problems = [System.Collections.Generic.List[string]]::new()
    $doc = try { ConvertFrom-YamlSubset $Text } catch { $problems.Add("network-config is not YAML the emulator reads ($($_.Exception.Message))"); $null }
    if ($doc -is [System.Collections.IDictionary] -and $doc.Contains('network') -and $doc['network'] -is [System.Collections.IDictionary]) { $doc = $doc['network'] }
    if ($doc -isnot [System.Collections.IDictionary]) {
        if ($problems.Count -eq 0) { $problems.Add('network-config is not a YAML mapping') }
        return @{ interfaces = @(); problems = $problems.ToArray() }
    }
    if ([string]$doc['version'] -ne '2') {
        $problems.Add("network-config version $(if ($null -ne $doc['version']) { "'$($doc['version'])'" } else { '(none)' }): the emulator reads version 2 only")
        return @{ interfaces = @(); problems = $problems.ToArray() }
    }
    $ethernets = $doc['ethernets']
    if ($ethernets -isnot [System.Collections.IDictionary]) { return @{ interfaces = @(); problems = $problems.ToArray() } }
    foreach ($id in @($ethernets.Keys)) {
        $e = $ethernets[$id]
        if ($e -isnot [System.Collections.IDictionary]) { $e = [ordered]@{} }
        $match = [ordered]@{}
        if ($e['match'] -is [System.Collections.IDictionary]) {
            $m = $e['match']
            if ($m.Contains('macaddress')) {
                $mac = ConvertTo-NormalizedMac ([string]$m['macaddress'])
                if ($mac) { $match['macAddress'] = $mac } else { $problems.Add("network-config ${id}: macaddress '$($m['macaddress'])' is not a MAC address"); continue }
            }
            if ($m.Contains('name')) { $match['name'] = [string]$m['name'] }
            if ($m.Contains('driver')) { $match['driver'] = [string]@($m['driver'])[0] }
        }
        if ($match.Count -eq 0) { $match['name'] = [string]$id }
        $addresses = [System.Collections.Generic.List[string]]::new()
        foreach ($a in @($e['addresses'])) {
            if ($a -is [string] -and (Test-IPv4Cidr $a)) { $addresses.Add($a) }
            elseif ($a -is [string] -and $a.Contains(':')) { }
            elseif ($null -ne $a) { $problems.Add("network-config ${id}: address '$a' is not IPv4 CIDR (a.b.c.d/n)") }
        }
        $gateway = if ($e['gateway4'] -and (Test-IPv4Text ([string]$e['gateway4']))) { [string]$e['gateway4'] } else { $null }
        foreach ($r in @($e['routes'])) {
            if ($r -is [System.Collections.IDictionary] -and [string]$r['to'] -in 'default', '0.0.0.0/0' -and (Test-IPv4Text ([string]$r['via']))) { $gateway = [string]$r['via']; break }
        }
        $dns = @()
        if ($e['nameservers'] -is [System.Collections.IDictionary]) { $dns = @(@($e['nameservers']['addresses']) | Where-Object { $_ -is [string] -and (Test-IPv4Text $_) }) }
        $interfaces.Add([ordered]@{ id = [string]$id; match = $match; dhcp4 = (Test-YamlTrue $e['dhcp4']); addresses = $addresses.ToArray(); gateway = $gateway; dns = [string[]]$dns })
    }
    @{ interfaces = $interfaces.ToArray(); problems = $problems.ToArray() }
}

function Read-KickstartNetworkLine {
    # One kickstart network command (its words after 'network') -> an interface, or $null when
    # the line only sets the host name. --device: an interface name, a MAC address, or link /
    # bootif / none (the first adapter with a link); --bootproto dhcp (the default) or bootp,
    # static with --ip and --netmask; --gateway; --nameserver (comma-separated); --noipv4.
    param([string[]]$Words, [System.Collections.Generic.List[string]]$Problems)
    $opts = @{}
    for ($k = 0; $k -lt $Words.Count; $k++) {
        if ($Words[$k] -match '^--([\w-]+)=(.*)$') { $opts[$Matches[1]] = $Matches[2] }
        elseif ($Words[$k] -match '^--([\w-]+)$') {
            $name = $Matches[1]
            if ($k + 1 -lt $Words.Count -and -not $Words[$k + 1].StartsWith('--')) { $opts[$name] = $Words[$k + 1]; $k++ } else { $opts[$name] = '' }
        }
    }
    $configures = @($opts.Keys | Where-Object { $_ -notin 'hostname' }).Count -gt 0
    if (-not $configures) { return $null }
    $device = if ($opts.ContainsKey('device')) { [string]$opts['device'] } else { '' }
    $match = [ordered]@{}
    $mac = ConvertTo-NormalizedMac $device
    if ($mac) { $match['macAddress'] = $mac }
    elseif ($device -eq '' -or $device -in 'link', 'bootif') { $match['link'] = $true }
    else { $match['name'] = $device }
    $id = "network --device=$(if ($device) { $device } else { '(none)' })"
    $proto = if ($opts.ContainsKey('bootproto') -and $opts['bootproto']) { ([string]$opts['bootproto']).ToLowerInvariant() } else { 'dhcp' }
    $entry = [ordered]@{ id = $id; match = $match; dhcp4 = $false; addresses = [string[]]@(); gateway = $null; dns = [string[]]@() }
    if ($opts.ContainsKey('noipv4')) { return $entry }
    switch ($proto) {
        { $_ -in 'dhcp', 'bootp' } { $entry.dhcp4 = $true }
        'static' {
            $prefix = if ($opts.ContainsKey('netmask')) { ConvertTo-PrefixLength ([string]$opts['netmask']) } else { $null }
            if (-not (Test-IPv4Text ([string]$opts['ip']))) { $Problems.Add("ks.cfg ${id}: --bootproto=static without a valid --ip") }
            elseif ($null -eq $prefix) { $Problems.Add("ks.cfg ${id}: --bootproto=static without a valid --netmask") }
            else { $entry.addresses = [string[]]@("$($opts['ip'])/$prefix") }
        }
        default { $Problems.Add("ks.cfg ${id}: --bootproto=$proto is not modelled: no IPv4 address") }
    }
    if ($opts.ContainsKey('gateway') -and (Test-IPv4Text ([string]$opts['gateway']))) { $entry.gateway = [string]$opts['gateway'] }
    if ($opts.ContainsKey('nameserver') -and -not $opts.ContainsKey('nodns')) { $entry.dns = [string[]]@(([string]$opts['nameserver']).Split(',') | ForEach-Object { $_.Trim() } | Where-Object { Test-IPv4Text $_ }) }
    $entry
}

function Read-UnattendNetwork {
    # The specialize pass's Microsoft-Windows-TCPIP Interfaces/Interface (Identifier: a MAC
    # address 00-15-5D-.. or an interface alias; Ipv4Settings/DhcpEnabled, default true;
    # UnicastIpAddresses/IpAddress in CIDR; a Routes/Route with Prefix 0.0.0.0/0 is the default
    # gateway) and Microsoft-Windows-DNS-Client Interfaces/Interface DNSServerSearchOrder/IpAddress,
    # joined by Identifier.
    param([System.Xml.XmlDocument]$Doc)
    $interfaces = [System.Collections.Generic.List[object]]::new()
    $problems = [System.Collections.Generic.List[string]]::new()
    $specialize = "//*[local-name()='settings'][@pass='specialize']/*[local-name()='component']"
    $byKey = @{}
    foreach ($node in @($Doc.SelectNodes("$specialize[@name='Microsoft-Windows-TCPIP']/*[local-name()='Interfaces']/*[local-name()='Interface']"))) {
        $identifier = $node.SelectSingleNode("*[local-name()='Identifier']")
        if (-not $identifier -or -not $identifier.InnerText.Trim()) { $problems.Add('unattend Microsoft-Windows-TCPIP: an Interface without Identifier is ignored'); continue }
        $idText = $identifier.InnerText.Trim()
        $match = [ordered]@{}
        $mac = ConvertTo-NormalizedMac $idText
        if ($mac) { $match['macAddress'] = $mac } else { $match['name'] = $idText }
        $dhcpNode = $node.SelectSingleNode("*[local-name()='Ipv4Settings']/*[local-name()='DhcpEnabled']")
        $dhcp = if ($dhcpNode) { $dhcpNode.InnerText.Trim() -ieq 'true' } else { $true }
        $addresses = [System.Collections.Generic.List[string]]::new()
        foreach ($a in @($node.SelectNodes("*[local-name()='UnicastIpAddresses']/*[local-name()='IpAddress']"))) {
            $t = $a.InnerText.Trim()
            if (Test-IPv4Cidr $t) { $addresses.Add($t) }
            elseif (-not $t.Contains(':')) { $problems.Add("unattend Interface ${idText}: IpAddress '$t' is not IPv4 CIDR (a.b.c.d/n)") }
        }
        $gateway = $null
        foreach ($r in @($node.SelectNodes("*[local-name()='Routes']/*[local-name()='Route']"))) {
            $prefix = $r.SelectSingleNode("*[local-name()='Prefix']")
            $hop = $r.SelectSingleNode("*[local-name()='NextHopAddress']")
            if ($prefix -and $hop -and $prefix.InnerText.Trim() -eq '0.0.0.0/0' -and (Test-IPv4Text $hop.InnerText.Trim())) { $gateway = $hop.InnerText.Trim(); break }
        }
        $entry = [ordered]@{ id = "Interface $idText"; match = $match; dhcp4 = $dhcp; addresses = $addresses.ToArray(); gateway = $gateway; dns = [string[]]@() }
        $interfaces.Add($entry)
        $byKey[$(if ($mac) { $mac } else { $idText.ToUpperInvariant() })] = $entry
    }
    foreach ($node in @($Doc.SelectNodes("$specialize[@name='Microsoft-Windows-DNS-Client']/*[local-name()='Interfaces']/*[local-name()='Interface']"))) {
        $identifier = $node.SelectSingleNode("*[local-name()='Identifier']")
        if (-not $identifier) { continue }
        $idText = $identifier.InnerText.Trim()
        $mac = ConvertTo-NormalizedMac $idText
        $key = if ($mac) { $mac } else { $idText.ToUpperInvariant() }
        $servers = [string[]]@(@($node.SelectNodes("*[local-name()='DNSServerSearchOrder']/*[local-name()='IpAddress']")) | ForEach-Object { $_.InnerText.Trim() } | Where-Object { Test-IPv4Text $_ })
        if ($byKey.ContainsKey($key)) { $byKey[$key].dns = $servers; continue }
        # DNS servers for an interface the TCPIP component leaves to DHCP.
        $match = [ordered]@{}
        if ($mac) { $match['macAddress'] = $mac } else { $match['name'] = $idText }
        $entry = [ordered]@{ id = "Interface $idText"; match = $match; dhcp4 = $true; addresses = [string[]]@(); gateway = $null; dns = $servers }
        $interfaces.Add($entry)
        $byKey[$key] = $entry
    }
    @{ interfaces = $interfaces.ToArray(); problems = $problems.ToArray() }
}
