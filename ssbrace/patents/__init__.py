"""Patent landscapes from real exports: load Lens.org, Google Patents and PatentsView exports, count them
under the domain pack's landscape definition, and set the counts beside the figures the news reports.

    import ssbrace
    import ssbrace.patents as patents

    store = ssbrace.open_store("kb.db")
    patents.load(store, ["lens-export.csv.gz"])
    counts = patents.count(store, by="country", unit="simple_family", country_by="first_applicant")
    counts.rows, counts.definition       # rows of (key, count, share); the definition's hash

Heavy parts (the store, the pack's schemas) load inside the functions: importing this package is cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssbrace.errors import DomainPackError, UsageError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ssbrace.domains.loader import DomainPack
    from ssbrace.kb.patent_claims_repo import ComputationRow
    from ssbrace.kb.records import ClaimRecord
    from ssbrace.kb.store import Store
    from ssbrace.patents.counting import CountryOf, Counts
    from ssbrace.patents.gaps import PatentGap
    from ssbrace.patents.landscape import Landscape
    from ssbrace.patents.records import PatentRecord

__all__ = ["LoadResult", "StoredClaims", "company_countries", "company_names", "compare", "computations", "count",
           "count_files", "definition", "load", "read_files", "store_claims"]


@dataclass(frozen=True)
class LoadResult:
    location: str
    format: str
    status: str  # loaded | already loaded
    records: int
    export_id: int


def _pack(pack: DomainPack | str | None) -> DomainPack:
    from ssbrace.domains.loader import DomainPack, load_domain

    if isinstance(pack, DomainPack):
        return pack
    if pack is None:
        from ssbrace.settings import load_settings

        return load_domain(load_settings().domain)
    return load_domain(pack)


def definition(pack: DomainPack | str | None = None, *, unit: str | None = None, country_by: str | None = None,
               date_field: str | None = None, year_from: int | None = None, year_to: int | None = None,
               unconfirmed_codes: bool = False) -> Landscape:
    """The pack's landscape definition, with any of its choices changed.

    Args:
        unconfirmed_codes: also count the codes the pack lists under ``unconfirmed_codes`` (their titles are
            not confirmed against the CPC scheme; a warning names them). The hash changes with them.
    """
    from pydantic import ValidationError

    found = _pack(pack)
    if found.patents is None:
        raise DomainPackError(f"domain pack {found.name} has no patents.yaml (no landscape to count)")
    if unconfirmed_codes and found.patents.unconfirmed_codes is None:
        raise UsageError(f"domain pack {found.name} lists no unconfirmed codes: nothing to add")
    try:
        chosen = found.patents.with_choices(unit=unit, country_by=country_by, date_field=date_field,
                                            year_from=year_from, year_to=year_to, unconfirmed_codes=unconfirmed_codes)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "range"
        raise UsageError(f"{where}: {first['msg']}") from None
    if chosen.counted_unconfirmed:
        log.warning("counting %s, whose titles are not confirmed against the CPC scheme (docs/patents.md)",
                    ", ".join(c.spaced for c in chosen.counted_unconfirmed))
    return chosen


def company_countries(pack: DomainPack | str | None = None) -> CountryOf:
    """Applicant name -> country from the gazetteer's companies, for exports that give names only.

    "TOYOTA MOTOR CORP" is Toyota's: a company name or alias that starts the applicant name, word for word.
    """
    return _company_lookup(pack, lambda company: company.country)


def read_files(paths: Sequence[str | Path], chosen: Landscape) -> Iterable[tuple[str, Iterable[PatentRecord]]]:
    """(name, records) of each export these files make, streamed."""
    from ssbrace.patents.sources import detect

    for export in detect([Path(p) for p in paths]):
        yield export.name, export.records(chosen.code_matcher())


def load(store: Store, paths: Sequence[str | Path], *, pack: DomainPack | str | None = None,
         progress: Callable[[str, int], None] | None = None) -> list[LoadResult]:
    """Load exports into the store; an export already there (same bytes) is not loaded again.

    Each export goes in one transaction: one that fails (a broken file, a missing column) leaves nothing
    and raises ``InputError`` with one line; exports loaded before it stay.
    """
    from ssbrace.kb import patents_repo
    from ssbrace.patents.sources import detect

    chosen = definition(pack)
    results = []
    for export in detect([Path(p) for p in paths]):
        digest = export.digest()
        location = " + ".join(str(p) for p in export.paths)
        known = patents_repo.find_export(store, digest)
        if known is not None:
            results.append(LoadResult(location, export.format, "already loaded", known.records, known.id))
            continue
        def tick(n: int, name: str = export.name) -> None:
            if progress:
                progress(name, n)
        row = patents_repo.save_export(store, export.format, export.name, location, digest,
                                       export.records(chosen.known_codes_matcher()), tick)
        results.append(LoadResult(location, export.format, "loaded", row.records, row.id))
    return results


def count(store: Store, by: str = "country", *, pack: DomainPack | str | None = None,
          exports: Iterable[int] | None = None, **choices: object) -> Counts:
    """Count the stored exports (all, or these ids) under the pack's landscape with ``choices`` changed
    (unit, country_by, date_field, year_from, year_to)."""
    from ssbrace.kb import patents_repo
    from ssbrace.patents import counting

    chosen = definition(pack, **choices)  # type: ignore[arg-type]
    _check_by(by)
    stored = [e for e in patents_repo.exports(store) if exports is None or e.id in set(exports)]
    return counting.count(patents_repo.records(store, [e.id for e in stored]), chosen, by,
                          company_countries(pack), exports=[e.name for e in stored])


def count_files(paths: Sequence[str | Path], by: str = "country", *, pack: DomainPack | str | None = None,
                **choices: object) -> Counts:
    """Count export files directly, streamed, without storing them."""
    from itertools import chain

    from ssbrace.patents import counting

    chosen = definition(pack, **choices)  # type: ignore[arg-type]
    _check_by(by)
    parts = list(read_files(paths, chosen))
    return counting.count(chain.from_iterable(r for _, r in parts), chosen, by, company_countries(pack),
                          exports=[name for name, _ in parts])


def _check_by(by: str) -> None:
    from ssbrace.patents.counting import BY

    if by not in BY:
        raise UsageError(f"--by must be one of {', '.join(BY)}, not {by!r}")


def company_names(pack: DomainPack | str | None = None) -> Callable[[str], str | None]:
    """Applicant name -> the gazetteer company it names ("TOYOTA MOTOR CORP" -> "Toyota"), or None."""
    return _company_lookup(pack, lambda company: company.name)


def _company_lookup(pack: DomainPack | str | None, value: Callable[[Any], str]) -> Callable[[str], str | None]:
    """A prefix lookup from every gazetteer company's names and aliases to ``value(company)``."""
    names: dict[str, str] = {}
    for company in _pack(pack).gazetteer.companies:
        for alias in (company.name, *company.aliases):
            key = _name_key(alias)
            if len(key) >= 3:
                names.setdefault(key, value(company))
    return _prefix_lookup(names)


