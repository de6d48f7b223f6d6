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

    @property
    def spaced(self) -> str:
        """The code as the scheme writes it: "H01M2300/0065" -> "H01M 2300/0065"."""
        return f"{self.code[:4]} {self.code[4:]}" if len(self.code) > 4 else self.code


class UnconfirmedCodes(_Strict):
    """Codes the definition names but does not count: nobody could check their titles against the CPC scheme.
    A count takes them only when asked (``with_choices(unconfirmed_codes=True)``), and says so."""

    reason: str
    scheme: str = Field("", description="where to check them: the address of the CPC scheme file")
    codes: list[Code] = Field(min_length=1)


class Landscape(_Strict):
    """``patents.yaml``: one definition of the patent landscape the counts are computed over."""

    name: str
    description: str = ""
    codes: list[Code] = Field(min_length=1)
    unconfirmed_codes: UnconfirmedCodes | None = None
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
        """The choices that change a count, in a stable form (names, titles and the codes not counted do not
        count)."""
        return {"codes": sorted(c.code for c in self.codes), "keywords": sorted(k.casefold() for k in self.keywords),
                "require_keyword": self.require_keyword, "unit": self.unit, "country_by": self.country_by,
                "date_field": self.date_field, "year_from": self.year_from, "year_to": self.year_to,
                "countries": dict(sorted(self.countries.items()))}

    @property
    def hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_choices(self, *, unconfirmed_codes: bool = False, **changes: object) -> Landscape:
        """This definition with some choices changed (validated like the file); ``unconfirmed_codes`` also
        counts the codes whose titles are not confirmed (``counted_unconfirmed`` then names them)."""
        given = {k: v for k, v in changes.items() if v is not None}
        if unconfirmed_codes and self.unconfirmed_codes is not None:
            have = {c.code for c in self.codes}
            given["codes"] = [*self.codes, *(c for c in self.unconfirmed_codes.codes if c.code not in have)]
        return Landscape.model_validate({**self.model_dump(), **given}) if given else self

    @property
    def counted_unconfirmed(self) -> list[Code]:
        """The codes this definition counts although their titles are not confirmed against the CPC scheme."""
        doubtful = {c.code for c in self.unconfirmed_codes.codes} if self.unconfirmed_codes else set()
        return [c for c in self.codes if c.code in doubtful]

    def known_codes_matcher(self) -> Callable[[tuple[str, ...]], bool]:
        """Whether a code list holds a counted or an unconfirmed code: what loading keeps of an all-of-the-US
        table, so that a count asked with ``unconfirmed_codes`` later finds its patents stored."""
        return self.with_choices(unconfirmed_codes=True).code_matcher()

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
