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
    # bodies, and how the installation ends (reboot, poweroff, shutdown, halt, or $null).
    param([string]$Text)
    $result = [ordered]@{ packages = @(); hostname = $null; post = @(); completion = $null }
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
            }
            { $_ -in 'reboot', 'poweroff', 'shutdown', 'halt' } { $result.completion = $words[0] }
        }
    }
    if ($section -eq 'post') { $post.Add($body.ToString()) }
    $result.packages = $packages.ToArray()
    $result.post = $post.ToArray()
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
    # runs the integration services setup (support\amd64\setup.exe, any case). Namespaces and the
    # processorArchitecture attribute are not checked. Throws when the XML does not parse.
    param([string]$Text)
    $doc = [System.Xml.XmlDocument]::new()
    # Answer files carry no DTD; never resolve one (an answer file is data).
    $doc.XmlResolver = $null
    $doc.LoadXml($Text)
    $name = $doc.SelectSingleNode("//*[local-name()='settings'][@pass='specialize']/*[local-name()='component'][@name='Microsoft-Windows-Shell-Setup']/*[local-name()='ComputerName']")
    $commands = @($doc.SelectNodes("//*[local-name()='RunSynchronousCommand']/*[local-name()='Path'] | //*[local-name()='FirstLogonCommands']//*[local-name()='CommandLine']") | ForEach-Object { $_.InnerText })
    [ordered]@{
        computerName = $(if ($name) { $name.InnerText.Trim() } else { $null })
        runsIcSetup  = @($commands | Where-Object { $_ -match '(?i)support\\amd64\\setup\.exe' }).Count -gt 0
    }
}
