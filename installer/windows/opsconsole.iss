; Inno Setup 6 script: a per-user setup program for the PyInstaller bundle in dist\opsconsole.
;
; Built by `python installer\build.py` on Windows (which passes the defines
; below); by hand:
;   iscc /DAppVersion=0.1.0 /DDistDir=dist /DIconFile=build\pyinstaller\opsconsole\icons\opsconsole.ico installer\windows\opsconsole.iss
; Per user (no administrator rights): ops staff install it themselves, and
; updates need no IT ticket.  Uninstall from Settings > Apps; user data
; (cache, keys, settings under %LOCALAPPDATA%\OpsConsole) is kept.

#ifndef AppVersion
  #error Pass /DAppVersion=<version> (installer\build.py does)
#endif
#ifndef DistDir
  #define DistDir "..\..\dist"
#endif

[Setup]
; A fixed AppId lets a new version upgrade the old one in place.
AppId={{8E0B1B8C-5F0A-4C52-9E53-0C5D1E6A7F31}
AppName=Ops Console
AppVersion={#AppVersion}
AppPublisher=Ops Console
DefaultDirName={autopf}\Ops Console
DefaultGroupName=Ops Console
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#DistDir}
OutputBaseFilename=opsconsole-{#AppVersion}-windows-x64-setup
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayIcon={app}\opsconsole.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#DistDir}\opsconsole\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Ops Console"; Filename: "{app}\opsconsole.exe"
Name: "{autodesktop}\Ops Console"; Filename: "{app}\opsconsole.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\opsconsole.exe"; Description: "{cm:LaunchProgram,Ops Console}"; Flags: nowait postinstall skipifsilent
