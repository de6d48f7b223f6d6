"""``ssbrace serve`` refuses an address it cannot listen on with one line and exit code 2."""

import os
import socket
import subprocess
import sys
from pathlib import Path

SSBRACE = str(Path(sys.executable).with_name("ssbrace"))


def test_port_in_use_is_one_line_usage_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "SSBRACE_DB": f"sqlite:///{tmp_path / 's.db'}"}
        run = subprocess.run([SSBRACE, "serve", "--port", str(port)], capture_output=True, text=True,
                             timeout=60, env=env)
    assert run.returncode == 2
    assert run.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
