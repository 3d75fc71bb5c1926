"""The entrusting units' systems (issue 20, R38): registered by an administrator, each with one API key.

The key is 256 random bits shown once, at registration or rotation; the server keeps only its SHA-256
(a key this long needs no slow hash: nothing to guess), so a copied database cannot call the API. Each
unit enters its cases as its own township account (role township, `unit` = the unit's name), so the
intake rules that bind a clerk bind its system the same way (office/intake.py)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.accounts.auth import live_token
from sync_server.tables import Account, ExchangeUnit, Team
from sync_server.transparency import audit

KEY_PREFIX = "hcx_"  # 核查交换: tells a unit key from a session token at a glance


@dataclass(frozen=True)
class IssuedKey:
    """A unit's new key: `key` is shown once and never stored."""

    unit: ExchangeUnit
    key: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key(unit: ExchangeUnit, now: datetime) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    unit.key_hash, unit.key_prefix, unit.key_created_at = _digest(key), key[:10], now
    return key


def register(session: Session, actor: Account, *, unit_id: str, name: str, team_id: str, webhook_url: str,
             now: datetime) -> IssuedKey:
    """A new unit with its system account, its first key and a webhook secret (administrators only)."""
    _require_admin(actor)
    if session.get(ExchangeUnit, unit_id) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, f"委托单位接口 {unit_id} 已登记")
    if session.get(Team, team_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"调查小组 {team_id} 不存在")
    check_webhook_url(webhook_url)
    username = f"unit-{unit_id}"
    if session.get(Account, username) is None:
        session.add(Account(username=username, name=f"{name}（接口）", role=AccountRole.TOWNSHIP.value, unit=name))
        session.flush()
    unit = ExchangeUnit(id=unit_id, name=name, account=username, team_id=team_id, webhook_url=webhook_url,
                        webhook_secret=secrets.token_hex(32))
    key = _new_key(unit, now)
    session.add(unit)
    session.flush()
    audit.log(session, "exchange.unit_registered", now, actor.username, None, subject=unit_id, name=name,
              team_id=team_id, webhook_url=webhook_url, key_prefix=unit.key_prefix)
    return IssuedKey(unit, key)


def rotate(session: Session, actor: Account, unit_id: str, now: datetime) -> IssuedKey:
    """A new key for the unit; the old one stops working at once (administrators only)."""
    _require_admin(actor)
    unit = unit_of(session, unit_id)
    key = _new_key(unit, now)
    session.add(unit)
    audit.log(session, "exchange.key_rotated", now, actor.username, None, subject=unit_id, key_prefix=unit.key_prefix)
    return IssuedKey(unit, key)


def set_webhook(session: Session, actor: Account, unit_id: str, url: str, now: datetime) -> ExchangeUnit:
    """Change where results are pushed (administrators only)."""
    _require_admin(actor)
    check_webhook_url(url)
    unit = unit_of(session, unit_id)
    unit.webhook_url = url
    session.add(unit)
    audit.log(session, "exchange.webhook_set", now, actor.username, None, subject=unit_id, webhook_url=url)
    return unit


def set_active(session: Session, actor: Account, unit_id: str, active: bool, now: datetime) -> ExchangeUnit:
    """Stop a unit's system (its key is refused from now on, exchange.key_invalid) or let it in again with the
    same key (administrators only); the results owed to it stay in the outbox."""
    _require_admin(actor)
    unit = unit_of(session, unit_id)
    if unit.active != active:
        unit.active = active
        session.add(unit)
        audit.log(session, "exchange.unit_activated" if active else "exchange.unit_deactivated", now,
                  actor.username, None, subject=unit_id, name=unit.name)
    return unit


def check_webhook_url(url: str) -> None:
    if len(url) > 300 or (url and not re.fullmatch(r"https?://[!-~]+", url)):
        raise ProblemError(Code.VALIDATION, "回调地址须以 https:// 或 http:// 开头，且不超过 300 个字符")


def unit_of(session: Session, unit_id: str) -> ExchangeUnit:
    unit = session.get(ExchangeUnit, unit_id)
    if unit is None:
        raise ProblemError(Code.NOT_FOUND, f"委托单位接口 {unit_id} 未登记")
    return unit


def units(session: Session) -> list[ExchangeUnit]:
    return list(session.exec(select(ExchangeUnit).order_by(col(ExchangeUnit.id))))


def authenticate(session: Session, key: str | None, now: datetime) -> ExchangeUnit:
    """The active unit holding this key, or a problem: none sent (auth.required), a staff or tablet token
    (auth.forbidden: this API is for units' systems), anything else (exchange.key_invalid)."""
    if not key:
        raise ProblemError(Code.AUTH_REQUIRED,
                           "请使用核查机构签发的客户端证书，或在 Authorization 头中提供委托单位的接口密钥（Bearer）")
    digest = _digest(key)
    unit = session.exec(select(ExchangeUnit).where(ExchangeUnit.key_hash == digest)).first()
    if unit is not None and unit.active and hmac.compare_digest(unit.key_hash, digest):
        return unit
    if not key.startswith(KEY_PREFIX) and live_token(session, key, now) is not None:
        raise ProblemError(Code.FORBIDDEN, "工作人员和平板的登录令牌不能调用委托单位交换接口")
    raise ProblemError(Code.EXCHANGE_KEY_INVALID, "接口密钥无效、已更换或已停用")


def _require_admin(actor: Account) -> None:
    if actor.role != AccountRole.ADMIN.value:
        raise ProblemError(Code.FORBIDDEN, "仅管理员可以管理委托单位接口")
