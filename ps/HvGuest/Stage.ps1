# hvguest runtime stager (docs/remote-hosts.md, "The runtime on the far side"). Nothing of hvguest
# is on a remote host before its first session, so Node sends this file's statements as the
# session's first line (src/powershell/ssh-transport.ts joins its lines with '; ': one statement
# or block edge per line, no comment after code, hashtables on one line), with two arguments:
#   ConfigBase64   base64 of UTF-8 JSON {version, digest, files: [{path, size, sha256}]}
#   PayloadBase64  '' to ask whether the host holds that runtime; else base64 of the gzip of
#                  every file's bytes in manifest order, to write it
# The runtime lives in %LOCALAPPDATA%\hvguest\runtime\<version>-<digest> on Windows, and in
# $XDG_CACHE_HOME/hvguest/runtime/... (else ~/.cache/...) elsewhere: folders of the user hvguest
# logs in as, which other users of the host cannot write (under ProgramData, any user may create
# a folder first and own it, then change a file between the check and the import). Every file of a cached copy
# is checked against the manifest (size and sha256) before use; a copy that fails the check is
# replaced. A payload is written to a folder of its own, checked, then renamed into place
# ([System.IO.Directory]::Move, which fails when the target exists: Move-Item would move the
# folder INTO it), so a session never sees half a copy, and of two sessions staging at once the
# second finds the first's copy and drops its own. Answers with one protocol result line (action "stage"), and
# sets $global:HvGuestStagedRoot for the bootstrap line that follows. Windows PowerShell 5.1 and
# pwsh 7; only [Console]::Out reaches stdout (in a PSSession, run by ps/remoting/Remote.ps1 with Invoke-Command
# -FilePath: $Host.UI, which remoting carries back).
param([string]$ConfigBase64, [string]$PayloadBase64)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$stageData = $null
$stageError = $null
try {
$config = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ConfigBase64)))
if ($config.version -notmatch '^[0-9.]+$' -or $config.digest -notmatch '^[0-9a-f]{64}$') { throw 'the stage config has no valid version and digest' }
$onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
if ($onWindows -and $env:LOCALAPPDATA) {
$base = Join-Path $env:LOCALAPPDATA 'hvguest'
} elseif ($env:XDG_CACHE_HOME) {
$base = Join-Path $env:XDG_CACHE_HOME 'hvguest'
} else {
$base = Join-Path (Join-Path $HOME '.cache') 'hvguest'
}
$runtimes = Join-Path $base 'runtime'
$root = Join-Path $runtimes ($config.version + '-' + $config.digest.Substring(0, 16))
$sha = [System.Security.Cryptography.SHA256]::Create()
function Test-StagedRuntime { param([string]$Folder) foreach ($f in $config.files) { $file = Join-Path $Folder $f.path; if (-not [System.IO.File]::Exists($file)) { return $false }; $bytes = [System.IO.File]::ReadAllBytes($file); if ($bytes.Length -ne [int64]$f.size) { return $false }; if ([System.BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '').ToLowerInvariant() -ne $f.sha256) { return $false } }; return $true }
if ([string]::IsNullOrEmpty($PayloadBase64)) {
$present = (Test-Path -LiteralPath $root -PathType Container) -and (Test-StagedRuntime -Folder $root)
$stageData = [ordered]@{ state = $(if ($present) { 'present' } else { 'missing' }); root = $root }
} else {
$staging = $root + '.staging-' + [guid]::NewGuid().ToString('N')
$packed = New-Object System.IO.MemoryStream (, [System.Convert]::FromBase64String($PayloadBase64))
$gzip = New-Object System.IO.Compression.GZipStream ($packed, [System.IO.Compression.CompressionMode]::Decompress)
$unpacked = New-Object System.IO.MemoryStream
$gzip.CopyTo($unpacked)
$gzip.Dispose()
$all = $unpacked.ToArray()
$offset = 0
foreach ($f in $config.files) {
if ($f.path -match '(^|[\\/])\.\.([\\/]|$)' -or [System.IO.Path]::IsPathRooted($f.path)) { throw "the stage manifest names a path outside the runtime: $($f.path)" }
$file = Join-Path $staging $f.path
$null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($file))
$bytes = New-Object byte[] ([int64]$f.size)
[System.Array]::Copy($all, $offset, $bytes, 0, $bytes.Length)
[System.IO.File]::WriteAllBytes($file, $bytes)
$offset += $bytes.Length
}
if ($offset -ne $all.Length -or -not (Test-StagedRuntime -Folder $staging)) { throw 'the runtime payload does not match its manifest (sizes or sha256)' }
if (Test-Path -LiteralPath $root) {
if (Test-StagedRuntime -Folder $root) {
Remove-Item -LiteralPath $staging -Recurse -Force
} else {
Remove-Item -LiteralPath $root -Recurse -Force
[System.IO.Directory]::Move($staging, $root)
}
} else {
try {
[System.IO.Directory]::Move($staging, $root)
} catch {
if (-not ((Test-Path -LiteralPath $root) -and (Test-StagedRuntime -Folder $root))) { throw }
Remove-Item -LiteralPath $staging -Recurse -Force
}
}
$stageData = [ordered]@{ state = 'written'; root = $root }
}
$global:HvGuestStagedRoot = $root
} catch {
$stageError = [ordered]@{ step = 'stage'; cmdlet = $null; message = $_.Exception.Message; category = [string]$_.CategoryInfo.Category }
}
$stageResult = [ordered]@{ hvguest = 1; type = 'result'; ok = ($null -eq $stageError); action = 'stage' }
if ($null -ne $stageData) { $stageResult.data = $stageData }
if ($null -ne $stageError) { $stageResult.error = $stageError }
$stageLine = [regex]::Replace((ConvertTo-Json -InputObject $stageResult -Depth 5 -Compress), '[^\x00-\x7E]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($Host.Name -eq 'ServerRemoteHost') {
$Host.UI.WriteLine($stageLine)
} else {
[Console]::Out.WriteLine($stageLine)
[Console]::Out.Flush()
}
