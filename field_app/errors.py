"""User-facing errors of the tablet app, as one tree; each carries a Chinese `message` to show.

FieldAppError
 ├── PhotoRejected        capture/photo.py: not a usable photo
 ├── SignatureRejected    capture/signature.py: no strokes, or too little ink
 ├── WrongPin             store/keys.py: the PIN does not unlock the key
 ├── SignInError          viewmodels/team.py: sign-in refused (server said no, offline and unknown, ...)
 ├── StorageFull          store/: the tablet's disk is full; nothing was written, nothing saved before is lost
 ├── StorageLocked        store/db.py: the data does not open with the vault's key (keystore reset or key dir swapped)
 └── VisitError           viewmodels/visit.py: an edit or a seal refused
      ├── InputError      one field's input is bad (`field_id` names it)
      └── IncompleteRecord  sealing refused: `missing` lists what is still needed
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
INTERNAL_ERROR = "操作未完成（程序内部错误，已记录日志）。此前保存的内容不受影响。"

class FieldAppError(Exception):
    """Base of every error the tablet shows to its user; `message` is Simplified Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PhotoRejected(FieldAppError):
    """The bytes are not a photo the app accepts as evidence; the message names the file when known."""

    def __init__(self, reason: str, filename: str = "") -> None:
        super().__init__(f"{filename}：{reason}" if filename else reason)
        self.reason, self.filename = reason, filename


class SignatureRejected(FieldAppError):
    """The signature pad holds nothing that can count as a signature."""


class WrongPin(FieldAppError):
    """The PIN does not unlock the surveyor's key."""

    def __init__(self, message: str = "PIN 码不正确") -> None:
        super().__init__(message)


class SignInError(FieldAppError):
    """A surveyor could not sign in on this tablet."""


class StorageFull(FieldAppError):
    """The tablet's storage is full: this change was not written, and what was saved before is unchanged.

    `what` says what was not saved (照片未保存, 记录未封存, ...)."""

    def __init__(self, what: str = "修改未保存") -> None:
        super().__init__(f"平板存储空间不足，{what}。请清理空间后重试，已填写的内容不受影响")
        self.what = what


class StorageLocked(FieldAppError):
    """The tablet's encrypted data does not open with the key in the vault: nothing was changed."""

    def __init__(self) -> None:
        super().__init__("无法解密本机数据：安全存储中的密钥与数据不匹配（密钥被重置或更换了密钥目录）。"
                         "数据未被改动，请联系管理员")


class VisitError(FieldAppError):
    """A change to a visit record was refused."""


class InputError(VisitError):
    """Bad input for one form field."""

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id


class IncompleteRecord(VisitError):
    """The record cannot be sealed yet."""

    def __init__(self, missing: list) -> None:
        labels = "；".join(m.label for m in missing)
        super().__init__(f"记录尚未完成，不能封存：{labels}")
        self.missing = missing


def user_message(error: BaseException) -> str:
    """What the team reads about a failed action: the Chinese message of a FieldAppError, else a plain
    sentence (the bug itself is logged with its traceback, never shown as English or lost)."""
    if isinstance(error, FieldAppError):
        return error.message
    log.error("action failed", exc_info=error)
    return INTERNAL_ERROR


def guarded(handler: Callable[..., Any], report: Callable[[str, tuple], None]) -> Callable[..., Any]:
    """`handler` (sync or async, as Flet calls event handlers) with every exception turned into
    `report(user_message(error), args)` (args: the handler's, e.g. the event): nothing is lost in a
    handler thread, and no session crashes (Flet 1.0.5 ends the whole session on an unhandled error)."""
    if getattr(handler, "__guarded__", False):
        return handler
    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await handler(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 (logged in user_message): one place for every handler
                report(user_message(error), args)
                return None
        run_async.__guarded__ = True  # type: ignore[attr-defined]
        return run_async

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 (logged in user_message): one place for every handler
            report(user_message(error), args)
            return None
    run.__guarded__ = True  # type: ignore[attr-defined]
    return run


class DeviceWiped(FieldAppError):
    """The tablet's data was wiped on the office's order (设备丢失, issue 18): its store is gone."""

    def __init__(self) -> None:
        super().__init__("本设备已被机构登记为丢失，本机数据已清除")
