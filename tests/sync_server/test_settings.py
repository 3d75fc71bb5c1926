"""Every server setting from its `SYNC_<FIELD>` variable, generated from the model's fields: a new field is
tested the moment it is added (or this test fails for a type it does not know). Bad values and unknown
names stop the start naming the variable; explicit construction reads nothing from the process."""
from __future__ import annotations

import typing
from datetime import timedelta
from pathlib import Path

import pytest

from sync_server.__main__ import main
from sync_server.settings import Settings
from sync_server.settings_env import SettingsError

FIELDS = sorted(Settings.model_fields)


def _variable(name: str) -> str:
    return f"SYNC_{name.upper()}"


def _good(name: str) -> list[tuple[str, object]]:
    """Values for a field as text in a variable, each with what it must parse to (never the default)."""
    field = Settings.model_fields[name]
    kind, default = field.annotation, field.default
    if typing.get_origin(kind) is typing.Literal:
        return [(v, v) for v in typing.get_args(kind) if v != default]
    if kind is bool:
        return [("true", True), ("1", True), ("yes", True)] if not default else [("false", False), ("0", False)]
    if kind is timedelta:
        return [("PT8H", timedelta(hours=8)), ("28800", timedelta(hours=8)), ("90.5", timedelta(seconds=90.5))]
    if kind is int and name.endswith("_s"):
        return [("7", 7), ("PT1M", 60)]
    if kind is int:
        return [(str(default + 3), default + 3)]
    if kind is float and name.endswith("_days"):
        return [("3", 3.0), ("P2D", 2.0), ("PT12H", 0.5)]
    if kind is float and name.endswith("_s"):
        return [("42.5", 42.5), ("PT90S", 90.0), ("PT2M", 120.0)]
    if kind is float:
        return [(str(default * 2), default * 2)]
    if kind is Path:
        return [("/srv/verification/data", Path("/srv/verification/data"))]
    if kind is str:
        return [("sync.example-county.gov.cn", "sync.example-county.gov.cn")]
    raise AssertionError(f"test_settings does not know how to set {name}: {kind}")


def _bad(name: str) -> list[str]:
    """Texts that must be refused for a field (none for free text and paths)."""
    field = Settings.model_fields[name]
    kind = field.annotation
    lower_bounds = [m for m in field.metadata if getattr(m, "ge", None) is not None or getattr(m, "gt", None) is not None]
    if typing.get_origin(kind) is typing.Literal:
        return ["hsm"]
    if kind is bool:
        return ["perhaps", "2"]
    if kind is timedelta:
        return ["soon", "PT"]
    if kind in (int, float):
        return ["lots", "1e", *(["-1"] if lower_bounds else [])]
    return []


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_is_set_from_its_variable(name, tmp_path):
    for text, parsed in _good(name):
        environ = {_variable(name): text}
        settings = Settings.from_env(tmp_path, environ)
        expected = parsed if name != "data_dir" else tmp_path  # the command line's --data-dir wins
        assert getattr(settings, name) == expected, (environ, getattr(settings, name))
        others = {n: getattr(settings, n) for n in FIELDS if n not in (name, "data_dir")}
        assert others == {n: getattr(Settings(tmp_path), n) for n in others}  # nothing else moved


@pytest.mark.parametrize("name", [n for n in FIELDS if _bad(n)])
def test_a_bad_value_is_refused_naming_its_variable(name, tmp_path):
    good = "SYNC_MAX_REQUESTS" if name != "max_requests" else "SYNC_MAX_UPLOADS"  # set well: not named
    for text in _bad(name):
        with pytest.raises(SettingsError) as refused:
            Settings.from_env(tmp_path, {_variable(name): text, good: "12"})
        message = str(refused.value)
        assert _variable(name) in message and good not in message, message


def test_every_numeric_and_bool_field_has_a_bad_value():
    """The bad-value test covers every field that can have one (free text and paths cannot)."""
    untested = [n for n in FIELDS if not _bad(n) and Settings.model_fields[n].annotation not in (str, Path)]
    assert untested == []


def test_a_secret_is_not_echoed_in_the_refusal(tmp_path):
    settings = Settings.from_env(tmp_path, {"SYNC_PKCS11_PIN": "4711-secret", "SYNC_AGENCY_KEY_STORE": "pkcs11"})
    assert settings.pkcs11_pin == "4711-secret" and "4711-secret" not in repr(settings)


def test_an_unknown_variable_is_refused_with_a_close_match(tmp_path):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(tmp_path, {"SYNC_SECURE_COOKIE": "true", "SYNC_MAX_UPLOAD": "3", "SYNC_FROBNICATE": "1"})
    message = str(refused.value)
    assert "SYNC_SECURE_COOKIE " in message and "SYNC_SECURE_COOKIES" in message
    assert "SYNC_MAX_UPLOAD " in message and "SYNC_MAX_UPLOADS" in message
    assert "SYNC_FROBNICATE" in message
    Settings.from_env(tmp_path, {"PATH": "/usr/bin", "FIELD_SERVER_URL": "https://x"})  # not ours: ignored


def test_database_url_still_works_and_the_sync_variable_wins(tmp_path):
    url = "postgresql+psycopg://verify@127.0.0.1/verification"
    assert Settings.from_env(tmp_path, {"DATABASE_URL": url}).db_url == url
    both = {"DATABASE_URL": url, "SYNC_DATABASE_URL": "sqlite:////srv/x.db"}
    assert Settings.from_env(tmp_path, both).db_url == "sqlite:////srv/x.db"


def test_construction_reads_nothing_from_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNC_MAX_UPLOADS", "3")
    monkeypatch.setenv("SYNC_SECURE_COOKIES", "true")
    monkeypatch.setenv("SYNC_NO_SUCH_THING", "1")
    settings = Settings(tmp_path, max_requests=5)
    assert (settings.max_uploads, settings.secure_cookies, settings.max_requests) == (24, False, 5)
    assert Settings(data_dir=tmp_path) == Settings(tmp_path)


def test_settings_are_frozen_and_replace_validates(tmp_path):
    settings = Settings(tmp_path)
    with pytest.raises(ValueError):
        settings.max_uploads = 3  # type: ignore[misc]
    assert settings.replace(max_uploads=3).max_uploads == 3 and settings.max_uploads == 24
    with pytest.raises(ValueError):
        settings.replace(max_uploads=-1)


def test_the_command_line_stops_on_a_misspelt_variable(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYNC_SECURE_COOKIE", "true")
    assert main(["check", "--data-dir", str(tmp_path / "data")]) == 2
    assert "SYNC_SECURE_COOKIES" in capsys.readouterr().err
    monkeypatch.delenv("SYNC_SECURE_COOKIE")
    monkeypatch.setenv("SYNC_MAX_UPLOADS", "many")
    assert main(["sweep-uploads", "--data-dir", str(tmp_path / "data")]) == 2
    assert "SYNC_MAX_UPLOADS='many'" in capsys.readouterr().err
