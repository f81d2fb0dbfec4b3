"""Import mappings saved in the vault, never in a settings file."""

from __future__ import annotations

import pytest

from srojournal.importing.dates import DateOrder
from srojournal.importing.mapping import Mapping
from srojournal.vault import mappings
from srojournal.vault.errors import InvalidInput
from srojournal.vault.store import Vault


def test_save_load_replace_delete(vault: Vault) -> None:
    j = vault.journal
    m = Mapping(
        columns={"date": "When", "students": "Kid", "notes": None},
        values={"type": {"Mentor mtg": "mentoring"}},
        date_order=DateOrder.MDY,
        default_school="Lincoln High",
    )
    assert mappings.save(j, "  Monthly   log ", m) == "Monthly log"
    assert mappings.names(j) == ["Monthly log"]
    assert mappings.load(j, "monthly LOG") == m  # names compare without case
    m2 = Mapping(columns={"date": "Day"})
    mappings.save(j, "monthly log", m2)
    assert mappings.names(j) == ["monthly log"] and mappings.load(j, "Monthly log") == m2
    mappings.delete(j, "Monthly log")
    assert mappings.names(j) == [] and mappings.load(j, "Monthly log") is None
    with pytest.raises(InvalidInput):
        mappings.save(j, "   ", m)


def test_best_for_picks_the_mapping_that_fits_the_header(vault: Vault) -> None:
    j = vault.journal
    mappings.save(j, "small", Mapping(columns={"date": "When"}))
    mappings.save(j, "full", Mapping(columns={"date": "When", "students": "Kid"}))
    mappings.save(j, "other", Mapping(columns={"date": "Datum", "type": "Art"}))
    found = mappings.best_for(j, ["when", "KID", "Type"])
    assert found is not None and found[0] == "full"
    found = mappings.best_for(j, ["When", "Type"])
    assert found is not None and found[0] == "small"
    assert mappings.best_for(j, ["Date", "Type"]) is None


def test_the_mapping_is_inside_the_encrypted_vault(vault: Vault) -> None:
    mappings.save(vault.journal, "log", Mapping(columns={"students": "Jamie Rivera's kids"}))
    folder = vault.folder
    vault.close()
    for f in folder.iterdir():
        assert b"Rivera" not in f.read_bytes()
