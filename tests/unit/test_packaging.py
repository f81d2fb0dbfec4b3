"""One app id everywhere, a valid metainfo, one version source, a self-test that passes."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET

import pytest

from srojournal import APP_ID, __version__
from tests.conftest import REPO_ROOT

RES = REPO_ROOT / "resources"


def test_single_app_id_across_desktop_metainfo_and_icons() -> None:
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(RES / f"{APP_ID}.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Icon"] == APP_ID
    meta = ET.parse(RES / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    assert (RES / "icons" / f"{APP_ID}.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        assert (RES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()


def test_version_has_one_source() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == project["project"]["version"]
    meta = ET.parse(RES / f"{APP_ID}.metainfo.xml").getroot()
    releases = [r.get("version") for r in meta.iter("release")]
    assert __version__ in releases


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli not installed")
def test_metainfo_validates() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(RES / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_version_and_self_test() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "srojournal", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith(f"srojournal {__version__} (SQLCipher 4.")
    proc = subprocess.run(
        [sys.executable, "-m", "srojournal", "--self-test"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "self-test ok" in proc.stdout
