# Secrets for a script written by `hvguest create --emit FILE --no-secrets`: the script embeds
# seed media whose files hold each secret as a token @@HVGUEST-SECRET:<parameter>:<form>@@. When
# it runs, it asks for each secret (Read-Host -AsSecureString), turns it into text in memory only,
# computes the form each token asks for, and rewrites the files inside the embedded ISO image
# before the create-guest request carries the image to the runtime. This file is embedded in the
# script verbatim; it defines functions and two constants, nothing else. Everything it is given
# (parameter names, descriptions, the image and the layout of its files) arrives as data, never
# as script text.
#
# Forms (the same as hvguest writes itself, src/render/secret-value.ts):
#   sha512crypt                    SHA-512 crypt, `$6$` + 16-character random salt, 5000 rounds:
#                                  Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512"
#                                  (the published specification, akkadia.org/drepper/SHA-crypt.txt)
#   unattend-Password              base64 of the UTF-16LE bytes of value + 'Password'
#   unattend-AdministratorPassword base64 of the UTF-16LE bytes of value + 'AdministratorPassword'
# (`plain`, the value itself, is refused when the script is written: it cannot be escaped for its
# file's format at that point.)

$HvCryptAlphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
# The most UTF-16 code units a secret may have: the room each file of the image has for its forms
# was reserved for this length when the script was written (src/execute/emit-script.ts).
$HvSecretMaxLength = 1024

function New-HvCryptSalt {
    [CmdletBinding()]
    param()
    # 16 characters, the scheme's maximum; 64 symbols, so a byte's low 6 bits pick one without bias.
    $bytes = New-Object byte[] 16
    $rng = [Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $chars = foreach ($b in $bytes) { $HvCryptAlphabet[$b -band 63] }
    -join $chars
}

function Get-HvSha512Digest {
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.Generic.List[byte[]]]$Parts)
    $stream = New-Object IO.MemoryStream
    foreach ($p in $Parts) { $stream.Write($p, 0, $p.Length) }
    $sha = [Security.Cryptography.SHA512]::Create()
    try { , $sha.ComputeHash($stream.ToArray()) } finally { $sha.Dispose(); $stream.Dispose() }
}

# `Length` bytes of `Digest` repeated (steps 11, 16, 20 of the specification).
function Get-HvRepeatedBytes {
    [CmdletBinding()]
    param([Parameter(Mandatory)][byte[]]$Digest, [Parameter(Mandatory)][int]$Length)
    $out = New-Object byte[] $Length
    for ($i = 0; $i -lt $Length; $i += 64) { [Array]::Copy($Digest, 0, $out, $i, [Math]::Min(64, $Length - $i)) }
    , $out
}

function ConvertTo-HvSha512Crypt {
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowEmptyString()][string]$Value, [string]$Salt)
    if (-not $Salt) { $Salt = New-HvCryptSalt }
    if ($Salt.Length -gt 16) { $Salt = $Salt.Substring(0, 16) }
    $p = [Text.UTF8Encoding]::new($false).GetBytes($Value)
    $s = [Text.Encoding]::ASCII.GetBytes($Salt)
    $list = { param($items) $l = New-Object 'System.Collections.Generic.List[byte[]]'; foreach ($i in $items) { $l.Add([byte[]]$i) }; , $l }

    # Steps 4-8: digest B of password, salt, password.
    $b = Get-HvSha512Digest -Parts (& $list @(, $p + , $s + , $p))
    # Steps 1-3, 9-12: digest A.
    $a = & $list @(, $p + , $s)
    $a.Add((Get-HvRepeatedBytes -Digest $b -Length $p.Length))
    $empty = New-Object byte[] 0
    for ($n = $p.Length; $n -gt 0; $n = $n -shr 1) {
        if (($n -band 1) -eq 1) { $a.Add($b) } else { $a.Add($p) }
    }
    $digestA = Get-HvSha512Digest -Parts $a
    # Steps 13-16: P, the password's digest repeated to the password's length.
    $dp = & $list @()
    for ($i = 0; $i -lt $p.Length; $i++) { $dp.Add($p) }
    $pBytes = Get-HvRepeatedBytes -Digest (Get-HvSha512Digest -Parts $dp) -Length $p.Length
    # Steps 17-20: S, the salt's digest (salt repeated 16 + A[0] times) cut to the salt's length.
    $ds = & $list @()
    for ($i = 0; $i -lt (16 + [int]$digestA[0]); $i++) { $ds.Add($s) }
    $sBytes = Get-HvRepeatedBytes -Digest (Get-HvSha512Digest -Parts $ds) -Length $s.Length
    # Step 21: 5000 rounds.
    $c = $digestA
    $sha = [Security.Cryptography.SHA512]::Create()
    try {
        for ($r = 0; $r -lt 5000; $r++) {
            $stream = New-Object IO.MemoryStream
            if (($r -band 1) -eq 1) { $stream.Write($pBytes, 0, $pBytes.Length) } else { $stream.Write($c, 0, 64) }
            if (($r % 3) -ne 0) { $stream.Write($sBytes, 0, $sBytes.Length) }
            if (($r % 7) -ne 0) { $stream.Write($pBytes, 0, $pBytes.Length) }
            if (($r -band 1) -eq 1) { $stream.Write($c, 0, 64) } else { $stream.Write($pBytes, 0, $pBytes.Length) }
            $c = $sha.ComputeHash($stream.ToArray())
            $stream.Dispose()
        }
    } finally { $sha.Dispose() }
    # Step 22: the digest in the scheme's base64, its bytes in this order, 4 characters per 3 bytes.
    $order = @(0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41)
    $text = New-Object Text.StringBuilder
    for ($i = 0; $i -lt $order.Count; $i += 3) {
        $w = ([int]$c[$order[$i]] -shl 16) -bor ([int]$c[$order[$i + 1]] -shl 8) -bor [int]$c[$order[$i + 2]]
        for ($k = 0; $k -lt 4; $k++) { [void]$text.Append($HvCryptAlphabet[$w -band 63]); $w = $w -shr 6 }
    }
    $w = [int]$c[63]
    for ($k = 0; $k -lt 2; $k++) { [void]$text.Append($HvCryptAlphabet[$w -band 63]); $w = $w -shr 6 }
    '$6$' + $Salt + '$' + $text.ToString()
}

