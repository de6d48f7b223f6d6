"""Imports every command module so that each registers its commands on the app.

One line per command group, in the order of the flow (sources -> documents -> extract -> kb ->
analysis -> stories -> delivery -> web).
"""

# ruff: noqa: I001  (the order is the order of the flow, not the alphabet)
from ssbrace.cli import store_cmds  # noqa: F401
from ssbrace.cli import ingest_cmds  # noqa: F401
from ssbrace.cli import extract_cmds  # noqa: F401
from ssbrace.cli import kb_cmds  # noqa: F401
from ssbrace.cli import claims_cmds  # noqa: F401
from ssbrace.cli import patents_cmds  # noqa: F401
from ssbrace.cli import stories_cmds  # noqa: F401
from ssbrace.cli import watch_cmds  # noqa: F401
from ssbrace.cli import serve_cmd  # noqa: F401
from ssbrace.cli import export_cmds  # noqa: F401
from ssbrace.cli import demo_cmd  # noqa: F401
