"""Every setting declared once, with its default and help text.

Layers, lowest first: these defaults < the config file (TOML) < environment variables
(``SSBRACE_<NAME>``) < command-line options. ``load_settings`` applies the first three;
commands apply their own options on top with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ssbrace.errors import UsageError


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "ssbrace"


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "ssbrace"


def default_db_url() -> str:
    return f"sqlite:///{_data_home() / 'ssbrace.db'}"


@dataclass(frozen=True)
class Settings:
    db: str = field(default_factory=default_db_url, metadata={"help": "SQLAlchemy URL of the knowledge store"})
    domain: str = field(default="solid_state_batteries", metadata={"help": "domain pack name or folder"})
    allow_private: bool = field(default=False, metadata={"help": "allow URLs to private/loopback addresses"})
    max_bytes: int = field(default=10_000_000, metadata={"help": "size cap of one fetched page or read file, bytes"})
    max_text_chars: int = field(default=1_000_000, metadata={"help": "longest main text analysed per document, characters"})
    document_seconds: float = field(default=60.0, metadata={"help": "time budget per document, seconds (0: none)"})
    connect_timeout: float = field(default=10.0, metadata={"help": "HTTP connect timeout, seconds"})
    read_timeout: float = field(default=20.0, metadata={"help": "HTTP read timeout, seconds"})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed, each re-checked"})
    user_agent: str = field(default="ssbrace/0.1 (+https://github.com/ssbrace)", metadata={"help": "HTTP User-Agent"})
    near_duplicate_threshold: float = field(default=0.8, metadata={"help": "Jaccard similarity for near duplicates"})
    smtp_host: str = field(default="127.0.0.1", metadata={"help": "SMTP server host"})
    smtp_port: int = field(default=25, metadata={"help": "SMTP server port"})
    smtp_starttls: bool = field(default=False, metadata={"help": "use STARTTLS"})
    smtp_user: str = field(default="", metadata={"help": "SMTP user name"})
    smtp_password: str = field(default="", metadata={"help": "SMTP password"})
    smtp_from: str = field(default="ssbrace@localhost", metadata={"help": "sender address of digests"})
    base_url: str = field(default="http://127.0.0.1:8000", metadata={"help": "public URL of the web app, for links"})
    api_token: str = field(default="", metadata={"help": "token required by write endpoints of the web API"})
    read_token_required: bool = field(default=False, metadata={"help": "close read endpoints behind the token"})
    # --- watches and webhooks (issue 15) ---
    alerts: bool = field(default=True, metadata={"help": "send watch alerts and webhooks after each ingest or update"})
    webhook_allow_private: bool = field(default=False, metadata={"help": "allow webhooks to private/loopback addresses"})
    webhook_timeout: float = field(default=5.0, metadata={"help": "seconds a webhook receiver has to connect and answer one try"})
    webhook_attempts: int = field(default=3, metadata={"help": "tries per webhook event in one `ssbrace webhooks deliver` (one after a batch)"})
    webhook_backoff: float = field(default=1.0, metadata={"help": "seconds before a webhook's first retry, doubled after each"})
    webhook_max_backoff: float = field(default=30.0, metadata={"help": "longest wait between two webhook tries, seconds"})
    webhook_max_attempts: int = field(default=10, metadata={"help": "tries per webhook event across runs before it is given up"})


SETTINGS_HELP = {f.name: f.metadata.get("help", "") for f in dataclasses.fields(Settings)}


def config_path() -> Path:
    return Path(os.environ.get("SSBRACE_CONFIG") or _config_home() / "config.toml")


def _coerce(name: str, raw: object, template: object) -> object:
    if isinstance(template, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise UsageError(f"setting {name}: expected true/false, got {raw!r}")
    try:
        return cast(Callable[[object], object], type(template))(raw)
    except (TypeError, ValueError):
        raise UsageError(f"setting {name}: expected {type(template).__name__}, got {raw!r}") from None


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then the config file, then ``SSBRACE_*`` environment variables."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    base = Settings()
    values: dict[str, object] = {}
    path = path or config_path()
    if path.is_file():
        import tomllib  # only when there is a file to read: every command start pays for this module

        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"config file {path}: {exc}") from None
    for name in SETTINGS_HELP:
        given = env.get(f"SSBRACE_{name.upper()}")
        if given is not None:
            values[name] = given
    unknown = set(values) - set(SETTINGS_HELP)
    if unknown:
        raise UsageError(f"config file {path}: unknown setting(s) {', '.join(sorted(unknown))}")
    typed: dict[str, Any] = {k: _coerce(k, v, getattr(base, k)) for k, v in values.items()}
    return dataclasses.replace(base, **typed)
