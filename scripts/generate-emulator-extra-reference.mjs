#!/usr/bin/env node
// Writes ps/emulator/reference/extra-cmdlets.json: the documented parameter sets of the cmdlets the
// runtime calls that ps/emulator/reference/hyperv-cmdlets.json lacks. Each entry below is a
// transcription of its doc file (SYNTAX blocks verbatim, and per parameter the facts of its PARAMETERS
// yaml block), at the commit named, read from github.com/MicrosoftDocs. The output has the same
// format as hyperv-cmdlets.json (see its _meta.method, which this script applies).
//   node scripts/generate-emulator-extra-reference.mjs [--check]
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const OUT = fileURLToPath(new URL('../ps/emulator/reference/extra-cmdlets.json', import.meta.url))
const WPD = 'MicrosoftDocs/windows-powershell-docs'
// The commit scripts/generate-version-reference.mjs pins (the last one holding all six docsets).
const PINNED = '93986fd2fff9f5b715ad56418b50192ccc7c5128'
const ALL = '(All)'
const CIM = {type: 'CimSession[]', sets: ALL, aliases: ['Session']}
const THROTTLE = {type: 'Int32', sets: ALL}
const ASJOB = {type: 'SwitchParameter', sets: ALL}
const HV_REMOTE = (sets) => ({
  CimSession: {type: 'CimSession[]', sets},
  ComputerName: {type: 'String[]', sets},
  Credential: {type: 'PSCredential[]', sets},
})

