"""``ssbrace init`` and ``ssbrace settings``: the store and the settings in force."""

from __future__ import annotations

import typer

from ssbrace.cli.context import app_context, out, plain
from ssbrace.cli.main import app
from ssbrace.settings import SETTINGS_HELP, config_path


@app.command("init")
def init_cmd(ctx: typer.Context) -> None:
    """Create the store (or migrate it to the newest schema) and print where it is."""
    context = app_context(ctx)
    store = context.store()
    out.print(plain(f"store ready: {store.display_url}"), markup=False)


@app.command("settings")
def settings_cmd(ctx: typer.Context) -> None:
    """Print every setting, its value and what it does (secrets masked)."""
    from ssbrace.kb.store import display_url

    settings = app_context(ctx).settings
    out.print(plain(f"# config file: {config_path()}"), markup=False)
    for name, help_text in SETTINGS_HELP.items():
        value = getattr(settings, name)
        if name in {"smtp_password", "api_token"} and value:
            value = "***"
        elif name == "db":
            value = display_url(value)  # a password in the URL is a secret too
        out.print(plain(f"{name} = {value!r}  # {help_text}"), markup=False)
