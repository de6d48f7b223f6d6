"""The shape of a domain pack, validated by pydantic when the pack is loaded."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Strict):
    """A country or a region (the EU, Europe, the world)."""

    name: str
    type: Literal["country", "region"] = "country"
    aliases: list[str] = Field(default_factory=list)
    demonyms: list[str] = Field(default_factory=list, description="'Japanese', 'Korean': adjectives naming it")
    currency: str | None = None
    members: list[str] = Field(default_factory=list, description="for regions: member countries")
    capital: str | None = Field(
        default=None, description="the city reporters use for the government ('Seoul allocated...')"
    )


class Company(_Strict):
    name: str
    country: str
    aliases: list[str] = Field(default_factory=list)
    category: Literal["automaker", "cell_maker", "materials", "startup", "equipment", "other"] = "other"
    technologies: list[str] = Field(default_factory=list)
    parent: str | None = None


class Program(_Strict):
    """A government program, fund or agency scheme."""

    name: str
    country: str
    aliases: list[str] = Field(default_factory=list)


class Institution(_Strict):
    """A ministry, agency, research body, university or analyst firm."""

    name: str
    country: str | None = None
    aliases: list[str] = Field(default_factory=list)
    category: Literal["government", "research", "university", "analyst", "association", "other"] = "other"


class Gazetteer(_Strict):
    places: list[Place]
    companies: list[Company]
    programs: list[Program] = Field(default_factory=list)
    institutions: list[Institution] = Field(default_factory=list)


class Currency(_Strict):
    code: str
    words: list[str] = Field(default_factory=list, description="'yen', 'won', 'yuan', 'dollars'")
    symbols: list[str] = Field(default_factory=list, description="'¥', 'US$', 'KRW'")


class Topic(_Strict):
    """A digest topic: a story matches when any rule matches."""

    name: str
    slug: str
    entities: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class Indicator(_Strict):
    """A column of the scoreboard; the code that computes it is found by ``name``."""

    name: str
    label: str
    higher_is_better: bool = True


class Tolerances(_Strict):
    default: float = 0.02
    approx: float = 0.10
    spec: float = 0.25


class Analysis(_Strict):
    """``weights.yaml``: how the knowledge stage weighs, orders and compares figures."""

    indicators: list[Indicator] = Field(default_factory=list, description="the scoreboard's columns, in order")
    weights: dict[str, float] = Field(default_factory=dict)
    stages: list[str] = Field(default_factory=list, description="the order of a company's target ledgers")
    tolerances: Tolerances = Field(default_factory=Tolerances)
    spec_year_window: int = 1
    fx_tolerance: float = 0.15
    scope_fields: dict[str, str] | None = None
    technology_families: dict[str, list[str]] = Field(default_factory=dict)
    board: dict[str, str] = Field(default_factory=dict)