function ConvertTo-HvUnattendPassword {
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowEmptyString()][string]$Value, [Parameter(Mandatory)][ValidateSet('Password', 'AdministratorPassword')][string]$Element)
    [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Value + $Element))
}

# One form of a value, as a token names it.
function ConvertTo-HvSecretForm {
    [CmdletBinding()]
    param([Parameter(Mandatory)][AllowEmptyString()][string]$Value, [Parameter(Mandatory)][string]$Form)
    switch ($Form) {
        'sha512crypt' { return (ConvertTo-HvSha512Crypt -Value $Value) }
        'unattend-Password' { return (ConvertTo-HvUnattendPassword -Value $Value -Element 'Password') }
        'unattend-AdministratorPassword' { return (ConvertTo-HvUnattendPassword -Value $Value -Element 'AdministratorPassword') }
        default { throw ("the seed media asks for the form '{0}', which this script cannot compute" -f $Form) }
    }
}

# Asks for one secret twice at the console, hidden; returns it as text (it lives in this
# process's memory only; the BSTR copy is zeroed at once).
function Read-HvSecret {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Parameter, [AllowEmptyString()][string]$Description)
    # Control characters in a name or description would reach the terminal: shown as spaces.
    $label = $Parameter -replace '[\x00-\x1f\x7f-\x9f]', ' '
    if ($Description) { $label = '{0} ({1})' -f $label, ($Description -replace '[\x00-\x1f\x7f-\x9f]', ' ') }
    $values = foreach ($prompt in @(('Secret {0}' -f $label), ('Type {0} again' -f ($Parameter -replace '[\x00-\x1f\x7f-\x9f]', ' ')))) {
        $secure = Read-Host -AsSecureString -Prompt $prompt
        $bstr = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
        try { [Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr) } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr); $secure.Dispose() }
    }
    $values = @($values)
    if ($values.Count -ne 2 -or -not [string]::Equals($values[0], $values[1], [StringComparison]::Ordinal)) { throw ('the two entries of {0} differ' -f $label) }
    # An empty secret is no secret (hvguest does not hash one either: the templates lock the account instead).
    if ($values[0].Length -eq 0) { throw ('{0} is empty: an empty secret cannot be written' -f $label) }
    if ($values[0].Length -gt $HvSecretMaxLength) { throw ('{0} is longer than {1} characters, the most the seed media has room for' -f $label, $HvSecretMaxLength) }
    $values[0]
}

# Rewrites the files of an ISO image in place: each token replaced by its form (fresh salt per
# use), the file's sectors zero-filled past the new content, and the data-length fields of its
# directory records (primary and Joliet, both byte orders) set to the new length.
function Update-HvSeedImage {
    [CmdletBinding()]
    param([Parameter(Mandatory)][byte[]]$Image, [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Files, [Parameter(Mandatory)][hashtable]$Values)
    $utf8 = [Text.UTF8Encoding]::new($false, $true)
    $pattern = [regex]'@@HVGUEST-SECRET:([^:@]+):([A-Za-z0-9-]+)@@'
    foreach ($f in $Files) {
        $offset = [int]$f.offset
        $room = [int]$f.sectors * 2048
        $text = $utf8.GetString($Image, $offset, [int]$f.length)
        $evaluator = [Text.RegularExpressions.MatchEvaluator] {
            param($m)
            $name = $m.Groups[1].Value
            if (-not $Values.ContainsKey($name)) { throw ("{0} holds the secret {1}, which was not asked for" -f $f.name, $name) }
            ConvertTo-HvSecretForm -Value $Values[$name] -Form $m.Groups[2].Value
        }
        $bytes = $utf8.GetBytes($pattern.Replace($text, $evaluator))
        if ($bytes.Length -gt $room) { throw ("{0} with its secrets filled in is {1} bytes, more than the {2} reserved for it" -f $f.name, $bytes.Length, $room) }
        [Array]::Clear($Image, $offset, $room)
        [Array]::Copy($bytes, 0, $Image, $offset, $bytes.Length)
        $le = [BitConverter]::GetBytes([uint32]$bytes.Length)
        if (-not [BitConverter]::IsLittleEndian) { [Array]::Reverse($le) }
        foreach ($at in @($f.lengthFields)) {
            for ($k = 0; $k -lt 4; $k++) { $Image[[int]$at + $k] = $le[$k]; $Image[[int]$at + 7 - $k] = $le[$k] }
        }
    }
}