def _name_key(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def _prefix_lookup(names: dict[str, str]) -> Callable[[str], str | None]:
    """A lookup of the longest key that starts a name, word for word."""
    longest = max((len(k.split()) for k in names), default=0)
    cache: dict[str, str | None] = {}

    def lookup(name: str) -> str | None:
        if name not in cache:
            words = _name_key(name).split()
            cache[name] = next((names[" ".join(words[:n])] for n in range(min(longest, len(words)), 0, -1)
                                if " ".join(words[:n]) in names), None)
        return cache[name]

    return lookup


def compare(store: Store, claims: Sequence[ClaimRecord], *, pack: DomainPack | str | None = None) -> list[PatentGap]:
    """Each reported patent figure among ``claims`` beside the one computed from the stored exports
    (nothing when no export is loaded)."""
    from ssbrace.kb import patents_repo
    from ssbrace.patents import gaps as comparing

    stored = patents_repo.exports(store)
    if not stored or not comparing.comparable(claims):
        return []
    return comparing.compare(claims, patents_repo.records(store), definition(pack), company_countries(pack),
                             company_names(pack), [e.name for e in stored],
                             [_ref(e).describe() for e in stored])


def _ref(export: Any) -> Any:
    from ssbrace.patents.computed import ExportRef

    return ExportRef(export.id, export.name, export.digest, export.records)


# --- computed counts stored as claims (migration 0022) ---


@dataclass(frozen=True)
class StoredClaims:
    status: str  # stored | replaced | unchanged
    slot: str
    definition: str
    claims: int
    exports: tuple[str, ...]  # "name (sha256 ..., N rows)"
    document_id: int


def _slot(exports: Iterable[int] | None) -> str:
    """What a computation stands for: the landscape over every loaded export, or over these ones."""
    return "all exports" if exports is None else "exports " + ",".join(str(i) for i in sorted(set(exports)))


def store_claims(store: Store, *, pack: DomainPack | str | None = None, exports: Iterable[int] | None = None,
                 **choices: object) -> StoredClaims:
    """Store the counts and shares the loaded exports (all, or these ids) give under the pack's definition
    (``choices`` changed) as claims whose provenance is the exports and the definition.

    The same exports and definition again change nothing ("unchanged"); another export or definition replaces
    the slot's claims in one transaction ("replaced"). Countries are the gazetteer's places; companies the
    gazetteer's companies found among the applicants.
    """
    from ssbrace.entities.resolve import link_document_claims
    from ssbrace.kb import patent_claims_repo, patents_repo
    from ssbrace.patents import computed

    chosen = definition(pack, **choices)  # type: ignore[arg-type]
    wanted = None if exports is None else set(exports)
    stored = [e for e in patents_repo.exports(store) if wanted is None or e.id in wanted]
    if not stored or (wanted is not None and len(stored) != len(wanted)):
        missing = sorted((wanted or set()) - {e.id for e in stored})
        raise UsageError(f"no loaded export {', '.join(map(str, missing))} (see `ssbrace patents exports`)" if missing
                         else "no patent exports loaded (ssbrace patents load EXPORT...)")
    refs = [_ref(e) for e in stored]
    slot = _slot(exports)
    inputs = computed.inputs_digest(chosen, refs)
    described = tuple(r.describe() for r in refs)
    known = patent_claims_repo.find_computation(store, slot)
    if known is not None and known.inputs == inputs:
        return StoredClaims("unchanged", slot, known.definition, known.claims, described, known.document_id)
    found = _pack(pack)
    places = frozenset(p.name for p in found.gazetteer.places if p.type == "country")
    figures, years = computed.figures(patents_repo.records(store, [e.id for e in stored]), chosen,
                                      company_countries(found), company_names(found), places)
    text = computed.compose(figures, chosen, refs, years)
    read = [r.as_dict() for r in refs]
    used = {**chosen.canonical(), "year_from": years[0], "year_to": years[1]}
    extra = {"provenance": computed.PROVENANCE, "computation": slot, "definition": chosen.hash, "exports": read,
             "choices": used}
    rows = [{"kind": f.kind, "subject": f.subject, "subject_type": f.subject_type, "value": f.value,
             "unit": "%" if f.kind == "patent_share" else "patents", "bound": "eq", "year": years[0],
             "year_end": years[1], "sentence": text.text[start:end], "start": start, "end": end,
             "confidence": 1.0, "extra": extra} for f, (start, end) in zip(figures, text.spans, strict=True)]
    document = patent_claims_repo.ComputedDocument(
        f"ssbrace:patents/computed/{slot.replace(' ', '-').replace(',', '-')}", text.title, computed.PUBLISHER,
        text.text, computed.text_digest(text.text), computed.EXTRACTOR_VERSION)
    with store.session() as session:  # the claims, their entities and the computation: all or nothing
        row = patent_claims_repo.save_computation(session, slot=slot, definition=chosen.hash, inputs=inputs,
                                                  choices=used, exports=read,
                                                  document=document, claims=rows)
        link_document_claims(session, row.document_id, found)
    return StoredClaims("stored" if known is None else "replaced", slot, chosen.hash, row.claims, described,
                        row.document_id)


def computations(store: Store) -> list[ComputationRow]:
    """The stored computations: slot, definition, exports read, claim count, document."""
    from ssbrace.kb import patent_claims_repo

    return patent_claims_repo.computations(store)
