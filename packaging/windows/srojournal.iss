; Inno Setup script for the Windows installer. Build the one-folder app first:
;   pyinstaller --noconfirm --clean --distpath dist packaging\srojournal.spec
; then: iscc packaging\windows\srojournal.iss   (see docs/packaging.md)
#define AppVersion GetEnv("SROJOURNAL_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B7C2E0B-8C0F-4E55-9E1D-5A9B0C3D2F11}
AppName=SRO Journal
AppVersion={#AppVersion}
AppPublisher=SRO Journal developers
DefaultDirName={autopf}\SRO Journal
DefaultGroupName=SRO Journal
OutputDir=..\..\dist
OutputBaseFilename=SROJournal-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\org.srojournal.SROJournal.ico
UninstallDisplayIcon={app}\srojournal.exe
Compression=lzma2
SolidCompression=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern

[Files]
Source: "..\..\dist\srojournal\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\SRO Journal"; Filename: "{app}\srojournal.exe"; AppUserModelID: "org.srojournal.SROJournal"
Name: "{autodesktop}\SRO Journal"; Filename: "{app}\srojournal.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Code]
// Crash dumps: srojournal.exe excludes itself from Windows Error Reporting at every start
// (WerAddExcludedApplication, current user; see src/srojournal/hardening.py), first during the
// self-test below. Earlier installers wrote a LocalDumps key under HKCU with DumpType 0: WER
// reads LocalDumps only under HKLM, and DumpType 0 means a custom dump, not none. Remove it.
procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssInstall then
    RegDeleteKeyIncludingSubkeys(HKCU, 'Software\Microsoft\Windows\Windows Error Reporting\LocalDumps\srojournal.exe');
end;

[Run]
Filename: "{app}\srojournal.exe"; Parameters: "--self-test"; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installation..."
Filename: "{app}\srojournal.exe"; Description: "Start SRO Journal"; Flags: nowait postinstall skipifsilent
