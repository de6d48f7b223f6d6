"""Which files a path stands for."""

from __future__ import annotations

import pytest

from ssbrace.errors import InputError
from ssbrace.sources.files import expand_path


def test_folder_is_walked_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.md").write_text("x")
    (tmp_path / "one.txt").write_text("x")
    (tmp_path / "page.HTML").write_text("x")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("x")
    names = [p.relative_to(tmp_path).as_posix() for p in expand_path(tmp_path)]
    assert names == ["b/two.md", "one.txt", "page.HTML"]


def test_a_file_stands_for_itself_whatever_its_type(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF")
    assert expand_path(pdf) == [pdf]


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        expand_path(tmp_path / "nope")
