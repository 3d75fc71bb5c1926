"""The survey team signed in on this tablet (R4 real-name accounts, R7 at least two surveyors).

Online, a surveyor signs in against the server; the first time on this tablet a personal Ed25519
key is made, encrypted with their PIN, and its public half enrolled with the server, which checks
the PIN again and binds the key to this device (R11, R16). Offline, only a surveyor who signed in
here before may sign in, and only if their PIN opens their key. Signing out ends the token on the
server (when reachable) and forgets it here either way.
"""
from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass
from datetime import UTC, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from field_app.errors import SignInError, WrongPin
from field_app.store import Store
from field_app.store import queries as q
from field_app.store.keys import create_key, needs_rewrap, rewrap_key, unlock_key
from field_app.store.tables import LocalAccount
from field_app.sync.client import ServerProblem, ServerUnreachable, SyncClient, SyncError
from field_app.viewmodels.base import Clock, Observable, utcnow
from schemas.beijing import as_beijing
from schemas.problems import chinese_message
from schemas.protocol import AccountRole, KeyEnrolment, Session
from schemas.seal import key_id

MAX_MEMBERS = 4
MAX_LOCAL_PIN_FAILURES = 5
LOCAL_LOCK = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Member:
    """A surveyor signed in on this tablet now."""

    username: str
    name: str
    work_id: str
    team_id: str | None
    online: bool  # the server confirmed this sign-in (False: offline sign-in with the local key)


def _member(account: LocalAccount, online: bool) -> Member:
    return Member(account.username, account.name, account.work_id, account.team_id, online)


