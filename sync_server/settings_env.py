"""Reading `Settings` from `SYNC_*` variables: pydantic-settings' own environment source, over the mapping
given (never `os.environ` behind the caller's back), and errors that name the variable to fix.

An unknown `SYNC_*` name is refused with a close match when there is one (`SYNC_SECURE_COOKIE` ->
`SYNC_SECURE_COOKIES`): a misspelt limit silently left at its default is the kind of thing found only in
an outage.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource

ENV_PREFIX = "SYNC_"
DATABASE_URL = "DATABASE_URL"
Settings = TypeVar("Settings", bound=BaseSettings)  # sync_server.settings.Settings (which imports this module)


class SettingsError(ValueError):
    """A setting from the environment that cannot be used; the message names the variable (Chinese first)."""


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of the process environment."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items()}


def variable_of(field: str) -> str:
    """The environment variable that sets a field."""
    return f"{ENV_PREFIX}{field.upper()}"


def unknown_variables(settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> list[str]:
    """Messages for the `SYNC_*` variables that set no field, each with a close match if there is one."""
    known = {variable_of(name) for name in settings_cls.model_fields}
    messages = []
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX) or name.upper() in known:
            continue
        close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.7)
        hint = f"，是否应为 {close[0]}？/ did you mean {close[0]}?" if close else ""
        messages.append(f"未知的设置变量 {name} / unknown setting {name}{hint}")
    return messages


def settings_from_env(settings_cls: type[Settings], data_dir: Path, environ: Mapping[str, str]) -> Settings:
    """The settings a process starts with (see the module docstring); `SettingsError` lists every fault."""
    faults = unknown_variables(settings_cls, environ)
    values = dict(_MappingEnvSource(settings_cls, environ)())
    values["data_dir"] = data_dir
    if "database_url" not in values and environ.get(DATABASE_URL):
        values["database_url"] = environ[DATABASE_URL]
    if not faults:
        try:
            return settings_cls(**values)
        except ValidationError as error:
            faults = [_fault(settings_cls, e, environ) for e in error.errors()]
    raise SettingsError("设置有误，服务未启动 / settings refused:\n  " + "\n  ".join(faults))


def _fault(settings_cls: type[BaseSettings], error: Mapping[str, object], environ: Mapping[str, str]) -> str:
    """One validation error as a line naming the variable and the value it had."""
    loc = error.get("loc") or ("?",)
    field = str(loc[0]) if isinstance(loc, tuple) else str(loc)
    variable = variable_of(field)
    given = next((v for k, v in environ.items() if k.upper() == variable), None)
    if given is None and field == "database_url":
        variable, given = DATABASE_URL, environ.get(DATABASE_URL)
    secret = field in settings_cls.model_fields and not settings_cls.model_fields[field].repr
    shown = "（已设置，不显示）" if secret else repr(given)
    return f"{variable}={shown}: {error.get('msg', '')}"
