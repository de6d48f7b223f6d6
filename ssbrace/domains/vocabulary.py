"""The shape of ``vocabulary.yaml``: every key the extractor and the story stage read, typed.

An unknown key (a typo) is an error when the pack loads, not a list that silently matches nothing; code
reads the vocabulary through these attributes, so a mistyped name in code fails too.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Phrases = list[str]
Labelled = dict[str, list[str]]  # label -> the phrases that name it; the order breaks ties


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpecUnit(_Strict):
    """A measured spec metric: the unit claims carry and the words that write it."""

    unit: str | None
    words: Phrases = Field(default_factory=list)
    miles: Phrases = Field(default_factory=list, description="words of a unit converted to km")


class CapacityUnit(_Strict):
    """A production amount: its words, its factor to ``unit`` (default: the unit is the key itself)."""

    words: Phrases = Field(default_factory=list)
    scale: float = 1.0
    unit: str | None = None


class Vocabulary(_Strict):
    # the pack itself
    fx_source: str = ""
    pipeline: Phrases = Field(default_factory=list, description="claim components, in the order they run")
    # sentences and boilerplate
    not_claim_sentences: Phrases = Field(default_factory=list)
    boilerplate_prefixes: Phrases = Field(default_factory=list)
    abbreviations: Phrases = Field(default_factory=list)
    sentence_openers: Phrases = Field(default_factory=list)
    max_sentence_chars: int | None = None
    # names and coreference
    corporate_suffixes: Phrases = Field(default_factory=list)
    organisation_cues: Phrases = Field(default_factory=list)
    not_names: Phrases = Field(default_factory=list)
    demonym_group_nouns: Phrases = Field(default_factory=list)
    coref: Labelled = Field(default_factory=dict)
    coref_heads: Phrases = Field(default_factory=list)
    ambiguous_pronouns: Phrases = Field(default_factory=list)
    coref_speaker: Phrases = Field(default_factory=list)
    coref_plural: Phrases = Field(default_factory=list)
    non_subject_institution_categories: Phrases = Field(default_factory=list)
    # numbers, bounds and years
    number_words: dict[str, float] = Field(default_factory=dict)
    vague_numbers: dict[str, float] = Field(default_factory=dict)
    ordinals: dict[str, int] = Field(default_factory=dict)
    fractions: dict[str, float] = Field(default_factory=dict)
    bounds: Labelled = Field(default_factory=dict)
    bounds_after: Labelled = Field(default_factory=dict)
    year_prepositions: Labelled = Field(default_factory=dict)
    relative_years: dict[str, int] = Field(default_factory=dict)
    decade_parts: dict[str, tuple[int, int, str]] = Field(default_factory=dict, description="first, last year, bound")
    # cues of the claim kinds
    hedges: Phrases = Field(default_factory=list)
    generic_cues: Phrases = Field(default_factory=list)
    comparison_cues: Phrases = Field(default_factory=list)
    firsts: Phrases = Field(default_factory=list, description="phrases stating a first ('the world's first'): "
                            "a reading of first place the decision model weighs")
    market_only_cues: Phrases = Field(default_factory=list)
    patent_nouns: Phrases = Field(default_factory=list)
    patent_context: Phrases = Field(default_factory=list)
    percent_not_share: Phrases = Field(default_factory=list)
    market_share_cues: Phrases = Field(default_factory=list)
    segments: Labelled = Field(default_factory=dict)
    funding_cues: Phrases = Field(default_factory=list)
    investment_cues: Phrases = Field(default_factory=list)
    money_not_claim: Phrases = Field(default_factory=list)
    goal_cues: Phrases = Field(default_factory=list)
    stages: Labelled = Field(default_factory=dict)
    stages_vehicle: Labelled = Field(default_factory=dict)
    stages_weak: Labelled = Field(default_factory=dict)
    milestone_cues: Phrases = Field(default_factory=list)
    technologies: Labelled = Field(default_factory=dict)
    units: dict[str, SpecUnit] = Field(default_factory=dict, description="spec metric -> its unit and words")
    range_cues: Phrases = Field(default_factory=list)
    charge_cues: Phrases = Field(default_factory=list)
    cost_cues: Phrases = Field(default_factory=list)
    cycle_cues: Phrases = Field(default_factory=list)
    capacity_units: dict[str, CapacityUnit] = Field(default_factory=dict)
    capacity_cues: Phrases = Field(default_factory=list)
    capacity_not: Phrases = Field(default_factory=list)
    partnership_cues: Phrases = Field(default_factory=list)
    partnership_weak_cues: Phrases = Field(default_factory=list)
    partnership_not: Phrases = Field(default_factory=list)
    product_sales_cues: Phrases = Field(default_factory=list)
    product_sales_links: Phrases = Field(default_factory=list)
    supplier_categories: Phrases = Field(default_factory=list)
    buyer_categories: Phrases = Field(default_factory=list)
    # the decision model's candidate readings (candidates.py)
    membership_cues: Phrases = Field(default_factory=list, description="words that put names in an alliance")
    group_name_words: Phrases = Field(default_factory=list, description="head words of an alliance's name")
    combined_cues: Phrases = Field(default_factory=list, description="a figure summed over several companies")
    group_count_words: Phrases = Field(default_factory=list, description="'the trio': a group by its size")
    underway_cues: Phrases = Field(default_factory=list, description="an achievement told in the present")
    stage_verbs: Labelled = Field(default_factory=dict, description="stage -> verbs that say it, tried in order")
    standing: Labelled = Field(default_factory=dict)
    superlatives: Phrases = Field(default_factory=list)
    aspects: Labelled = Field(default_factory=dict)
    rank_patterns: Phrases = Field(default_factory=list)

    def words(self, name: str) -> Phrases | Labelled:
        """Phrase list or labelled table ``name``, for code that picks lists by name (the cue scans)."""
        if name not in type(self).model_fields:
            raise KeyError(f"the vocabulary has no key {name!r}")
        value = getattr(self, name)
        if not isinstance(value, list | dict):
            raise KeyError(f"vocabulary key {name!r} is not a phrase list or table")
        return value

    def is_table(self, name: str) -> bool:
        """Is ``name`` a labelled table (label -> phrases) rather than a flat phrase list?"""
        return isinstance(self.words(name), dict)

    def spec_units(self) -> dict[str, str | None]:
        """Spec metric -> the unit its claims carry."""
        return {metric: spec.unit for metric, spec in self.units.items()}

    def capacity_claim_units(self) -> set[str]:
        """The units capacity claims carry once their amounts are scaled ("MWh" becomes "GWh/yr")."""
        return {spec.unit or name for name, spec in self.capacity_units.items()}