class TeamSession(Observable):
    """Who is signed in on this tablet, and their keys."""

    def __init__(self, store: Store, client: SyncClient, device_id: str, clock: Clock = utcnow) -> None:
        self.store, self.client, self.device_id, self.clock = store, client, device_id, clock
        self.members: list[Member] = []
        self.operator: str | None = None  # who holds the tablet now (captured_by of new evidence)

    @property
    def team_id(self) -> str | None:
        """The team of the signed-in surveyors."""
        return self.members[0].team_id if self.members else None

    def member(self, username: str) -> Member | None:
        """A signed-in member by username."""
        return next((m for m in self.members if m.username == username), None)

    def sign_in(self, username: str, pin: str) -> Member:
        """Sign a surveyor in (online if the server answers, otherwise offline); raises SignInError."""
        username = username.strip()
        if not username or not pin:
            raise SignInError("请输入用户名和 PIN 码")
        if self.member(username):
            raise SignInError(f"{self.member(username).name} 已经登录，同一人不能重复登录")  # type: ignore[union-attr]
        if len(self.members) >= MAX_MEMBERS:
            raise SignInError(f"本平板最多同时登录 {MAX_MEMBERS} 名调查人员")
        try:
            session = self.client.device_login(username, pin, self.device_id)
        except ServerUnreachable:
            member = self._sign_in_offline(username, pin)
        except ServerProblem as problem:
            raise SignInError(chinese_message(problem.code, problem.detail)) from None
        else:
            member = self._sign_in_online(session, pin)
        self.members.append(member)
        self.operator = self.operator or member.username
        self._notify()
        return member

    def _check_team(self, role: str, team_id: str | None) -> None:
        if role != AccountRole.SURVEYOR.value:
            raise SignInError("只有调查人员账号可以在平板上登录")
        if self.members and team_id != self.team_id:
            raise SignInError("该调查人员不属于已登录人员的调查小组")

    def _sign_in_online(self, session: Session, pin: str) -> Member:
        account, now = session.account, self.clock()
        self._check_team(account.role.value, account.team_id)
        with self.store.reading() as s:
            local = q.get_account(s, account.username)
        if local is not None:
            try:
                key = unlock_key(local.private_key_blob, pin, self.store.vault.device_secret())
                if needs_rewrap(local.private_key_blob):  # previous release's blob: PIN + device secret now
                    local.private_key_blob = rewrap_key(key, pin, self.store.vault.device_secret())
            except WrongPin:  # the PIN was changed on the server: a new key for the new PIN
                local = None
        if local is None:
            _, raw, blob = create_key(pin, self.store.vault.device_secret())
            local = LocalAccount(username=account.username, name=account.name, role=account.role.value,
                                 key_id=key_id(raw), public_key=base64.b64encode(raw).decode("ascii"),
                                 private_key_blob=blob, first_signed_in_at=now, last_signed_in_at=now)
        with self.store.transaction() as s:
            row = q.get_account(s, account.username)
            if row is None or row.key_id != local.key_id:
                row = s.merge(local)
            row.name, row.role, row.work_id, row.team_id = account.name, account.role.value, account.work_id, \
                account.team_id
            expires = session.expires_at if session.expires_at.tzinfo else session.expires_at.replace(tzinfo=UTC)
            row.token, row.token_expires_at, row.last_signed_in_at = session.token, expires, now
            row.failed_pins, row.locked_until, row.private_key_blob = 0, None, local.private_key_blob
            s.add(row)
        self._register_key(row, pin)
        return _member(row, online=True)

    def _register_key(self, account: LocalAccount, pin: str) -> bool:
        """Enrol the account's public key with the server (with the PIN just typed), if not done yet;
        False if offline now (tried again at the next sign-in or seal with this PIN)."""
        now = self.clock()
        if account.key_registered or not account.token or not account.token_expires_at \
                or account.token_expires_at <= now + TOKEN_MARGIN:
            return account.key_registered
        enrolment = KeyEnrolment(key_id=account.key_id, public_key=account.public_key, device_id=self.device_id,
                                 pin=pin)
        try:
            self.client.register_key(account.token, enrolment)
        except ServerUnreachable:
            return False
        except ServerProblem as problem:
            raise SignInError("签名密钥登记失败：" + chinese_message(problem.code, problem.detail)) from None
        with self.store.transaction() as s:
            row = s.get_one(LocalAccount, account.username)
            row.key_registered = True
            s.add(row)
        account.key_registered = True
        return True

    def _sign_in_offline(self, username: str, pin: str) -> Member:
        with self.store.reading() as s:
            local = q.get_account(s, username)
        if local is None:
            raise SignInError("无法连接服务器，且该账号从未在本平板登录过，请联网后登录")
        self._check_team(local.role, local.team_id)
        try:
            self._open_key(local, pin, "PIN 码不正确（离线登录）")
        except WrongPin as wrong:
            raise SignInError(wrong.message) from None
        return _member(local, online=False)

    def _open_key(self, account: LocalAccount, pin: str, wrong: str) -> Ed25519PrivateKey:
        """Unlock the account's key, counting wrong PINs and locking after too many."""
        now = self.clock()
        if account.locked_until and now < account.locked_until:
            raise WrongPin(f"PIN 码错误次数过多，请于 {as_beijing(account.locked_until):%H:%M} 后再试")
        try:
            key = unlock_key(account.private_key_blob, pin, self.store.vault.device_secret())
        except WrongPin:
            with self.store.transaction() as s:
                row = s.get_one(LocalAccount, account.username)
                row.failed_pins += 1
                left = MAX_LOCAL_PIN_FAILURES - row.failed_pins
                if left <= 0:
                    row.failed_pins, row.locked_until = 0, now + LOCAL_LOCK
                s.add(row)
            raise WrongPin(wrong + (f"，还可尝试 {left} 次" if left > 0 else "，已暂时锁定 15 分钟")) from None
        if account.failed_pins or account.locked_until or needs_rewrap(account.private_key_blob):
            with self.store.transaction() as s:
                row = s.get_one(LocalAccount, account.username)
                row.failed_pins, row.locked_until = 0, None
                if needs_rewrap(row.private_key_blob):  # a key of the previous release: PIN + device secret now
                    row.private_key_blob = rewrap_key(key, pin, self.store.vault.device_secret())
                s.add(row)
        return key

    def unlock(self, username: str, pin: str) -> Ed25519PrivateKey:
        """A signed-in surveyor's private key; raises WrongPin (or SignInError if not signed in)."""
        member = self.member(username)
        if member is None:
            raise SignInError(f"调查人员 {username} 未登录")
        with self.store.reading() as s:
            account = q.get_account(s, username)
        assert account is not None  # a member always has a local account
        key = self._open_key(account, pin, f"调查人员 {member.name} 的 PIN 码不正确")
        if not account.key_registered:
            # the server refused; the upload will say key.unknown
            with contextlib.suppress(SignInError):
                self._register_key(account, pin)  # the PIN is at hand: enrol a key left pending
        return key

    def sign_out(self, username: str) -> None:
        """Sign a surveyor out: end their token on the server (best-effort, offline too) and forget it here."""
        self.members = [m for m in self.members if m.username != username]
        with self.store.transaction() as s:
            row = q.get_account(s, username)
            token = row.token if row is not None else None
            if row is not None:
                row.token, row.token_expires_at = None, None
                s.add(row)
        if token:
            # offline or already ended: the tablet has forgotten it anyway; it expires on the server
            with contextlib.suppress(SyncError):
                self.client.logout(token)
        if self.operator == username:
            self.operator = self.members[0].username if self.members else None
        self._notify()

    def forget_all(self) -> None:
        """Everyone is signed out here at once, nothing sent (the tablet was wiped: its store is gone)."""
        self.members, self.operator = [], None
        self._notify()

    def set_operator(self, username: str) -> None:
        """Who holds the tablet now (new evidence is captured by them)."""
        if self.member(username) is None:
            raise SignInError(f"调查人员 {username} 未登录")
        self.operator = username
        self._notify()

    def token(self) -> str | None:
        """A valid server token of any signed-in member (online ones first), or None."""
        now = self.clock()
        with self.store.reading() as s:
            for member in sorted(self.members, key=lambda m: not m.online):
                account = q.get_account(s, member.username)
                if account and account.token and account.token_expires_at and \
                        account.token_expires_at > now + TOKEN_MARGIN:
                    return account.token
        return None

    def public_key(self, username: str) -> bytes | None:
        """The raw public key of a surveyor who signed in here."""
        with self.store.reading() as s:
            account = q.get_account(s, username)
        return None if account is None else base64.b64decode(account.public_key)

    def display_name(self, username: str) -> str:
        """A surveyor's real name if known on this tablet, else the username."""
        member = self.member(username)
        if member:
            return member.name
        with self.store.reading() as s:
            account = q.get_account(s, username)
        return account.name if account else username
