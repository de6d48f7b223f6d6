"""Text -> claims: sentences, entities, figures, then one component per claim kind. Pure: no I/O.

    claims = extract_claims(text, published=date(2024, 5, 1), doc="article.txt")

The components run in the order of the vocabulary's ``pipeline:`` list; each sees one sentence at a time
with the document's state (its date and the entities talked about so far, for coreference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ssbrace import budget
from ssbrace.domains.loader import DomainPack
from ssbrace.extract.candidates import Candidate, Proposer
from ssbrace.extract.context import DocState, SentenceContext
from ssbrace.extract.coref import Coreference
from ssbrace.extract.cues import CueIndex
from ssbrace.extract.dates import document_date
from ssbrace.extract.decide import Decider, default_decider, model_digest, model_enabled
from ssbrace.extract.entities import EntityMatcher, Mention
from ssbrace.extract.kinds import COMPONENTS
from ssbrace.extract.lexicon import Lexicon, lexicon_for
from ssbrace.extract.quantities import QuantityFinder
from ssbrace.extract.ranks import RankFinder
from ssbrace.extract.sentences import split_sentences
from ssbrace.models import Claim

# Bump RULES_VERSION when a rule change alters what is extracted; the decision model's digest is appended, so a
# retrained model is a new version too. Stored with every claim; `ssbrace reextract` redoes older ones.
RULES_VERSION = "2.4.0"
EXTRACTOR_VERSION = f"{RULES_VERSION}+model.{model_digest()}" if model_enabled() else RULES_VERSION

# Vocabulary lists and labelled tables the components consult on every sentence: found in one scan.
CUE_LISTS = ("hedges", "market_only_cues", "patent_context", "market_share_cues", "money_not_claim", "funding_cues",
             "investment_cues", "goal_cues", "milestone_cues", "range_cues", "charge_cues", "cost_cues", "cycle_cues",
             "capacity_cues", "capacity_not", "partnership_cues", "partnership_weak_cues",
             "not_claim_sentences", "generic_cues", "comparison_cues", "superlatives", "firsts", "membership_cues",
             "underway_cues", "combined_cues", "group_count_words", "product_sales_cues", "product_sales_links")
CUE_TABLES = ("standing", "aspects", "technologies", "segments", "stages", "stages_vehicle", "stages_weak",
              "stage_verbs")

_ROW_START = re.compile(r"\s*(?:\d{1,2}[.)]\s|\||[-*•]\s)")
_CELL = re.compile(r"\|\s*\S+\s*\|")
_DIGIT = re.compile(r"\d")
# "Volkswagen's battery unit PowerCo": a possessive owner then a few words of description, no punctuation.
_OWNER_GAP = re.compile(r"(?:'s|’s)?[ \t]*(?:[\w\-]+[ \t]+){0,3}")
# "Blue Solutions, the battery arm of the Bollore group": the owner after "arm of", "unit of", "subsidiary of".
_OWNED_BY = re.compile(r"\b(?:arm|unit|subsidiary|division|affiliate|parent)[ \t]+of[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)


@dataclass
class Extractor:
    """Everything compiled from one domain pack; build once, reuse for every document."""

    lexicon: Lexicon

    def __post_init__(self) -> None:
        self.entities = EntityMatcher(self.lexicon)
        self.quantities = QuantityFinder(self.lexicon)
        self.coref = Coreference(self.lexicon)
        self.ranks = RankFinder(self.lexicon)
        names = self.lexicon.pipeline or list(COMPONENTS)
        unknown = [n for n in names if n not in COMPONENTS]
        if unknown:
            from ssbrace.errors import DomainPackError

            raise DomainPackError(f"vocabulary pipeline names unknown components: {', '.join(unknown)}")
        self.components = [COMPONENTS[n] for n in names]
        vocab = self.lexicon.vocab
        self.abbreviations = [str(a) for a in vocab.abbreviations]
        self.openers = [str(a) for a in vocab.sentence_openers]
        self.max_chars = int(vocab.max_sentence_chars or 1200)
        # Cheap gate: a sentence with no digit, number word, standing or partnership cue holds no claim.
        gate_words = [*vocab.number_words, *vocab.fractions, *vocab.vague_numbers]
        gates = {"_numbers": [str(w) for w in gate_words], **self.entities.gate_lists(),
                 **self.quantities.gate_lists(), **self.ranks.gate_lists()}
        self.cues = CueIndex(self.lexicon, CUE_LISTS, CUE_TABLES, extra=gates)
        prefixes = [str(p) for p in vocab.boilerplate_prefixes]
        self._boilerplate = re.compile(r"\s*(?:" + "|".join(re.escape(p) for p in prefixes) + r")\s*[:|]", re.I) \
            if prefixes else re.compile(r"(?!x)x")
        self._world: Mention | None = None
        world = self.entities.lookup("World")
        if world is not None:
            self._world = Mention(0, 0, world.name, world.type, world.country)

    def world_mention(self) -> Mention | None:
        """The gazetteer's region for global totals, when it has one."""
        return self._world

    def is_boilerplate(self, text: str) -> bool:
        """A link line ("Related: ...", "Read more: ..."): not the article's own statement."""
        return self._boilerplate.match(text) is not None

    @staticmethod
    def is_table_row(text: str) -> bool:
        """A numbered list item or a table row ("1. CATL 36.8%", "| BYD | 15.8% |")."""
        return _ROW_START.match(text) is not None or ("|" in text and _CELL.search(text) is not None)

    def run(self, text: str, *, published: date | None = None, doc: str = "",
            decider: Decider | bool | None = None) -> list[Claim]:
        """The claims of one document: the rules propose, the trained model decides.

        ``decider``: ``False`` gives the rules' own claims, ``True`` the packaged model, a ``Decider`` that
        model, ``None`` whatever ``SSBRACE_DECIDER`` says (the rules by default).
        """
        if decider is None:
            decider = model_enabled()
        model = default_decider() if decider is True else (decider or None)
        if model is None:
            return self._read(text, published, doc, None)
        proposals: list[Candidate] = []
        self._read(text, published, doc, proposals)
        return _dedupe(model.choose(proposals))

    def candidates(self, text: str, *, published: date | None = None, doc: str = "") -> list[Candidate]:
        """Every candidate the rules propose for one document (what the model is trained and run on)."""
        proposals: list[Candidate] = []
        self._read(text, published, doc, proposals)
        return proposals

    def _read(self, text: str, published: date | None, doc: str, proposals: list[Candidate] | None) -> list[Claim]:
        """Walk the sentences; return the rule claims, and add the widened candidates to ``proposals``."""
        if not text or not text.strip():
            return []
        state = DocState(doc=doc, published=document_date(text, published))
        claims: list[Claim] = []
        proposer = Proposer() if proposals is not None else None
        sentences = split_sentences(text, abbreviations=self.abbreviations, openers=self.openers,
                                    max_chars=self.max_chars)
        for index, sentence in enumerate(sentences):
            budget.check("extracting claims")
            # One scan finds every cue list in the sentence; entities, figures and components read it.
            lower = sentence.text.lower()
            cues = self.cues.scan(sentence.text, lower)
            mentions = self.entities.find(sentence.text, cues)
            numeric = _DIGIT.search(sentence.text) is not None or "_numbers" in cues
            # a sentence naming only organisations the gazetteer lacks can still hold a deal ("Foo Ventures and
            # Bar Capital led the round"): a partnership or membership cue lets its capitalised names be read
            linking = "partnership_cues" in cues or "membership_cues" in cues
            # ... and a standing cue with no name ("puts the company at the forefront") can lead back to one
            linking = linking or (proposals is not None and "standing" in cues)
            if (mentions or numeric or linking) and "not_claim_sentences" not in cues:
                ctx = SentenceContext(sentence.text, sentence.start, sentence.end, index, mentions, state, self)
                ctx.__dict__.update(lower=lower, cues=cues)  # fill the cached properties
                found: list[Claim] = []
                for component in self.components:
                    # Components that read figures have nothing to read in a sentence without numbers
                    # (relative years such as "next year" are the exception: targets always run).
                    if numeric or not getattr(component, "NEEDS_NUMBERS", False):
                        found.extend(component.extract(ctx))
                    elif hasattr(component, "note_topic"):
                        component.note_topic(ctx)  # a passage's topic can be set by a sentence without figures
                found = _dedupe(found)
                claims.extend(found)
                if proposer is not None and proposals is not None:
                    proposals.extend(proposer.propose(ctx, found))
                subjects = [m for m in mentions if m.candidate]
                if len(subjects) > 1:
                    group = ctx.coordinated(subjects[0], subjects)
                    state.memory.remember_group(index, group)
            # "Bollore's Blue Solutions": the owner qualifies the company named next; the latter is the topic
            owners = {id(m) for m, n in zip(mentions, mentions[1:], strict=False)
                      if m.possessive and n.type == "company" and 0 <= n.start - m.end <= 40
                      and _OWNER_GAP.fullmatch(sentence.text[m.end : n.start])}
            owners |= {id(m) for m in mentions if _OWNED_BY.search(sentence.text, max(0, m.start - 40), m.start)}
            state.memory.remember(index, [m for m in mentions if id(m) not in owners])
            if proposer is not None:
                proposer.remember(mentions)
        return _dedupe(claims)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    """One claim per identity (kind, subject, object, figure, period, stage, metric, relation, rank...).

    Applied to each sentence and again to the whole document: a headline and the body often state the
    same claim, and a reader (or a scorer) wants it once, with the first sentence that states it.
    """
    seen: set[tuple[object, ...]] = set()
    out = []
    for c in claims:
        key: tuple[object, ...] = (c.kind, c.subject, c.object, c.value, c.unit, c.year, c.year_end, c.stage, c.metric,
               c.relation, c.aspect, c.rank, c.segment, c.amount, c.currency)
        if c.kind == "partnership":
            key = (c.kind, *sorted([c.subject, c.object or ""]))
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


_EXTRACTORS: dict[int, Extractor] = {}


def extractor_for(domain: DomainPack | str | None = None) -> Extractor:
    """The compiled extractor of a domain pack (cached per process)."""
    lexicon = lexicon_for(domain)
    key = id(lexicon)
    found = _EXTRACTORS.get(key)
    if found is None:
        found = Extractor(lexicon)
        _EXTRACTORS[key] = found
    return found


def extract_claims(text: str, *, published: date | None = None, doc: str = "",
                   domain: DomainPack | str | None = None, decider: bool | None = None) -> list[Claim]:
    """Every claim ``text`` states, in the shape of CLAIMS.md.

    Args:
        text: the document's main text (already extracted from HTML).
        published: the document's date, when known; else read from the text's header or dateline.
        doc: the document's path or URL, copied into each claim.
        domain: a domain pack, its name or folder (default: solid_state_batteries).
        decider: let the trained model decide among the rules' candidates (True), or take the rules' own
            claims (False); None follows the ``SSBRACE_DECIDER`` setting (off by default).

    Returns:
        The claims in document order; empty for an empty text.
    """
    return extractor_for(domain).run(text, published=published, doc=doc, decider=decider)
