"""The report formats, in a module of their own so that the command line can name them in its help
without loading the report's renderer (Jinja2, the analysis)."""

FORMATS = ("html", "md", "csv", "json")


def chosen_format(out_path: object, fmt: str | None, *, formats: tuple[str, ...] | list[str],
                  suffixes: dict[str, str], default: str, what: str) -> str:
    """The format as asked, else told by the file's suffix, else ``default`` (standard output). A file whose
    suffix names no format is refused rather than filled with another format under a misleading name."""
    from pathlib import Path

    from ssbrace.errors import UsageError

    if fmt is not None:
        if fmt not in formats:
            raise UsageError(f"--format must be one of {', '.join(formats)}, not {fmt!r}")
        return fmt
    if out_path is None or str(out_path) == "-":
        return default
    suffix = Path(str(out_path)).suffix.lower()
    if suffix not in suffixes:
        raise UsageError(f"cannot tell {what} format from {str(out_path)!r}: give --format "
                         f"({', '.join(formats)}) or a file ending in {', '.join(sorted(suffixes))}")
    return suffixes[suffix]
