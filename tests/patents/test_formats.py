"""Reading each export format into records: headers, ;; lists, nested fields, compression, bad input."""

from __future__ import annotations

import gzip

import pytest

import ssbrace.patents as patents
from ssbrace.errors import InputError
from ssbrace.patents.records import normalise_code
from ssbrace.patents.sources import detect
from tests.patents.conftest import GOOGLE_CSV, GOOGLE_JSONL, LENS, LENS_NO_MEMBERS, PATENTSVIEW


def _records(*paths):
    chosen = patents.definition()
    out = []
    for _name, records in patents.read_files(list(paths), chosen):
        out.extend(records)
    return out


def test_lens_rows_keep_lists_families_and_missing_fields():
    records = {r.publication: r for r in _records(LENS)}
    assert len(records) == 11
    jp = records["001-111-111-111-111"]
    assert jp.jurisdiction == "JP" and jp.priority_date == "2019-03-01" and jp.priority_office == "JP"
    assert jp.codes == ("H01M10/0562", "H01M2300/0068", "H01M10/052")
    # the three members of one simple family name it the same way
    assert {records[k].simple_family for k in ("001-111-111-111-111", "002-222-222-222-222",
                                               "003-333-333-333-333")} == {"EP 3800001 A1"}
    assert records["004-444-444-444-444"].simple_family != jp.simple_family
    assert records["004-444-444-444-444"].extended_family == jp.extended_family
    two = records["005-555-555-555-555"]
    assert two.applicants == ("SAMSUNG SDI CO LTD", "TOYOTA MOTOR CORP") and two.applicant_countries == ("", "")
    bare = records["009-999-999-999-999"]
    assert bare.priority_date is None and bare.applicants == () and bare.simple_family == ""


def test_lens_export_without_member_lists_names_families_by_their_priorities():
    records = {r.publication: r for r in _records(LENS_NO_MEMBERS)}
    assert len(records) == 7
    family = {key[-1]: r.simple_family for key, r in records.items()}
    # JP, US and EP publications claiming the same Japanese priority are one family
    assert family["1"] == family["2"] == family["3"] != ""
    # the same two priorities listed in another order still make one family; a different set does not
    assert family["5"] == family["6"] and family["5"] not in (family["1"], family["4"])
    assert family["7"] == ""  # no priority: the publication stands alone
    # counted by priority date, the seventh (no priority date) is left out as undated
    by_publication = patents.count_files([LENS_NO_MEMBERS], "country", unit="publication")
    assert (by_publication.total, by_publication.undated) == (6, 1)
    assert patents.count_files([LENS_NO_MEMBERS], "country", unit="simple_family").total == 3
    # no extended member list either: extended families fall back to the simple ones
    assert patents.count_files([LENS_NO_MEMBERS], "country", unit="extended_family").total == 3


def test_google_jsonl_and_csv_read_the_same():
    from_json = {r.publication: r for r in _records(GOOGLE_JSONL)}
    from_csv = {r.publication: r for r in _records(GOOGLE_CSV)}
    assert set(from_json) == set(from_csv)
    kr = from_json["KR-20210001111-A"]
    assert kr.applicants == ("SAMSUNG SDI CO LTD", "TOYOTA MOTOR CORP")
    assert kr.applicant_countries == ("KR", "JP") and kr.inventor_countries == ("KR", "US")
    assert kr.priority_office == "KR" and kr.priority_date == "2020-01-02" and kr.simple_family == "70000002"
    for key, record in from_json.items():
        other = from_csv[key]
        assert (record.applicants, record.applicant_countries, record.codes, record.priority_date,
                record.simple_family, record.inventor_countries) == (
            other.applicants, other.applicant_countries, other.codes, other.priority_date, other.simple_family,
            other.inventor_countries)
    assert from_json["WO-2022000001-A1"].simple_family == "" and from_json["WO-2022000001-A1"].priority_date is None


def test_patentsview_tables_join_and_keep_only_the_landscape():
    records = {r.publication: r for r in _records(*PATENTSVIEW)}
    assert set(records) == {"US11200001", "US11300001", "US11500001"}  # 11400001 is a liquid electrolyte
    two = records["US11300001"]
    assert two.applicants == ("Samsung SDI Co., Ltd.", "Toyota Jidosha Kabushiki Kaisha")
    assert two.applicant_countries == ("KR", "JP") and two.publication_date == "2022-04-12"
    assert records["US11500001"].applicants == ("Jane Doe",) and records["US11500001"].applicant_countries == ("US",)


def test_gzip_and_zip_read_like_plain(gz, zipped):
    plain = _records(LENS)
    assert _records(gz(LENS)) == plain
    assert _records(zipped(LENS)) == plain
    assert _records(zipped(*PATENTSVIEW, name="pv.zip")) == _records(*PATENTSVIEW)
    assert [e.format for e in detect([zipped(LENS, GOOGLE_JSONL, name="two.zip")])] == ["lens", "google"]


def test_codes_are_normalised():
    assert normalise_code("H01M 10/0562") == normalise_code("h01m10/0562") == "H01M10/0562"
    assert normalise_code("H01M  010/0562") == "H01M10/0562"


def test_unknown_format_is_one_line(tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("name,value\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown export format") as exc:
        _records(bad)
    assert "\n" not in str(exc.value)


def test_missing_required_column_is_named(tmp_path):
    lines = LENS.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace(",Jurisdiction,", ",Country,")
    broken = tmp_path / "lens.csv"
    broken.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column\\(s\\) Jurisdiction"):
        _records(broken)


def test_patentsview_without_cpc_table_is_refused():
    with pytest.raises(InputError, match="lacks the g_cpc_current table"):
        _records(PATENTSVIEW[0])


def test_truncated_gzip_is_one_line(tmp_path, gz):
    whole = gz(LENS).read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="unreadable"):
        _records(cut)


def test_broken_zip_and_bad_json_lines(tmp_path):
    fake = tmp_path / "x.zip"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match="broken zip"):
        _records(fake)
    lines = tmp_path / "g.jsonl.gz"
    with gzip.open(lines, "wt", encoding="utf-8") as handle:
        handle.write('{"publication_number": "US-1-A", "country_code": "US"}\n{not json\n')
    with pytest.raises(InputError, match="line 2: not JSON"):
        _records(lines)


def test_a_row_wider_than_its_header_is_refused(tmp_path):
    text = LENS.read_text(encoding="utf-8").splitlines()
    wide = tmp_path / "wide.csv"
    wide.write_text("\n".join([text[0], text[1] + ",extra"]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        _records(wide)
