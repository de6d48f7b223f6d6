"""The landscape definition: which publications count, as what, for whom and when.

It lives in the domain pack (``patents.yaml``) and every count carries its hash, so two figures can be
compared only when they were computed the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ssbrace.patents.records import PatentRecord, normalise_code

Unit = Literal["publication", "simple_family", "extended_family"]
CountryRule = Literal["applicant", "first_applicant", "priority_office", "inventor"]
DateField = Literal["priority", "filing", "publication"]

UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]
COUNTRY_RULES: tuple[str, ...] = CountryRule.__args__  # type: ignore[attr-defined]
DATE_FIELDS: tuple[str, ...] = DateField.__args__  # type: ignore[attr-defined]


def unit_label(unit: str) -> str:
    """The unit in the plural, for column heads and sentences."""
    return {"publication": "publications", "simple_family": "simple families",
            "extended_family": "extended families"}.get(unit, unit)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Strict):
    """A CPC or IPC code; a trailing ``*`` takes every code under it ("H01M10/056*")."""

    code: str
    title: str = ""

    @field_validator("code")
    @classmethod
    def _normal(cls, value: str) -> str:
        star = value.strip().endswith("*")
        code = normalise_code(value.strip().rstrip("*"))
        if len(code) < 4:
            raise ValueError(f"not a classification code: {value!r}")
        return code + ("*" if star else "")


class Landscape(_Strict):
    """``patents.yaml``: one definition of the patent landscape the counts are computed over."""

    name: str
    description: str = ""
    codes: list[Code] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list, description="title words; any one admits a publication")
    require_keyword: bool = Field(False, description="admit only publications with a code AND a keyword")
    unit: Unit = "simple_family"
    country_by: CountryRule = "applicant"
    date_field: DateField = "priority"
    year_from: int | None = None
    year_to: int | None = None
    # Two-letter codes (offices, applicant countries) -> the gazetteer's place names.
    countries: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _range(self) -> Landscape:
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"year_from {self.year_from} is after year_to {self.year_to}")
        return self

    def canonical(self) -> dict:
        """The choices that change a count, in a stable form (names and titles do not count)."""
        return {"codes": sorted(c.code for c in self.codes), "keywords": sorted(k.casefold() for k in self.keywords),
                "require_keyword": self.require_keyword, "unit": self.unit, "country_by": self.country_by,
                "date_field": self.date_field, "year_from": self.year_from, "year_to": self.year_to,
                "countries": dict(sorted(self.countries.items()))}

    @property
    def hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_choices(self, **changes: object) -> Landscape:
        """This definition with some choices changed (validated like the file)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return Landscape.model_validate({**self.model_dump(), **given}) if given else self

    def code_matcher(self) -> Callable[[tuple[str, ...]], bool]:
        """A function telling whether a code list holds one of the landscape's codes."""
        exact = frozenset(c.code for c in self.codes if not c.code.endswith("*"))
        prefixes = tuple(c.code[:-1] for c in self.codes if c.code.endswith("*"))

        def matches(codes: tuple[str, ...]) -> bool:
            return any(c in exact or (prefixes and c.startswith(prefixes)) for c in codes)

        return matches

    def admits(self) -> Callable[[PatentRecord], bool]:
        """A function telling whether a record belongs to the landscape (codes, keywords)."""
        matches = self.code_matcher()
        words = tuple(k.casefold() for k in self.keywords)

        def admitted(record: PatentRecord) -> bool:
            coded = matches(record.codes)
            if not words:
                return coded
            worded = any(w in record.title.casefold() for w in words)
            return (coded and worded) if self.require_keyword else (coded or worded)

        return admitted
