"""The pack's vocabulary and analysis settings are data with a schema: a typo is an error at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ssbrace.analysis.config import config_from_pack
from ssbrace.domains.loader import load_domain
from ssbrace.domains.vocabulary import Vocabulary
from ssbrace.errors import DomainPackError
from ssbrace.extract.lexicon import lexicon_for

PACK = "solid_state_batteries"


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(load_domain(PACK).path, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_bundled_vocabulary_validates_into_typed_attributes():
    vocab = load_domain(PACK).vocabulary
    assert isinstance(vocab, Vocabulary)
    assert "hedges" in type(vocab).model_fields and vocab.hedges  # a phrase list
    assert vocab.is_table("stages") and not vocab.is_table("hedges")
    assert vocab.units["energy_density_wh_kg"].unit == "Wh/kg"
    assert vocab.decade_parts["early"] == (0, 3, "approx")


def test_a_mistyped_vocabulary_key_is_a_one_line_error_naming_it(tmp_path):
    folder = _copy_pack(tmp_path)
    _edit(folder / "vocabulary.yaml", lambda d: d.__setitem__("hedgess", d.pop("hedges")))
    with pytest.raises(DomainPackError) as caught:
        load_domain(str(folder))
    message = str(caught.value)
    assert "\n" not in message
    assert "vocabulary.yaml" in message and "unknown key 'hedgess'" in message
    assert "did you mean 'hedges'?" in message


def test_a_mistyped_nested_key_and_a_wrong_type_are_errors_too(tmp_path):
    folder = _copy_pack(tmp_path)
    _edit(folder / "vocabulary.yaml", lambda d: d["units"]["range_km"].__setitem__("mile", ["mi"]))
    with pytest.raises(DomainPackError, match="unknown key 'units.range_km.mile'"):
        load_domain(str(folder))
    folder = _copy_pack(tmp_path / "second")
    _edit(folder / "vocabulary.yaml", lambda d: d.__setitem__("ordinals", {"first": "one"}))
    with pytest.raises(DomainPackError, match=r"vocabulary.yaml: ordinals.first: .*integer"):
        load_domain(str(folder))


def test_a_mistyped_name_in_code_is_an_error_not_an_empty_list():
    lexicon = lexicon_for(PACK)
    assert lexicon.rx("hedges").search("the company is rumoured to plan")
    with pytest.raises(KeyError, match="no key 'hedgez'"):
        lexicon.rx("hedgez")


def test_indicators_stages_and_units_come_from_the_pack():
    pack = load_domain(PACK)
    config = config_from_pack(pack)
    assert [i.name for i in config.indicators][:2] == ["patents", "patent_share"]
    assert {i.name: i.higher_is_better for i in config.indicators}["earliest_mass_production"] is False
    assert set(config.weights) == {i.name for i in config.indicators}
    assert config.stages[0] == "prototype" and config.stages[-1] == "vehicle_launch"
    lexicon = lexicon_for(pack)
    assert lexicon.spec_units["cost_multiple"] is None and lexicon.spec_units["range_km"] == "km"
    assert lexicon.capacity_units == {"GWh/yr", "t/yr", "cells/yr"}  # MWh and kt scale into these


def test_weights_yaml_is_validated_at_load(tmp_path):
    folder = _copy_pack(tmp_path)
    _edit(folder / "weights.yaml", lambda d: d.__setitem__("tolerance", d.pop("tolerances")))
    with pytest.raises(DomainPackError, match="weights.yaml: unknown key 'tolerance' .did you mean 'tolerances'"):
        load_domain(str(folder))


def test_a_stage_the_vocabulary_names_must_have_a_place_in_the_ledger_order(tmp_path):
    folder = _copy_pack(tmp_path)
    _edit(folder / "weights.yaml", lambda d: d["stages"].remove("pilot"))
    with pytest.raises(DomainPackError, match="stages lacks pilot"):
        load_domain(str(folder))


def test_an_indicator_with_no_computation_is_an_error_on_the_board(tmp_path):
    from ssbrace.analysis.scoreboard import build_scoreboard

    folder = _copy_pack(tmp_path)
    _edit(folder / "weights.yaml", lambda d: d["indicators"].append({"name": "pattents", "label": "Typo"}))
    config = config_from_pack(load_domain(str(folder)))
    with pytest.raises(DomainPackError, match="indicator.s. pattents"):
        build_scoreboard([], config, "country")


def test_the_pack_is_read_once_per_process():
    assert load_domain(PACK) is load_domain(PACK)
    assert lexicon_for(PACK) is lexicon_for(PACK)
