# Packages serviced into images (Add-WindowsPackage -Path on a mounted VHD) live in each VHD file's
# header (Shared/VhdFile.ps1), not in the state file: a file deleted by anyone takes its packages
# with it. This finds them on the host's drives, for Get-HvEmulatorState's windowsPackages.

function Get-ServicedImagePackage {
    # {image (Windows path), packagePath} for every VHD file (.vhd, .vhdx, .avhd, .avhdx) on the
    # state's drives whose header records packages; images by path, packages in the order added.
    param([System.Collections.IDictionary]$State, [string]$StatePath)
    $drives = $State['drives']
    if (-not $drives) { return @() }
    $stateDir = [System.IO.Path]::GetDirectoryName($StatePath)
    $options = [System.IO.EnumerationOptions]::new()
    $options.RecurseSubdirectories = $true
    $options.IgnoreInaccessible = $true
    $options.AttributesToSkip = [System.IO.FileAttributes]::ReparsePoint
    $seen = [System.Collections.Generic.HashSet[string]]::new()
    $images = [System.Collections.Generic.List[object]]::new()
    foreach ($letter in @($drives.Keys | Sort-Object)) {
        $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($stateDir, [string]$drives[$letter]))
        if (-not [System.IO.Directory]::Exists($root)) { continue }
        foreach ($file in [System.IO.Directory]::EnumerateFiles($root, '*', $options)) {
            if ($file -notmatch '\.a?vhdx?$' -or -not $seen.Add($file)) { continue }
            $packages = @(try { Get-VhdFilePackages -LocalPath $file } catch { })
            if ($packages.Count -eq 0) { continue }
            $relative = [System.IO.Path]::GetRelativePath($root, $file).Split([char[]]@('/', '\'))
            $images.Add([pscustomobject]@{ Image = ([string]$letter).ToUpperInvariant() + ':\' + ($relative -join '\'); Packages = $packages })
        }
    }
    foreach ($i in @($images | Sort-Object -Property Image)) {
        foreach ($p in $i.Packages) { [ordered]@{ image = $i.Image; packagePath = [string]$p['packagePath'] } }
    }
}