const DOCS = [
  {
    cmdlet: 'Remove-VMDvdDrive', module: 'Hyper-V', repo: WPD, commit: '490974e7ab24f60b5111c4e5de3be657259a86f0',
    docFile: 'docset/winserver2022-ps/Hyper-V/Remove-VMDvdDrive.md', help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml',
    sets: [
      ['VMName', true, 'Remove-VMDvdDrive [-CimSession <CimSession[]>] [-ComputerName <String[]>] [-Credential <PSCredential[]>] [-VMName] <String> [-ControllerNumber] <Int32> [-ControllerLocation] <Int32> [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['VMDvdDrive', false, 'Remove-VMDvdDrive [-VMDvdDrive] <DvdDrive[]> [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
    ],
    params: {
      ...HV_REMOTE(['VMName']),
      VMName: {type: 'String', sets: ['VMName'], position: 0},
      ControllerNumber: {type: 'Int32', sets: ['VMName'], position: 1},
      ControllerLocation: {type: 'Int32', sets: ['VMName'], position: 2},
      Passthru: {type: 'SwitchParameter', sets: ALL},
      VMDvdDrive: {type: 'DvdDrive[]', sets: ['VMDvdDrive'], position: 0, pipeline: 'True (ByValue)'},
    },
    inputs: [], outputs: ['None', 'Microsoft.HyperV.PowerShell.DriveController (with -PassThru)'],
    notes: ['VMName set requires -VMName, -ControllerNumber and -ControllerLocation (positions 0, 1, 2).'],
  },
  {
    cmdlet: 'Remove-VMNetworkAdapter', module: 'Hyper-V', repo: WPD, commit: '490974e7ab24f60b5111c4e5de3be657259a86f0',
    docFile: 'docset/winserver2022-ps/Hyper-V/Remove-VMNetworkAdapter.md', help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml',
    sets: [
      ['VMName', true, 'Remove-VMNetworkAdapter [-CimSession <CimSession[]>] [-ComputerName <String[]>] [-Credential <PSCredential[]>] [-VMName] <String[]> [-Name <String>] [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ResourceObject', false, 'Remove-VMNetworkAdapter [-VMNetworkAdapter] <VMNetworkAdapterBase[]> [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ManagementOS', false, 'Remove-VMNetworkAdapter [-ManagementOS] [-CimSession <CimSession[]>] [-ComputerName <String[]>] [-Credential <PSCredential[]>] [-Name <String>] [-SwitchName <String>] [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['VMObject', false, 'Remove-VMNetworkAdapter [-VM] <VirtualMachine[]> [-Name <String>] [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
    ],
    params: {
      ...HV_REMOTE(['VMName', 'ManagementOS']),
      ManagementOS: {type: 'SwitchParameter', sets: ['ManagementOS'], required: true},
      Name: {type: 'String', sets: ['VMName', 'ManagementOS', 'VMObject'], aliases: ['VMNetworkAdapterName']},
      Passthru: {type: 'SwitchParameter', sets: ALL},
      SwitchName: {type: 'String', sets: ['ManagementOS']},
      VM: {type: 'VirtualMachine[]', sets: ['VMObject'], position: 0, pipeline: 'True (ByValue)'},
      VMName: {type: 'String[]', sets: ['VMName'], position: 0, pipeline: 'True (ByValue)'},
      VMNetworkAdapter: {type: 'VMNetworkAdapterBase[]', sets: ['ResourceObject'], position: 0, pipeline: 'True (ByValue)'},
    },
    inputs: [], outputs: ['None', 'Microsoft.HyperV.PowerShell.VMNetworkAdapter (with -PassThru)'],
    notes: ['-Name (alias VMNetworkAdapterName) selects the adapter by name; without it every adapter of the VM is removed.'],
  },
  {
    cmdlet: 'Get-Disk', module: 'Storage', repo: WPD, commit: '19bdc414844c053904306cb41b4a9f26347c7096',
    docFile: 'docset/winserver2022-ps/storage/Get-Disk.md', help: 'Disk.cdxml-help.xml', shouldProcess: false,
    sets: [
      ['ByNumber', true, 'Get-Disk [[-Number] <UInt32[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByUniqueId', false, 'Get-Disk [-UniqueId <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByName', false, 'Get-Disk [-FriendlyName <String[]>] [-SerialNumber <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPath', false, 'Get-Disk [-Path <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPartition', false, 'Get-Disk [-Partition <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByVirtualDisk', false, 'Get-Disk [-VirtualDisk <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByiSCSISession', false, 'Get-Disk [-iSCSISession <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByiSCSIConnection', false, 'Get-Disk [-iSCSIConnection <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageSubSystem', false, 'Get-Disk [-StorageSubSystem <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageNode', false, 'Get-Disk [-StorageNode <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageJob', false, 'Get-Disk [-StorageJob <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      FriendlyName: {type: 'String[]', sets: ['ByName']},
      Number: {type: 'UInt32[]', sets: ['ByNumber'], aliases: ['DeviceId'], position: 0, pipeline: 'True (ByPropertyName)'},
      Partition: {type: 'CimInstance', sets: ['ByPartition'], pipeline: 'True (ByValue)'},
      Path: {type: 'String[]', sets: ['ByPath'], pipeline: 'True (ByPropertyName)'},
      SerialNumber: {type: 'String[]', sets: ['ByName']},
      StorageJob: {type: 'CimInstance', sets: ['ByStorageJob'], pipeline: 'True (ByValue)'},
      StorageNode: {type: 'CimInstance', sets: ['ByStorageNode'], pipeline: 'True (ByValue)'},
      StorageSubSystem: {type: 'CimInstance', sets: ['ByStorageSubSystem'], pipeline: 'True (ByValue)'},
      UniqueId: {type: 'String[]', sets: ['ByUniqueId'], aliases: ['Id']},
      VirtualDisk: {type: 'CimInstance', sets: ['ByVirtualDisk'], pipeline: 'True (ByValue)'},
      iSCSIConnection: {type: 'CimInstance', sets: ['ByiSCSIConnection'], pipeline: 'True (ByValue)'},
      iSCSISession: {type: 'CimInstance', sets: ['ByiSCSISession'], pipeline: 'True (ByValue)'},
    },
    inputs: ['MSFT_IscsiConnection', 'MSFT_IscsiSession', 'MSFT_Partition', 'MSFT_VirtualDisk'],
    outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Disk'],
    notes: ['Get-Disk -Number N (positional 0, alias DeviceId). Disk objects pipe to Get-Partition (-Disk, ByValue).'],
  },
  {
    cmdlet: 'Get-Partition', module: 'Storage', repo: WPD, commit: '366e8c1315a66293da79ccc49ed31c5719af4e25',
    docFile: 'docset/winserver2022-ps/storage/Get-Partition.md', help: 'Partition.cdxml-help.xml', shouldProcess: false,
    sets: [
      ['ByUniqueId', true, 'Get-Partition [-UniqueId <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ById', false, 'Get-Partition -DiskId <String[]> [-Offset <UInt64[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByNumber', false, 'Get-Partition [[-DiskNumber] <UInt32[]>] [[-PartitionNumber] <UInt32[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByDriveLetter', false, 'Get-Partition [-DriveLetter <Char[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByDisk', false, 'Get-Partition [-Disk <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByVolume', false, 'Get-Partition [-Volume <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageSubSystem', false, 'Get-Partition [-StorageSubSystem <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      Disk: {type: 'CimInstance', sets: ['ByDisk'], pipeline: 'True (ByValue)'},
      DiskId: {type: 'String[]', sets: ['ById'], aliases: ['DiskPath'], pipeline: 'True (ByPropertyName)'},
      DiskNumber: {type: 'UInt32[]', sets: ['ByNumber'], position: 0, pipeline: 'True (ByPropertyName)'},
      DriveLetter: {type: 'Char[]', sets: ['ByDriveLetter'], pipeline: 'True (ByPropertyName)'},
      Offset: {type: 'UInt64[]', sets: ['ById'], pipeline: 'True (ByPropertyName)'},
      PartitionNumber: {type: 'UInt32[]', sets: ['ByNumber'], aliases: ['Number'], position: 1},
      StorageSubSystem: {type: 'CimInstance', sets: ['ByStorageSubSystem'], pipeline: 'True (ByValue)'},
      UniqueId: {type: 'String[]', sets: ['ByUniqueId'], pipeline: 'True (ByPropertyName)'},
      Volume: {type: 'CimInstance', sets: ['ByVolume'], pipeline: 'True (ByValue)'},
    },
    inputs: ['MSFT_Disk', 'MSFT_VirtualDisk', 'MSFT_Volume'],
    outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Partition'],
    notes: ['Partition objects carry DiskNumber, PartitionNumber, DriveLetter (a [char], NUL when none), Offset, Size, Type.'],
  },
  {
    cmdlet: 'Set-Disk', module: 'Storage', repo: WPD, commit: '68be6be7d1afa19805966d861053e7292b3f120d',
    docFile: 'docset/winserver2022-ps/storage/Set-Disk.md', help: 'StorageCmdlets.cdxml-help.xml', shouldProcess: false,
    sets: [
      ['ByNumberAttributes', true, 'Set-Disk [-Number] <UInt32> [-IsReadOnly <Boolean>] [-Signature <UInt32>] [-Guid <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByObjectAttributes', false, 'Set-Disk -InputObject <CimInstance[]> [-IsReadOnly <Boolean>] [-Signature <UInt32>] [-Guid <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByObject', false, 'Set-Disk -InputObject <CimInstance[]> [-IsOffline <Boolean>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByObjectConvertStyle', false, 'Set-Disk -InputObject <CimInstance[]> [-PartitionStyle <PartitionStyle>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByNumberConvertStyle', false, 'Set-Disk [-PartitionStyle <PartitionStyle>] [-Number] <UInt32> [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPathConvertStyle', false, 'Set-Disk [-PartitionStyle <PartitionStyle>] -Path <String> [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByIdConvertStyle', false, 'Set-Disk [-PartitionStyle <PartitionStyle>] -UniqueId <String> [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByIdAttributes', false, 'Set-Disk -UniqueId <String> [-IsReadOnly <Boolean>] [-Signature <UInt32>] [-Guid <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ById', false, 'Set-Disk -UniqueId <String> [-IsOffline <Boolean>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPathAttributes', false, 'Set-Disk -Path <String> [-IsReadOnly <Boolean>] [-Signature <UInt32>] [-Guid <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPath', false, 'Set-Disk -Path <String> [-IsOffline <Boolean>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByNumber', false, 'Set-Disk [-Number] <UInt32> [-IsOffline <Boolean>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      Guid: {type: 'String', sets: ['ByNumberAttributes', 'ByObjectAttributes', 'ByIdAttributes', 'ByPathAttributes']},
      InputObject: {type: 'CimInstance[]', sets: ['ByObjectAttributes', 'ByObject', 'ByObjectConvertStyle'], pipeline: 'True (ByValue)'},
      IsOffline: {type: 'Boolean', sets: ['ByObject', 'ById', 'ByPath', 'ByNumber']},
      IsReadOnly: {type: 'Boolean', sets: ['ByNumberAttributes', 'ByObjectAttributes', 'ByIdAttributes', 'ByPathAttributes']},
      Number: {type: 'UInt32', sets: ['ByNumberAttributes', 'ByNumberConvertStyle', 'ByNumber'], position: 0, pipeline: 'True (ByPropertyName)'},
      PartitionStyle: {type: 'PartitionStyle', sets: ['ByObjectConvertStyle', 'ByNumberConvertStyle', 'ByPathConvertStyle', 'ByIdConvertStyle'], accepted: ['Unknown', 'MBR', 'GPT']},
      Path: {type: 'String', sets: ['ByPathConvertStyle', 'ByPathAttributes', 'ByPath'], pipeline: 'True (ByPropertyName)'},
      Signature: {type: 'UInt32', sets: ['ByNumberAttributes', 'ByObjectAttributes', 'ByIdAttributes', 'ByPathAttributes']},
      UniqueId: {type: 'String', sets: ['ByIdConvertStyle', 'ByIdAttributes', 'ById'], pipeline: 'True (ByPropertyName)'},
    },
    inputs: ['MSFT_Disk'], outputs: ['None'],
    notes: ['-IsOffline and -IsReadOnly are in different parameter sets: `Set-Disk -Number N -IsOffline $false -IsReadOnly $false` cannot bind; make two calls (inference from the sets).'],
  },
  {
    cmdlet: 'Get-Volume', module: 'Storage', repo: WPD, commit: '071b3ece17c983ca7b9b9a0c101591ae1d44db8e',
    docFile: 'docset/winserver2022-ps/storage/Get-Volume.md', help: 'Volume.cdxml-help.xml', shouldProcess: false,
    sets: [
      ['ByDriveLetter', true, 'Get-Volume [[-DriveLetter] <Char[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ById', false, 'Get-Volume [-ObjectId <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByUniqueId', false, 'Get-Volume [-UniqueId <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPaths', false, 'Get-Volume [-Path <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByLabel', false, 'Get-Volume [-FileSystemLabel <String[]>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByPartition', false, 'Get-Volume [-Partition <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByDiskImage', false, 'Get-Volume [-DiskImage <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageSubSystem', false, 'Get-Volume [-StorageSubSystem <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStoragePool', false, 'Get-Volume [-StoragePool <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageNode', false, 'Get-Volume [-StorageNode <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageFileServer', false, 'Get-Volume [-StorageFileServer <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByFileShare', false, 'Get-Volume [-FileShare <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByStorageJob', false, 'Get-Volume [-StorageJob <CimInstance>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByFilePath', false, 'Get-Volume [-FilePath <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      DiskImage: {type: 'CimInstance', sets: ['ByDiskImage'], pipeline: 'True (ByValue)'},
      DriveLetter: {type: 'Char[]', sets: ['ByDriveLetter'], position: 0, pipeline: 'True (ByPropertyName)'},
      FilePath: {type: 'String', sets: ['ByFilePath'], aliases: ['FullName'], pipeline: 'True (ByPropertyName)'},
      FileShare: {type: 'CimInstance', sets: ['ByFileShare'], pipeline: 'True (ByValue)'},
      FileSystemLabel: {type: 'String[]', sets: ['ByLabel'], pipeline: 'True (ByPropertyName)'},
      ObjectId: {type: 'String[]', sets: ['ById'], aliases: ['Id'], pipeline: 'True (ByPropertyName)'},
      Partition: {type: 'CimInstance', sets: ['ByPartition'], pipeline: 'True (ByValue)'},
      Path: {type: 'String[]', sets: ['ByPaths'], pipeline: 'True (ByPropertyName)'},
      StorageFileServer: {type: 'CimInstance', sets: ['ByStorageFileServer'], pipeline: 'True (ByValue)'},
      StorageJob: {type: 'CimInstance', sets: ['ByStorageJob'], pipeline: 'True (ByValue)'},
      StorageNode: {type: 'CimInstance', sets: ['ByStorageNode'], pipeline: 'True (ByValue)'},
      StoragePool: {type: 'CimInstance', sets: ['ByStoragePool'], pipeline: 'True (ByValue)'},
      StorageSubSystem: {type: 'CimInstance', sets: ['ByStorageSubSystem'], pipeline: 'True (ByValue)'},
      UniqueId: {type: 'String[]', sets: ['ByUniqueId'], pipeline: 'True (ByPropertyName)'},
    },
    inputs: ['MSFT_DiskImage', 'MSFT_Partition', 'MSFT_Volume'],
    outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Volume'],
    notes: ['Volume objects carry DriveLetter, FileSystem, Size and SizeRemaining (free bytes).'],
  },
  {
    cmdlet: 'Add-PartitionAccessPath', module: 'Storage', repo: WPD, commit: '0ef3f225d29e26d1cf3119f37dfff70bb6165746',
    docFile: 'docset/winserver2022-ps/Storage/Add-PartitionAccessPath.md', help: 'Partition.cdxml-help.xml',
    sets: [
      ['ByUniqueId', true, 'Add-PartitionAccessPath [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ById', false, 'Add-PartitionAccessPath -DiskId <String[]> -Offset <UInt64[]> [[-AccessPath] <String>] [-AssignDriveLetter] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ByNumber', false, 'Add-PartitionAccessPath [-DiskNumber] <UInt32[]> [-PartitionNumber] <UInt32[]> [[-AccessPath] <String>] [-AssignDriveLetter] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ByDriveLetter', false, 'Add-PartitionAccessPath -DriveLetter <Char[]> [[-AccessPath] <String>] [-AssignDriveLetter] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['InputObject', false, 'Add-PartitionAccessPath -InputObject <CimInstance[]> [[-AccessPath] <String>] [-AssignDriveLetter] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]', 'cdxml'],
    ],
    params: {
      AccessPath: {type: 'String', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject'], position: 2},
      AsJob: {type: 'SwitchParameter', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
      AssignDriveLetter: {type: 'SwitchParameter', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
      CimSession: {type: 'CimSession[]', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject'], aliases: ['Session']},
      DiskId: {type: 'String[]', sets: ['ById'], required: true, pipeline: 'True (ByPropertyName)'},
      DiskNumber: {type: 'UInt32[]', sets: ['ByNumber'], required: true, position: 0, pipeline: 'True (ByPropertyName)'},
      DriveLetter: {type: 'Char[]', sets: ['ByDriveLetter'], required: true, pipeline: 'True (ByPropertyName)'},
      InputObject: {type: 'CimInstance[]', sets: ['InputObject'], required: true, pipeline: 'True (ByValue)'},
      Offset: {type: 'UInt64[]', sets: ['ById'], required: true, pipeline: 'True (ByPropertyName)'},
      PartitionNumber: {type: 'UInt32[]', sets: ['ByNumber'], aliases: ['Number'], required: true, position: 1},
      PassThru: {type: 'SwitchParameter', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
      ThrottleLimit: {type: 'Int32', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
    },
    inputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Partition'], outputs: ['None', 'MSFT_Partition (with -PassThru)'],
    notes: ['-AccessPath: a drive letter ("F:" or "F:\\") or an empty folder on an NTFS volume; -AssignDriveLetter: the next available letter (doc DESCRIPTION and PARAMETERS).'],
  },
  {
    cmdlet: 'Remove-PartitionAccessPath', module: 'Storage', repo: WPD, commit: '0ef3f225d29e26d1cf3119f37dfff70bb6165746',
    docFile: 'docset/winserver2022-ps/Storage/Remove-PartitionAccessPath.md', help: 'Partition.cdxml-help.xml',
    sets: [
      ['ByUniqueId', true, 'Remove-PartitionAccessPath [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ById', false, 'Remove-PartitionAccessPath -DiskId <String[]> -Offset <UInt64[]> [[-AccessPath] <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ByNumber', false, 'Remove-PartitionAccessPath [-DiskNumber] <UInt32[]> [-PartitionNumber] <UInt32[]> [[-AccessPath] <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ByDriveLetter', false, 'Remove-PartitionAccessPath -DriveLetter <Char[]> [[-AccessPath] <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['InputObject', false, 'Remove-PartitionAccessPath -InputObject <CimInstance[]> [[-AccessPath] <String>] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]', 'cdxml'],
    ],
    params: {
      AccessPath: {type: 'String', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject'], position: 2},
      AsJob: {type: 'SwitchParameter', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
      CimSession: {type: 'CimSession[]', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject'], aliases: ['Session']},
      DiskId: {type: 'String[]', sets: ['ById'], required: true, pipeline: 'True (ByPropertyName)'},
      DiskNumber: {type: 'UInt32[]', sets: ['ByNumber'], required: true, position: 0, pipeline: 'True (ByPropertyName)'},
      DriveLetter: {type: 'Char[]', sets: ['ByDriveLetter'], required: true, pipeline: 'True (ByPropertyName)'},
      InputObject: {type: 'CimInstance[]', sets: ['InputObject'], required: true, pipeline: 'True (ByValue)'},
      Offset: {type: 'UInt64[]', sets: ['ById'], required: true, pipeline: 'True (ByPropertyName)'},
      PartitionNumber: {type: 'UInt32[]', sets: ['ByNumber'], aliases: ['Number'], required: true, position: 1},
      PassThru: {type: 'SwitchParameter', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
      ThrottleLimit: {type: 'Int32', sets: ['ById', 'ByNumber', 'ByDriveLetter', 'InputObject']},
    },
    inputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Partition'], outputs: ['None', 'MSFT_Partition (with -PassThru)'],
    notes: ['-AccessPath: a drive letter or a mount point (doc PARAMETERS).'],
  },
  {
    cmdlet: 'Restart-NetAdapter', module: 'NetAdapter', repo: WPD, commit: '0ef3f225d29e26d1cf3119f37dfff70bb6165746',
    docFile: 'docset/winserver2022-ps/NetAdapter/Restart-NetAdapter.md', help: 'MSFT_NetAdapter.cmdletDefinition.cdxml-help.xml',
    sets: [
      ['ByName', true, 'Restart-NetAdapter [-Name] <String[]> [-IncludeHidden] [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['ByInstanceID', false, 'Restart-NetAdapter -InterfaceDescription <String[]> [-IncludeHidden] [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]'],
      ['InputObject', false, 'Restart-NetAdapter -InputObject <CimInstance[]> [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]', 'cdxml'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      IncludeHidden: {type: 'SwitchParameter', sets: ['ByName', 'ByInstanceID']},
      InputObject: {type: 'CimInstance[]', sets: ['InputObject'], required: true, pipeline: 'True (ByValue)'},
      InterfaceDescription: {type: 'String[]', sets: ['ByInstanceID'], aliases: ['ifDesc'], required: true, pipeline: 'True (ByPropertyName)'},
      Name: {type: 'String[]', sets: ['ByName'], aliases: ['ifAlias', 'InterfaceAlias'], required: true, position: 0},
      PassThru: {type: 'SwitchParameter', sets: ALL},
    },
    inputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter[]'], outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter'],
    notes: ['Restarts the adapter by disabling and then re-enabling it; "may be needed for certain properties to take effect in a physical network adapter" (doc DESCRIPTION).'],
  },
  {
    cmdlet: 'Get-ClusterNode', module: 'FailoverClusters', repo: WPD, commit: '490974e7ab24f60b5111c4e5de3be657259a86f0',
    docFile: 'docset/winserver2022-ps/FailoverClusters/Get-ClusterNode.md', help: 'Microsoft.FailoverClusters.PowerShell.dll-Help.xml', shouldProcess: false,
    sets: [['__AllParameterSets', true, 'Get-ClusterNode [[-Name] <StringCollection>] [-InputObject <PSObject>] [-Cluster <String>] [<CommonParameters>]']],
    params: {
      Cluster: {type: 'String', sets: ALL},
      InputObject: {type: 'PSObject', sets: ALL, pipeline: 'True (ByValue)'},
      Name: {type: 'StringCollection', sets: ALL, position: 0},
    },
    inputs: ['Microsoft.FailoverClusters.PowerShell.Cluster'], outputs: ['Microsoft.FailoverClusters.PowerShell.ClusterNode'],
    notes: ['Node objects carry Name, Id, State (Up, Down, Paused, Joining).'],
  },
  // Failover cluster roles and storage (docs/clusters.md): the Cluster Shared Volumes a clustered
  // guest's files must be on, its role (resource group) found by VM id, and the role removed with
  // its resources (the undo of Add-ClusterVirtualMachineRole, and destroy's first step).
  {
    cmdlet: 'Get-ClusterSharedVolume', module: 'FailoverClusters', repo: WPD, commit: PINNED,
    docFile: 'docset/winserver2022-ps/failoverclusters/Get-ClusterSharedVolume.md', help: 'Microsoft.FailoverClusters.PowerShell.dll-Help.xml', shouldProcess: false,
    sets: [['__AllParameterSets', true, 'Get-ClusterSharedVolume [[-Name] <StringCollection>] [-InputObject <PSObject>] [-Cluster <String>] [<CommonParameters>]']],
    params: {
      Cluster: {type: 'String', sets: ALL},
      InputObject: {type: 'PSObject', sets: ALL, pipeline: 'True (ByValue)'},
      Name: {type: 'StringCollection', sets: ALL, position: 0},
    },
    inputs: ['Microsoft.FailoverClusters.PowerShell.Cluster'], outputs: ['Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume'],
    notes: ['A volume object carries Name (the cluster disk), State, OwnerNode and SharedVolumeInfo, whose FriendlyVolumeName is the path every node sees it at (C:\\ClusterStorage\\Volume1).'],
  },
  {
    cmdlet: 'Get-ClusterGroup', module: 'FailoverClusters', repo: WPD, commit: PINNED,
    docFile: 'docset/winserver2022-ps/failoverclusters/Get-ClusterGroup.md', help: 'Microsoft.FailoverClusters.PowerShell.dll-Help.xml', shouldProcess: false,
    sets: [['__AllParameterSets', true, 'Get-ClusterGroup [[-Name] <StringCollection>] [-VMId <Guid>] [-InputObject <PSObject>] [-Cluster <String>] [<CommonParameters>]']],
    params: {
      Cluster: {type: 'String', sets: ALL},
      InputObject: {type: 'PSObject', sets: ALL, pipeline: 'True (ByValue)'},
      Name: {type: 'StringCollection', sets: ALL, position: 0},
      VMId: {type: 'Guid', sets: ALL, pipeline: 'True (ByPropertyName)'},
    },
    inputs: ['Microsoft.FailoverClusters.PowerShell.Cluster', 'Microsoft.FailoverClusters.PowerShell.ClusterNode'], outputs: ['Microsoft.FailoverClusters.PowerShell.ClusterGroup'],
    notes: ['Every clustered role, the core groups too ("Cluster Group", "Available Storage"); a group carries Name, OwnerNode, State and GroupType (VirtualMachine for a VM role).'],
  },
  {
    cmdlet: 'Remove-ClusterGroup', module: 'FailoverClusters', repo: WPD, commit: PINNED,
    docFile: 'docset/winserver2022-ps/failoverclusters/Remove-ClusterGroup.md', help: 'Microsoft.FailoverClusters.PowerShell.dll-Help.xml',
    sets: [['__AllParameterSets', true, 'Remove-ClusterGroup [-VMId <Guid>] [[-Name] <StringCollection>] [-Force] [-RemoveResources] [-InputObject <PSObject>] [-Cluster <String>] [-WhatIf] [-Confirm] [<CommonParameters>]']],
    params: {
      Cluster: {type: 'String', sets: ALL},
      Force: {type: 'SwitchParameter', sets: ALL},
      InputObject: {type: 'PSObject', sets: ALL, pipeline: 'True (ByValue)'},
      Name: {type: 'StringCollection', sets: ALL, position: 0},
      RemoveResources: {type: 'SwitchParameter', sets: ALL},
      VMId: {type: 'Guid', sets: ALL, pipeline: 'True (ByPropertyName)'},
    },
    inputs: ['Microsoft.FailoverClusters.PowerShell.ClusterGroup'], outputs: ['None'],
    notes: ['"If the group still has resources in it, then either remove the resources first, or specify the RemoveResources parameter" (doc DESCRIPTION). A role\'s VM stays on its node: only the cluster forgets it.'],
  },
  // The virtual TPM (Windows 11 guests, docs/windows-11.md): Hyper-V module cmdlets that came
  // with Windows Server 2016 (no winserver2012-ps / winserver2012r2-ps doc files).
  ...[
    ['Enable-VMTPM', 'enables', '[-Passthru] [-WhatIf] [-Confirm]', ['Microsoft.HyperV.PowerShell.VirtualMachine'], true],
    ['Disable-VMTPM', 'disables', '[-Passthru] [-WhatIf] [-Confirm]', ['Microsoft.HyperV.PowerShell.VirtualMachine'], true],
    ['Set-VMKeyProtector', 'sets', '[-Passthru] [-KeyProtector <Byte[]>] [-NewLocalKeyProtector] [-RestoreLastKnownGoodKeyProtector] [-WhatIf] [-Confirm]', [], true],
    ['Get-VMKeyProtector', 'gets', '[-WhatIf] [-Confirm]', [], true],
    ['Get-VMSecurity', 'gets', '', ['Microsoft.HyperV.PowerShell.VMSecurity'], false],
  ].map(([cmdlet, _what, tail, outputs, shouldProcess]) => ({
    cmdlet, module: 'Hyper-V', repo: WPD, commit: '4d6ed57c52e3e33fde29d2b2a8dcea00dd57e3ce',
    docFile: `docset/winserver2022-ps/hyper-v/${cmdlet}.md`, help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml',
    ...(shouldProcess ? {} : {shouldProcess: false}),
    sets: [
      ['VMName', true, `${cmdlet} [-CimSession <CimSession[]>] [-ComputerName <String[]>] [-Credential <PSCredential[]>] [-VMName] <String[]> ${tail ? `${tail} ` : ''}[<CommonParameters>]`],
      ['VMObject', false, `${cmdlet} [-VM] <VirtualMachine[]> ${tail ? `${tail} ` : ''}[<CommonParameters>]`],
    ],
    params: {
      ...HV_REMOTE(['VMName']),
      VMName: {type: 'String[]', sets: ['VMName'], position: 0, pipeline: 'True (ByValue)'},
      VM: {type: 'VirtualMachine[]', sets: ['VMObject'], position: 0, pipeline: 'True (ByValue)'},
      ...(tail.includes('Passthru') ? {Passthru: {type: 'SwitchParameter', sets: ALL}} : {}),
      ...(cmdlet === 'Set-VMKeyProtector'
        ? {
            KeyProtector: {type: 'Byte[]', sets: ALL},
            NewLocalKeyProtector: {type: 'SwitchParameter', sets: ALL},
            RestoreLastKnownGoodKeyProtector: {type: 'SwitchParameter', sets: ALL},
          }
        : {}),
    },
    inputs: [], outputs,
    notes: [
      {
        'Enable-VMTPM': 'Gen2 only; Hyper-V refuses it unless the VM has a key protector (Set-VMKeyProtector) and is off.',
        'Disable-VMTPM': 'Turns the TPM off; the key protector stays.',
        'Set-VMKeyProtector': '-NewLocalKeyProtector makes a key protector backed by the host\'s local "UntrustedGuardian" guardian (created on first use); the VM must be off.',
        'Get-VMKeyProtector': 'Returns the key protector as a byte array (an empty one when none is set).',
        'Get-VMSecurity': 'VMSecurity carries TpmEnabled, KsdEnabled, Shielded, EncryptStateAndVmMigrationTraffic, VirtualizationBasedSecurityOptOut.',
      }[cmdlet],
    ],
  })),
  ...['Enable', 'Disable'].map((verb) => ({
    cmdlet: `${verb}-NetAdapterVmq`, module: 'NetAdapter', repo: WPD,
    commit: verb === 'Enable' ? '2b240753c43cb94f7b7087cfdbef8f504f507cc5' : '0ef3f225d29e26d1cf3119f37dfff70bb6165746',
    docFile: `docset/winserver2022-ps/NetAdapter/${verb}-NetAdapterVmq.md`, help: 'MSFT_NetAdapterVmq.cmdletDefinition.cdxml-help.xml',
    sets: [
      ['ByName', true, `${verb}-NetAdapterVmq [-Name] <String[]> [-IncludeHidden] [-NoRestart] [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]`],
      ['ByInstanceID', false, `${verb}-NetAdapterVmq -InterfaceDescription <String[]> [-IncludeHidden] [-NoRestart] [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]`],
      ['InputObject', false, `${verb}-NetAdapterVmq -InputObject <CimInstance[]> [-NoRestart] [-PassThru] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [-WhatIf] [-Confirm] [<CommonParameters>]`, 'cdxml'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      IncludeHidden: {type: 'SwitchParameter', sets: ['ByName', 'ByInstanceID']},
      InputObject: {type: 'CimInstance[]', sets: ['InputObject'], pipeline: 'True (ByValue)'},
      InterfaceDescription: {type: 'String[]', sets: ['ByInstanceID'], aliases: ['ifDesc', 'InstanceID'], pipeline: 'True (ByPropertyName)'},
      Name: {type: 'String[]', sets: ['ByName'], aliases: ['ifAlias', 'InterfaceAlias'], position: 0, pipeline: 'True (ByPropertyName)'},
      NoRestart: {type: 'SwitchParameter', sets: ALL},
      PassThru: {type: 'SwitchParameter', sets: ALL},
    },
    inputs: ['MSFT_NetAdapterVmqSettingData[]'],
    outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapterVmqSettingData'],
    notes: [`${verb}s VMQ on a network adapter (restarts the adapter unless -NoRestart).`],
  })),
  {
    cmdlet: 'Get-NetAdapterVmq', module: 'NetAdapter', repo: WPD, commit: 'c376a156c2467d49883eb3d4f2328f8783865ac0',
    docFile: 'docset/winserver2022-ps/NetAdapter/Get-NetAdapterVmq.yml', help: 'MSFT_NetAdapterVmq.cmdletDefinition.cdxml-help.xml', shouldProcess: false,
    sets: [
      ['ByName', true, 'Get-NetAdapterVmq [[-Name] <String[]>] [-IncludeHidden] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
      ['ByInstanceID', false, 'Get-NetAdapterVmq -InterfaceDescription <String[]> [-IncludeHidden] [-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob] [<CommonParameters>]'],
    ],
    params: {
      AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
      IncludeHidden: {type: 'SwitchParameter', sets: ALL},
      InterfaceDescription: {type: 'String[]', sets: ['ByInstanceID'], aliases: ['ifDesc', 'InstanceID'], pipeline: 'True (ByPropertyName)'},
      Name: {type: 'String[]', sets: ['ByName'], aliases: ['ifAlias', 'InterfaceAlias'], position: 0, pipeline: 'True (ByPropertyName)'},
    },
    inputs: [], outputs: ['Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapterVmqSettingData'],
    notes: ['Returns only VMQ-capable adapters; Enabled tells whether VMQ is on. The doc is in the YamlMime:PowerShellCmdlet1 format (same facts: syntaxes, parameterSets with position/isRequired/valueFromPipeline*).'],
  },
  {
    cmdlet: 'Get-VMHostSupportedVersion', module: 'Hyper-V', repo: WPD, commit: '716189e3aba185a623e01935499db1b59be272d7',
    docFile: 'docset/winserver2022-ps/Hyper-V/Get-VMHostSupportedVersion.md', help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml', shouldProcess: false,
    sets: [
      ['ComputerName', true, 'Get-VMHostSupportedVersion [[-ComputerName] <String[]>] [[-Credential] <PSCredential[]>] [-Default] [<CommonParameters>]'],
      ['CimSession', false, 'Get-VMHostSupportedVersion [-CimSession] <CimSession[]> [-Default] [<CommonParameters>]'],
    ],
    params: {
      CimSession: {type: 'CimSession[]', sets: ['CimSession'], position: 0, pipeline: 'True (ByPropertyName)'},
      ComputerName: {type: 'String[]', sets: ['ComputerName'], position: 0, pipeline: 'True (ByValue)'},
      Credential: {type: 'PSCredential[]', sets: ['ComputerName'], position: 1},
      Default: {type: 'SwitchParameter', sets: ALL},
    },
    inputs: [], outputs: ['Microsoft.HyperV.PowerShell.VMHostSupportedVersion'],
    notes: ['Objects carry Name, Version ([version]) and IsDefault; -Default returns the default configuration version only. The cmdlet exists from Windows Server 2016 on.'],
  },
  {
    cmdlet: 'Get-WinSystemLocale', module: 'International', repo: WPD, commit: '490974e7ab24f60b5111c4e5de3be657259a86f0',
    docFile: 'docset/winserver2022-ps/International/Get-WinSystemLocale.md', help: 'Microsoft.InternationalSettings.Commands.dll-Help.xml', shouldProcess: false,
    sets: [['__AllParameterSets', true, 'Get-WinSystemLocale [<CommonParameters>]']],
    params: {},
    inputs: [], outputs: ['CultureInfo'],
    notes: ['Returns the system locale as a CultureInfo (LCID, Name, DisplayName).'],
  },
  {
    cmdlet: 'Get-WindowsOptionalFeature', module: 'DISM', repo: WPD, commit: '19b021cc886445e3945b7c4ea89780422027d406',
    docFile: 'docset/winserver2022-ps/dism/Get-WindowsOptionalFeature.md', help: 'Microsoft.Dism.PowerShell.dll-Help.xml', shouldProcess: false,
    sets: [
      ['Offline', false, 'Get-WindowsOptionalFeature [-FeatureName <String>] [-PackageName <String>] [-PackagePath <String>] -Path <String> [-WindowsDirectory <String>] [-SystemDrive <String>] [-LogPath <String>] [-ScratchDirectory <String>] [-LogLevel <LogLevel>] [<CommonParameters>]'],
      ['Online', false, 'Get-WindowsOptionalFeature [-FeatureName <String>] [-PackageName <String>] [-PackagePath <String>] [-Online] [-WindowsDirectory <String>] [-SystemDrive <String>] [-LogPath <String>] [-ScratchDirectory <String>] [-LogLevel <LogLevel>] [<CommonParameters>]'],
    ],
    params: {
      FeatureName: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
      LogLevel: {type: 'LogLevel', sets: ALL, aliases: ['LL'], accepted: ['Errors', 'Warnings', 'WarningsInfo'], pipeline: 'True (ByPropertyName)'},
      LogPath: {type: 'String', sets: ALL, aliases: ['LP'], pipeline: 'True (ByPropertyName)'},
      Online: {type: 'SwitchParameter', sets: ['Online'], required: true, pipeline: 'True (ByPropertyName)'},
      PackageName: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
      PackagePath: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
      Path: {type: 'String', sets: ['Offline'], pipeline: 'True (ByPropertyName)'},
      ScratchDirectory: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
      SystemDrive: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
      WindowsDirectory: {type: 'String', sets: ALL, pipeline: 'True (ByPropertyName)'},
    },
    inputs: ['System.String[]', 'Microsoft.Dism.Commands.ImageObject'],
    outputs: ['Microsoft.Dism.Commands.BasicFeatureObject', 'Microsoft.Dism.Commands.AdvancedFeatureObject'],
    notes: ['Online set (-Online, the running system) or Offline set (-Path, a mounted image); SYNTAX declares no default set. -FeatureName gives details (FeatureName, DisplayName, Description, RestartRequired, State) of one feature; example 5 passes a wildcard (*Hyper-V*). Without it, every feature (FeatureName, State).'],
  },
  {
    cmdlet: 'Get-CimInstance', module: 'CimCmdlets', repo: 'MicrosoftDocs/PowerShell-Docs', commit: '01f1236990533ae78f9db4a005524e10f7c34ce8',
    docFile: 'reference/7.4/CimCmdlets/Get-CimInstance.md', help: 'Microsoft.Management.Infrastructure.CimCmdlets.dll-Help.xml', shouldProcess: false,
    sets: [
      ['ClassNameComputerSet', true, 'Get-CimInstance [-ClassName] <String> [-ComputerName <String[]>] [-KeyOnly] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] [-QueryDialect <String>] [-Shallow] [-Filter <String>] [-Property <String[]>] [<CommonParameters>]'],
      ['ResourceUriSessionSet', false, 'Get-CimInstance -CimSession <CimSession[]> -ResourceUri <Uri> [-KeyOnly] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] [-Shallow] [-Filter <String>] [-Property <String[]>] [<CommonParameters>]'],
      ['QuerySessionSet', false, 'Get-CimInstance -CimSession <CimSession[]> [-ResourceUri <Uri>] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] -Query <String> [-QueryDialect <String>] [-Shallow] [<CommonParameters>]'],
      ['ClassNameSessionSet', false, 'Get-CimInstance -CimSession <CimSession[]> [-ClassName] <String> [-KeyOnly] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] [-QueryDialect <String>] [-Shallow] [-Filter <String>] [-Property <String[]>] [<CommonParameters>]'],
      ['CimInstanceSessionSet', false, 'Get-CimInstance -CimSession <CimSession[]> [-ResourceUri <Uri>] [-OperationTimeoutSec <UInt32>] [-InputObject] <CimInstance> [<CommonParameters>]'],
      ['CimInstanceComputerSet', false, 'Get-CimInstance [-ResourceUri <Uri>] [-ComputerName <String[]>] [-OperationTimeoutSec <UInt32>] [-InputObject] <CimInstance> [<CommonParameters>]'],
      ['ResourceUriComputerSet', false, 'Get-CimInstance -ResourceUri <Uri> [-ComputerName <String[]>] [-KeyOnly] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] [-Shallow] [-Filter <String>] [-Property <String[]>] [<CommonParameters>]'],
      ['QueryComputerSet', false, 'Get-CimInstance [-ResourceUri <Uri>] [-ComputerName <String[]>] [-Namespace <String>] [-OperationTimeoutSec <UInt32>] -Query <String> [-QueryDialect <String>] [-Shallow] [<CommonParameters>]'],
    ],
    params: {
      CimSession: {type: 'CimSession[]', sets: ['ResourceUriSessionSet', 'QuerySessionSet', 'ClassNameSessionSet', 'CimInstanceSessionSet'], pipeline: 'True (ByValue)'},
      ClassName: {type: 'String', sets: ['ClassNameComputerSet', 'ClassNameSessionSet'], position: 0, pipeline: 'True (ByPropertyName)'},
      ComputerName: {type: 'String[]', sets: ['ClassNameComputerSet', 'CimInstanceComputerSet', 'ResourceUriComputerSet', 'QueryComputerSet'], aliases: ['CN', 'ServerName'], pipeline: 'True (ByPropertyName)'},
      Filter: {type: 'String', sets: ['ClassNameComputerSet', 'ResourceUriSessionSet', 'ClassNameSessionSet', 'ResourceUriComputerSet'], pipeline: 'True (ByPropertyName)'},
      InputObject: {type: 'CimInstance', sets: ['CimInstanceSessionSet', 'CimInstanceComputerSet'], aliases: ['CimInstance'], position: 0, pipeline: 'True (ByValue)'},
      KeyOnly: {type: 'SwitchParameter', sets: ['ClassNameComputerSet', 'ResourceUriSessionSet', 'ClassNameSessionSet', 'ResourceUriComputerSet']},
      Namespace: {type: 'String', sets: ['ClassNameComputerSet', 'ResourceUriSessionSet', 'QuerySessionSet', 'ClassNameSessionSet', 'ResourceUriComputerSet', 'QueryComputerSet'], pipeline: 'True (ByPropertyName)'},
      OperationTimeoutSec: {type: 'UInt32', sets: ALL, aliases: ['OT']},
      Property: {type: 'String[]', sets: ['ClassNameComputerSet', 'ResourceUriSessionSet', 'ClassNameSessionSet', 'ResourceUriComputerSet'], aliases: ['SelectProperties'], pipeline: 'True (ByPropertyName)'},
      Query: {type: 'String', sets: ['QuerySessionSet', 'QueryComputerSet'], pipeline: 'True (ByPropertyName)'},
      QueryDialect: {type: 'String', sets: ['ClassNameComputerSet', 'QuerySessionSet', 'ClassNameSessionSet', 'QueryComputerSet'], pipeline: 'True (ByPropertyName)'},
      ResourceUri: {type: 'Uri', sets: ['ResourceUriSessionSet', 'ResourceUriComputerSet', 'QuerySessionSet', 'QueryComputerSet', 'CimInstanceSessionSet', 'CimInstanceComputerSet'], pipeline: 'True (ByPropertyName)'},
      Shallow: {type: 'SwitchParameter', sets: ['ClassNameComputerSet', 'ResourceUriSessionSet', 'QuerySessionSet', 'ClassNameSessionSet', 'ResourceUriComputerSet', 'QueryComputerSet']},
    },
    inputs: ['Microsoft.Management.Infrastructure.CimInstance'], outputs: ['Microsoft.Management.Infrastructure.CimInstance'],
    notes: ['Windows only in real PowerShell 7. The emulator answers Win32_OperatingSystem (Caption, Version, BuildNumber, OSLanguage, Locale, MUILanguages), Win32_ComputerSystem and Win32_LogicalDisk from the state; any other class is "Invalid class".'],
  },
  // Lab networks (issue 15): switches the lab creates, changes and removes, the host's address on an
  // internal switch's vEthernet adapter, and WinNAT. Read at the commit the version references pin.
  ...(() => {
    const SWITCH_TAIL = '[-AllowManagementOS <Boolean>] [-DefaultFlowMinimumBandwidthAbsolute <Int64>] [-DefaultFlowMinimumBandwidthWeight <Int64>] [-DefaultQueueVrssEnabled <Boolean>] [-DefaultQueueVmmqEnabled <Boolean>] [-DefaultQueueVmmqQueuePairs <UInt32>] [-Extensions <VMSwitchExtension[]>] [-Notes <String>] [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]'
    const REMOTE = '[-CimSession <CimSession[]>] [-ComputerName <String[]>] [-Credential <PSCredential[]>]'
    const BY_NAME = ['SwitchName_SwitchType', 'SwitchName_NetAdapterInterfaceDescription', 'SwitchName_NetAdapterName']
    const BY_OBJECT = ['SwitchObject_SwitchType', 'SwitchObject_NetAdapterInterfaceDescription', 'SwitchObject_NetAdapterName']
    const setSyntax = (target, middle) => `Set-VMSwitch ${REMOTE} ${target} ${middle} ${SWITCH_TAIL}`
    const IP_QUERY = '[[-IPAddress] <String[]>] [-InterfaceIndex <UInt32[]>] [-InterfaceAlias <String[]>] [-AddressFamily <AddressFamily[]>] [-Type <Type[]>] [-PrefixLength <Byte[]>] [-PrefixOrigin <PrefixOrigin[]>] [-SuffixOrigin <SuffixOrigin[]>] [-AddressState <AddressState[]>] [-ValidLifetime <TimeSpan[]>] [-PreferredLifetime <TimeSpan[]>] [-SkipAsSource <Boolean[]>]'
    const IP_QUERY_PARAMS = (sets) => ({
      AddressFamily: {type: 'AddressFamily[]', sets, accepted: ['IPv4', 'IPv6']},
      AddressState: {type: 'AddressState[]', sets, accepted: ['Invalid', 'Tentative', 'Duplicate', 'Deprecated', 'Preferred']},
      IPAddress: {type: 'String[]', sets, aliases: ['LocalAddress'], position: 0, pipeline: 'True (ByPropertyName)'},
      IncludeAllCompartments: {type: 'SwitchParameter', sets},
      InterfaceAlias: {type: 'String[]', sets, aliases: ['ifAlias'], pipeline: 'True (ByPropertyName)'},
      InterfaceIndex: {type: 'UInt32[]', sets, aliases: ['ifIndex'], pipeline: 'True (ByPropertyName)'},
      PolicyStore: {type: 'String', sets},
      PreferredLifetime: {type: 'TimeSpan[]', sets},
      PrefixLength: {type: 'Byte[]', sets},
      PrefixOrigin: {type: 'PrefixOrigin[]', sets, accepted: ['Other', 'Manual', 'WellKnown', 'Dhcp', 'RouterAdvertisement']},
      SkipAsSource: {type: 'Boolean[]', sets},
      SuffixOrigin: {type: 'SuffixOrigin[]', sets, accepted: ['Other', 'Manual', 'WellKnown', 'Dhcp', 'Link', 'Random']},
      Type: {type: 'Type[]', sets, accepted: ['Unicast', 'Anycast']},
      ValidLifetime: {type: 'TimeSpan[]', sets},
    })
    const CDXML = '[-CimSession <CimSession[]>] [-ThrottleLimit <Int32>] [-AsJob]'
    const IP_CLASS = 'Microsoft.Management.Infrastructure.CimInstance#root\\StandardCimv2\\MSFT_NetIPAddress'
    const NAT_CLASS = 'Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetNat'
    return [
      {
        cmdlet: 'Set-VMSwitch', module: 'Hyper-V', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/hyper-v/Set-VMSwitch.md', help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml',
        sets: [
          ['SwitchName_SwitchType', true, setSyntax('[-Name] <String[]>', '[-SwitchType <VMSwitchType>]')],
          ['SwitchObject_SwitchType', false, setSyntax('[-VMSwitch] <VMSwitch[]>', '[-SwitchType <VMSwitchType>]')],
          ['SwitchName_NetAdapterInterfaceDescription', false, setSyntax('[-Name] <String[]>', '[-NetAdapterInterfaceDescription] <String>')],
          ['SwitchName_NetAdapterName', false, setSyntax('[-Name] <String[]>', '[-NetAdapterName] <String>')],
          ['SwitchObject_NetAdapterInterfaceDescription', false, setSyntax('[-VMSwitch] <VMSwitch[]>', '[-NetAdapterInterfaceDescription] <String>')],
          ['SwitchObject_NetAdapterName', false, setSyntax('[-VMSwitch] <VMSwitch[]>', '[-NetAdapterName] <String>')],
        ],
        params: {
          AllowManagementOS: {type: 'Boolean', sets: ALL},
          CimSession: {type: 'CimSession[]', sets: ALL, pipeline: 'True (ByPropertyName)'},
          ComputerName: {type: 'String[]', sets: ALL, aliases: ['PSComputerName']},
          Credential: {type: 'PSCredential[]', sets: ALL},
          DefaultFlowMinimumBandwidthAbsolute: {type: 'Int64', sets: ALL},
          DefaultFlowMinimumBandwidthWeight: {type: 'Int64', sets: ALL},
          DefaultQueueVmmqEnabled: {type: 'Boolean', sets: ALL},
          DefaultQueueVmmqQueuePairs: {type: 'UInt32', sets: ALL},
          DefaultQueueVrssEnabled: {type: 'Boolean', sets: ALL},
          Extensions: {type: 'VMSwitchExtension[]', sets: ALL},
          Name: {type: 'String[]', sets: BY_NAME, aliases: ['SwitchName'], position: 0, required: true},
          NetAdapterInterfaceDescription: {type: 'String', sets: ['SwitchName_NetAdapterInterfaceDescription', 'SwitchObject_NetAdapterInterfaceDescription'], position: 1, required: true},
          NetAdapterName: {type: 'String', sets: ['SwitchName_NetAdapterName', 'SwitchObject_NetAdapterName'], aliases: ['InterfaceAlias'], position: 1, required: true, pipeline: 'True (ByPropertyName)'},
          Notes: {type: 'String', sets: ALL},
          Passthru: {type: 'SwitchParameter', sets: ALL},
          SwitchType: {type: 'VMSwitchType', sets: ['SwitchName_SwitchType', 'SwitchObject_SwitchType'], accepted: ['Private', 'Internal', 'External']},
          VMSwitch: {type: 'VMSwitch[]', sets: BY_OBJECT, position: 0, required: true, pipeline: 'True (ByValue)'},
        },
        inputs: [], outputs: ['None', 'Microsoft.HyperV.PowerShell.VMSwitch (with -Passthru)'],
        notes: [
          'OUTPUTS of the doc: Microsoft.HyperV.PowerShell.EthernetSwitch; the class the module declares (hyperv-types/Hyper-V.types.cs) and New-VMSwitch / Get-VMSwitch document is VMSwitch, which -Passthru returns.',
          '-AllowManagementOS: "Setting AllowManagementOS to $true creates management operating system virtual network adapters (VMNetworkAdapters) in the parent partition and connects it to the virtual switch. Setting AllowManagementOS to $false removes any VMNetworkAdapters connected to the virtual switch." (doc PARAMETERS)',
          '-NetAdapterName converts a switch to External, allowing the management OS unless -AllowManagementOS $false (doc PARAMETERS, example 2).',
        ],
      },
      {
        cmdlet: 'Remove-VMSwitch', module: 'Hyper-V', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/hyper-v/Remove-VMSwitch.md', help: 'Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml',
        sets: [
          ['Name', true, `Remove-VMSwitch ${REMOTE} [-Name] <String[]> [[-ResourcePoolName] <String[]>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]`],
          ['SwitchObject', false, 'Remove-VMSwitch [-VMSwitch] <VMSwitch[]> [[-ResourcePoolName] <String[]>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]'],
        ],
        params: {
          ...HV_REMOTE(['Name']),
          Force: {type: 'SwitchParameter', sets: ALL},
          Name: {type: 'String[]', sets: ['Name'], aliases: ['SwitchName'], position: 0, required: true, pipeline: 'True (ByValue)'},
          ResourcePoolName: {type: 'String[]', sets: ALL, position: 1},
          VMSwitch: {type: 'VMSwitch[]', sets: ['SwitchObject'], position: 0, required: true, pipeline: 'True (ByValue)'},
        },
        inputs: [], outputs: ['None'],
        notes: ['-Force: "Forces the command to run without asking for user confirmation." (doc PARAMETERS): without it the cmdlet asks, which a non-interactive session cannot answer.'],
      },
      {
        cmdlet: 'Get-NetIPAddress', module: 'NetTCPIP', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/nettcpip/Get-NetIPAddress.md', help: 'MSFT_NetIPAddress.cdxml-help.xml', shouldProcess: false,
        sets: [['__AllParameterSets', true, `Get-NetIPAddress ${IP_QUERY} [-AssociatedIPInterface <CimInstance>] [-PolicyStore <String>] [-IncludeAllCompartments] ${CDXML} [<CommonParameters>]`]],
        params: {
          ...IP_QUERY_PARAMS(ALL), AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          AssociatedIPInterface: {type: 'CimInstance', sets: ALL, pipeline: 'True (ByValue)'},
        },
        inputs: [], outputs: [IP_CLASS],
        notes: ['Objects carry IPAddress, InterfaceIndex, InterfaceAlias, AddressFamily, Type, PrefixLength, PrefixOrigin, SuffixOrigin, AddressState, ValidLifetime, PreferredLifetime, SkipAsSource, PolicyStore. A filter that matches nothing is an error (CmdletizationQuery_NotFound).'],
      },
      {
        cmdlet: 'New-NetIPAddress', module: 'NetTCPIP', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/nettcpip/New-NetIPAddress.md', help: 'MSFT_NetIPAddress.cdxml-help.xml',
        sets: [
          ['ByInterfaceAlias', true, `New-NetIPAddress [-IPAddress] <String> -InterfaceAlias <String> [-DefaultGateway <String>] [-AddressFamily <AddressFamily>] [-Type <Type>] [-PrefixLength <Byte>] [-ValidLifetime <TimeSpan>] [-PreferredLifetime <TimeSpan>] [-SkipAsSource <Boolean>] [-PolicyStore <String>] ${CDXML} [-WhatIf] [-Confirm] [<CommonParameters>]`],
          ['ByInterfaceIndex', false, `New-NetIPAddress [-IPAddress] <String> [-DefaultGateway <String>] [-AddressFamily <AddressFamily>] [-Type <Type>] [-PrefixLength <Byte>] [-ValidLifetime <TimeSpan>] [-PreferredLifetime <TimeSpan>] [-SkipAsSource <Boolean>] [-PolicyStore <String>] -InterfaceIndex <UInt32> ${CDXML} [-WhatIf] [-Confirm] [<CommonParameters>]`],
        ],
        params: {
          AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          AddressFamily: {type: 'AddressFamily', sets: ALL, accepted: ['IPv4', 'IPv6']},
          DefaultGateway: {type: 'String', sets: ALL},
          IPAddress: {type: 'String', sets: ALL, aliases: ['LocalAddress'], position: 0, required: true, pipeline: 'True (ByPropertyName)'},
          InterfaceAlias: {type: 'String', sets: ['ByInterfaceAlias'], aliases: ['ifAlias'], required: true, pipeline: 'True (ByPropertyName)'},
          InterfaceIndex: {type: 'UInt32', sets: ['ByInterfaceIndex'], aliases: ['ifIndex'], required: true, pipeline: 'True (ByPropertyName)'},
          PolicyStore: {type: 'String', sets: ALL},
          PreferredLifetime: {type: 'TimeSpan', sets: ALL},
          PrefixLength: {type: 'Byte', sets: ALL},
          SkipAsSource: {type: 'Boolean', sets: ALL},
          Type: {type: 'Type', sets: ALL, accepted: ['Unicast', 'Anycast']},
          ValidLifetime: {type: 'TimeSpan', sets: ALL},
        },
        inputs: [], outputs: [IP_CLASS],
        notes: ['"When you add an IPv4 address, the address specified for the Default Gateway must be in the same subnet as the IPv4 address that you add." (doc, example 1)'],
      },
      {
        cmdlet: 'Remove-NetIPAddress', module: 'NetTCPIP', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/nettcpip/Remove-NetIPAddress.md', help: 'MSFT_NetIPAddress.cdxml-help.xml',
        sets: [
          ['Query (cdxml)', true, `Remove-NetIPAddress ${IP_QUERY} [-PolicyStore <String>] [-DefaultGateway <String>] [-IncludeAllCompartments] ${CDXML} [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]`],
          ['InputObject', false, `Remove-NetIPAddress -InputObject <CimInstance[]> ${CDXML} [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]`, 'cdxml'],
        ],
        params: {
          ...IP_QUERY_PARAMS(['Query (cdxml)']), AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          DefaultGateway: {type: 'String', sets: ['Query (cdxml)']},
          InputObject: {type: 'CimInstance[]', sets: ['InputObject'], required: true, pipeline: 'True (ByValue)'},
          PassThru: {type: 'SwitchParameter', sets: ALL},
        },
        inputs: [IP_CLASS], outputs: [IP_CLASS + ' (with -PassThru)'],
        notes: ['Without a filter, every address matches (Query set).'],
      },
      {
        cmdlet: 'Get-NetNat', module: 'NetNat', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/netnat/Get-NetNat.md', help: 'MSFT_NetNat.cdxml-help.xml', shouldProcess: false,
        sets: [['__AllParameterSets', true, `Get-NetNat [[-Name] <String[]>] ${CDXML} [<CommonParameters>]`]],
        params: {
          AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          Name: {type: 'String[]', sets: ALL, position: 0, pipeline: 'True (ByPropertyName)'},
        },
        inputs: [], outputs: [NAT_CLASS],
        notes: ['The NetNat module exists from Windows Server 2012 R2 on (no netnat folder in docset/winserver2012-ps).'],
      },
      {
        cmdlet: 'New-NetNat', module: 'NetNat', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/netnat/New-NetNat.md', help: 'MSFT_NetNat.cdxml-help.xml',
        sets: [['__AllParameterSets', true, `New-NetNat [-Name] <String> [-ExternalIPInterfaceAddressPrefix <String>] [-InternalRoutingDomainId <String>] [-InternalIPInterfaceAddressPrefix <String>] ${CDXML} [-WhatIf] [-Confirm] [<CommonParameters>]`]],
        params: {
          AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          ExternalIPInterfaceAddressPrefix: {type: 'String', sets: ALL},
          InternalIPInterfaceAddressPrefix: {type: 'String', sets: ALL},
          InternalRoutingDomainId: {type: 'String', sets: ALL},
          Name: {type: 'String', sets: ALL, position: 0, required: true},
        },
        inputs: [], outputs: [NAT_CLASS],
        notes: ['WinNAT for an internal switch: New-NetNat -Name N -InternalIPInterfaceAddressPrefix 10.0.0.0/24 (docs/hyperv-facts.md: one NAT network per host, overlapping prefixes refused).'],
      },
      {
        cmdlet: 'Remove-NetNat', module: 'NetNat', repo: WPD, commit: PINNED,
        docFile: 'docset/winserver2022-ps/netnat/Remove-NetNat.md', help: 'MSFT_NetNat.cdxml-help.xml',
        sets: [
          ['Query (cdxml)', true, `Remove-NetNat [[-Name] <String[]>] ${CDXML} [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]`],
          ['InputObject', false, `Remove-NetNat -InputObject <CimInstance[]> ${CDXML} [-PassThru] [-WhatIf] [-Confirm] [<CommonParameters>]`, 'cdxml'],
        ],
        params: {
          AsJob: ASJOB, CimSession: CIM, ThrottleLimit: THROTTLE,
          InputObject: {type: 'CimInstance[]', sets: ['InputObject'], required: true, pipeline: 'True (ByValue)'},
          Name: {type: 'String[]', sets: ['Query (cdxml)'], position: 0, pipeline: 'True (ByPropertyName)'},
          PassThru: {type: 'SwitchParameter', sets: ALL},
        },
        inputs: [NAT_CLASS], outputs: [NAT_CLASS + ' (with -PassThru)'],
        notes: ['Without -Name, every NAT object is removed (Query set, no filter).'],
      },
    ]
  })(),
]

const SSP = new Set(['WhatIf', 'Confirm'])

/** Tokenises a SYNTAX line per hyperv-cmdlets.json _meta.method. */
function tokenize(syntax) {
  const out = []
  const re = /(\[\[-(\w+)\]\s*<([^>]+)>\])|(\[-(\w+)\]\s*<([^>]+)>)|(\[-(\w+)\s+<([^>]+)>\])|(\[-(\w+)\])|(-(\w+)\s+<([^>]+)>)/g
  for (const m of syntax.matchAll(re)) {
    if (m[1]) out.push({name: m[2], type: m[3], mandatory: false, positional: true})
    else if (m[4]) out.push({name: m[5], type: m[6], mandatory: true, positional: true})
    else if (m[7]) out.push({name: m[8], type: m[9], mandatory: false, positional: false})
    else if (m[10]) out.push({name: m[11], type: 'SwitchParameter', mandatory: false, positional: false})
    else if (m[12]) out.push({name: m[13], type: m[14], mandatory: true, positional: false})
  }
  return out
}

function build(doc) {
  const shouldProcess = doc.shouldProcess ?? true
  const discrepancies = []
  const sets = doc.sets.map(([name, isDefault, syntax, headingSuffix]) => {
    const parameters = tokenize(syntax).map((tok) => {
      if (SSP.has(tok.name)) {
        return {name: tok.name, type: 'SwitchParameter', mandatory: false, aliases: [tok.name === 'WhatIf' ? 'wi' : 'cf'], defaultValue: 'False', switch: true}
      }
      const y = doc.params[tok.name]
      if (!y) throw new Error(`${doc.cmdlet}: -${tok.name} in SYNTAX of ${name} has no PARAMETERS entry`)
      if (y.sets !== ALL && !y.sets.includes(name)) throw new Error(`${doc.cmdlet}: -${tok.name} in SYNTAX of ${name} but its yaml lists ${y.sets}`)
      if (y.type !== tok.type) throw new Error(`${doc.cmdlet}: -${tok.name} type ${tok.type} in SYNTAX, ${y.type} in yaml`)
      if (tok.positional !== (y.position !== undefined)) discrepancies.push(`${doc.cmdlet}/${name}: -${tok.name} positional=${tok.positional} in SYNTAX, yaml position ${y.position ?? 'Named'}`)
      const p = {name: tok.name, type: y.type, mandatory: tok.mandatory}
      if (y.position !== undefined) p.position = y.position
      if (y.aliases?.length) p.aliases = y.aliases
      if (y.pipeline) p.pipelineInput = y.pipeline
      if (y.accepted) p.acceptedValues = y.accepted
      if (y.required && !tok.mandatory) {
        p.yamlRequired = true
        discrepancies.push(`${doc.cmdlet}/${name}: -${tok.name} mandatory=False in SYNTAX but yaml Required=True`)
      }
      if (y.type === 'SwitchParameter') p.switch = true
      return p
    })
    const set = {name, isDefault, syntax, parameters}
    if (headingSuffix) set.headingSuffix = headingSuffix
    return set
  })
  for (const [pname, y] of Object.entries(doc.params)) {
    const inSets = sets.filter((s) => s.parameters.some((p) => p.name === pname)).map((s) => s.name)
    const want = y.sets === ALL ? sets.map((s) => s.name) : y.sets
    if ([...want].sort().join() !== [...inSets].sort().join()) throw new Error(`${doc.cmdlet}: -${pname} yaml sets ${want} but SYNTAX sets ${inSets}`)
  }
  const hasSsp = sets.some((s) => s.parameters.some((p) => p.name === 'WhatIf'))
  if (hasSsp !== shouldProcess) throw new Error(`${doc.cmdlet}: WhatIf/Confirm presence disagrees with supportsShouldProcess`)
  return {
    cmdlet: doc.cmdlet,
    module: doc.module,
    externalHelpFile: doc.help,
    docFile: doc.docFile,
    docRepo: doc.repo,
    docCommit: doc.commit,
    // null when SYNTAX declares no default set (the DISM cmdlets), as in hyperv-cmdlets.json.
    defaultParameterSet: sets.find((s) => s.isDefault)?.name ?? null,
    supportsCommonParameters: true,
    supportsShouldProcess: shouldProcess,
    parameterSets: sets,
    inputs: doc.inputs,
    outputs: doc.outputs,
    docDiscrepancies: discrepancies,
    docNotes: doc.notes,
  }
}

const result = {
  _meta: {
    source: 'github.com/MicrosoftDocs/windows-powershell-docs (docset/winserver2022-ps) and, for Get-CimInstance, github.com/MicrosoftDocs/PowerShell-Docs (reference/7.4); each entry names its docFile and docCommit',
    generatedBy: 'scripts/generate-emulator-extra-reference.mjs (a transcription of each doc file; rerun to regenerate)',
    method: 'Same as hyperv-cmdlets.json _meta.method: SYNTAX tokenised for mandatory; position, aliases, pipelineInput, acceptedValues from the PARAMETERS yaml; yamlRequired marks a parameter shown optional in SYNTAX but Required: True in yaml (set-identifying switches), which the emulator binds as mandatory.',
    why: 'Cmdlets the runtime needs that hyperv-cmdlets.json lacks: removing the default DVD drive and network adapter, offline integration-component injection (Get-Disk | Get-Partition, Set-Disk), host VMQ and adapter restarts (Restart-NetAdapter), drive letters for mounted images that got none (Add-/Remove-PartitionAccessPath), cluster nodes, the virtual TPM (Set-/Get-VMKeyProtector, Enable-/Disable-VMTPM, Get-VMSecurity; 2016 and later), and host facts (configuration versions, system locale, OS version, free space, the Hyper-V optional feature).',
  },
  cmdlets: Object.fromEntries(DOCS.map((d) => [d.cmdlet, build(d)])),
}
const text = JSON.stringify(result, null, 1) + '\n'
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('extra-cmdlets.json is out of date: run node scripts/generate-emulator-extra-reference.mjs')
    process.exit(1)
  }
} else {
  writeFileSync(OUT, text)
}
