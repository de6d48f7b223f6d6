import pytest

from ssbrace.errors import UsageError
from ssbrace.settings import load_settings


def test_layers_file_then_environment(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("max_bytes = 1234\nsmtp_port = 2525\n")
    s = load_settings(cfg, environ={"SSBRACE_SMTP_PORT": "2626", "SSBRACE_ALLOW_PRIVATE": "yes"})
    assert s.max_bytes == 1234
    assert s.smtp_port == 2626
    assert s.allow_private is True


def test_unknown_and_mistyped_settings_are_usage_errors(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("no_such = 1\n")
    with pytest.raises(UsageError, match="no_such"):
        load_settings(cfg, environ={})
    with pytest.raises(UsageError, match="max_bytes"):
        load_settings(tmp_path / "missing.toml", environ={"SSBRACE_MAX_BYTES": "lots"})
