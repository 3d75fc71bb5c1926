"""Demo data. Only the first administrator is written directly (the CLI's bootstrap); everything
else goes through the /api/v1 routes, in process: the agency and the township, the staff with
pledges and training, a survey team, a case the clerk enters and two reviewers release after the
conformity review, and a case still lacking the family's authorization.

The passwords and PINs are constants so a run script can print them; they pass the same checks
as real ones (R6). `seed_demo` adds only what is missing, so running it twice changes nothing.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from fastapi import FastAPI
from sqlmodel import Session

from schemas.methods import Method
from schemas.office import AuthorizationForm, DocumentKind, NewCase, NewSubject
from schemas.protocol import API_PREFIX, AccountRole
from schemas.staffing import CredentialKind, NewAccount, NewOrganisation, OrgKind, Post
from sync_server.accounts.auth import create_account
from sync_server.app import create_app
from sync_server.office.id_numbers import make_id_number
from sync_server.services import utc_now
from sync_server.settings import Settings
from sync_server.tables import Account, Organisation

if TYPE_CHECKING:
    from PIL import Image, ImageDraw
else:
    from schemas.pil import Image, ImageDraw  # imported at first use (issue 19: start)

DEMO_TEAM_ID = "team-yb-01"
DEMO_TEAM_NAME = "渝北区第一调查小组"
DEMO_UNIT = "渝北区龙溪街道办事处"
DEMO_AGENCY = "yb-hdzx"
DEMO_TOWNSHIP = "yb-longxi"
DEMO_CASE_ID = "case-yb-2026-0001"
UNAUTHORIZED_CASE_ID = "case-yb-2026-0002"
YUBEI = "500112"  # 重庆市渝北区 administrative code


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: AccountRole
    work_id: str
    password: str
    pin: str = ""
    unit: str = ""
    posts: tuple[Post, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount("zhangwei", "张伟", AccountRole.SURVEYOR, "YB-2026-017", "Survey#2026zw", pin="480317"),
    DemoAccount("lina", "李娜", AccountRole.SURVEYOR, "YB-2026-023", "Field@2026Ln!", pin="592046"),
    DemoAccount("chenjing", "陈静", AccountRole.TOWNSHIP, "LX-2026-004", "Longxi#Office26", unit=DEMO_UNIT),
    # §4.3.1: the demo flow's posts. 王芳 accepts, reviews, reports and keeps the archive (a small
    # agency's senior reviewer); 周敏 is the second conformity checker, reports and imports matching data.
    DemoAccount("wangfang", "王芳", AccountRole.REVIEWER, "HC-2026-002", "Review!Case2026",
                posts=(Post.ACCEPTANCE, Post.VERIFICATION, Post.REPORT, Post.CONFIDENTIAL)),
    DemoAccount("zhoumin", "周敏", AccountRole.REVIEWER, "HC-2026-003", "Second#Check26",
                posts=(Post.ACCEPTANCE, Post.REPORT, Post.INFORMATION_EXCHANGE)),
    DemoAccount("admin", "刘强", AccountRole.ADMIN, "HC-2026-001", "Keep$Records2026", posts=(Post.CONFIDENTIAL,)),
)
ADMIN = DEMO_ACCOUNTS[-1]
ORGANISATIONS = (NewOrganisation(id=DEMO_AGENCY, name="渝北区救助家庭经济状况核查认定中心", kind=OrgKind.AGENCY),
                 NewOrganisation(id=DEMO_TOWNSHIP, name=DEMO_UNIT, kind=OrgKind.TOWNSHIP))
PEOPLE = (("王建国", "户主", date(1968, 3, 15), 31, False), ("刘秀英", "配偶", date(1970, 7, 22), 42, True),
          ("王小明", "子女", date(2008, 9, 10), 17, False))


def scan_png(label: str, seal: bool = True) -> bytes:
    """A stand-in scan: ruled lines and, for sealed papers, a red round seal (distinct per label)."""
    image = Image.new("RGB", (620, 820), "white")
    draw = ImageDraw.Draw(image)
    seed = hashlib.sha256(label.encode()).digest()
    for i in range(18):
        draw.line([(60, 90 + i * 36), (560 - seed[i] % 160, 90 + i * 36)], fill=(40, 40, 40), width=3)
    if seal:
        draw.ellipse([400, 620, 560, 780], outline=(200, 20, 20), width=8)
        draw.regular_polygon((480, 700, 24), 5, fill=(200, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # a quarter of the default level's time (issue 19: start)
    return out.getvalue()


def bootstrap_admin(session: Session, now: datetime) -> int:
    """The one account not made through the API: the first administrator and its agency (CLI)."""
    if session.get(Account, ADMIN.username) is not None:
        return 0
    if session.get(Organisation, DEMO_AGENCY) is None:
        session.add(Organisation(id=DEMO_AGENCY, name=ORGANISATIONS[0].name, kind=OrgKind.AGENCY.value))
        session.flush()
    create_account(session, username=ADMIN.username, name=ADMIN.name, role=ADMIN.role, password=ADMIN.password,
                   work_id=ADMIN.work_id, org_id=DEMO_AGENCY, posts=[p.value for p in ADMIN.posts], now=now)
    return 2


class SeedClock:
    """The seed's server clock: the real one, except while the demo's materials are handed in, which the
    server dates at `accepted_on` 09:00 Beijing time (R3: the server, not the clerk, dates the receipt)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.pinned: datetime | None = None

    def __call__(self) -> datetime:
        return self.pinned if self.pinned is not None else self.clock()

    def receiving_on(self, day: date) -> None:
        china = timezone(timedelta(hours=8))
        morning, now = datetime.combine(day, time(9, 0), china), self.clock()
        self.pinned = morning if day > now.astimezone(china).date() else min(morning, now)


class DemoClient:
    """The API as the demo uses it: sign in, send, and stop at the first unexpected answer."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tokens: dict[str, dict[str, str]] = {}

    async def as_(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            demo = next(d for d in DEMO_ACCOUNTS if d.username == username)
            body = await self.call("POST", "/auth/login", {}, json={"username": username, "password": demo.password})
            self.tokens[username] = {"Authorization": f"Bearer {body['token']}"}
        return self.tokens[username]

    async def call(self, method: str, path: str, headers: dict[str, str], ok: tuple[int, ...] = (200, 201, 204),
                   **kwargs: Any) -> Any:
        response = await self.http.request(method, API_PREFIX + path, headers=headers, **kwargs)
        if response.status_code not in ok:
            raise RuntimeError(f"演示数据写入失败 / demo seeding failed: {method} {path}: {response.text}")
        return response.json() if response.content else None

    async def upload(self, path: str, who: str, label: str, seal: bool = True, **params: str) -> Any:
        headers = {**await self.as_(who), "content-type": "application/octet-stream"}
        return await self.call("POST", path, headers, content=scan_png(label, seal), params=params)

    @asynccontextmanager
    async def on_day(self, clock: SeedClock, day: date) -> AsyncIterator[None]:
        """Work as on `day` (the server's clock pinned there), in sessions of that day, signed out after."""
        kept, self.tokens = self.tokens, {}
        clock.receiving_on(day)
        try:
            yield
            await self.sign_out()
        finally:
            clock.pinned, self.tokens = None, kept

    async def sign_out(self) -> None:
        for headers in self.tokens.values():
            await self.call("POST", "/auth/logout", headers)


async def _people(api: DemoClient, accepted_on: date) -> int:
    added = 0
    admin = await api.as_(ADMIN.username)
    orgs = {o["id"] for o in await api.call("GET", "/organisations", admin)}
    for org in ORGANISATIONS:
        if org.id not in orgs:
            await api.call("POST", "/organisations", admin, json=org.model_dump(mode="json"))
            added += 1
    if DEMO_TEAM_ID not in {t["id"] for t in await api.call("GET", "/teams", admin)}:
        await api.call("POST", "/teams", admin, json={"id": DEMO_TEAM_ID, "name": DEMO_TEAM_NAME})
        added += 1
    existing = {a["username"] for a in await api.call("GET", "/accounts", admin)}
    valid_from = accepted_on - timedelta(days=60)
    new = [demo for demo in DEMO_ACCOUNTS[:-1] if demo.username not in existing]
    for demo in new:  # one after the other: the accounts are kept in the demo's order, whatever lists them
        await _account(api, demo)
    papers = [partial(_credentials, api, demo.username, valid_from) for demo in new]
    if not await api.call("GET", f"/accounts/{ADMIN.username}/credentials", admin):  # R41: every staff member
        papers.append(partial(_credentials, api, ADMIN.username, valid_from))
    await _together(papers)  # each person's pledge and training scans at once (issue 19: start)
    return added + len(papers)


async def _account(api: DemoClient, demo: DemoAccount) -> None:
    org_id = DEMO_TOWNSHIP if demo.role == AccountRole.TOWNSHIP else DEMO_AGENCY
    team = DEMO_TEAM_ID if demo.role == AccountRole.SURVEYOR else None
    body = NewAccount(username=demo.username, name=demo.name, work_id=demo.work_id, role=demo.role,
                      org_id=org_id, posts=list(demo.posts), team_id=team, password=demo.password, pin=demo.pin)
    await api.call("POST", "/accounts", await api.as_(ADMIN.username), json=body.model_dump(mode="json"))


async def _credentials(api: DemoClient, username: str, valid_from: date) -> None:
    for kind in CredentialKind:  # R5, R34: signed this year
        await api.upload(f"/accounts/{username}/credentials", ADMIN.username, f"{kind.value}:{username}",
                         kind=kind.value, valid_from=valid_from.isoformat(),
                         valid_until=(valid_from + timedelta(days=365)).isoformat())


async def _together(calls: Sequence[Callable[[], Coroutine[Any, Any, Any]]]) -> None:
    """Run the calls at once; the first failure is raised as itself (its demo-seeding message), not in a group."""
    try:
        async with anyio.create_task_group() as group:
            for call in calls:
                group.start_soon(call)
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None


async def _case(api: DemoClient, body: NewCase, authorized: set[int]) -> None:
    """One case through intake: the clerk enters it, uploads the scans and submits (the server dates the
    receipt); two reviewers check."""
    clerk = await api.as_("chenjing")
    case = await api.call("POST", "/intake/cases", clerk, json=body.model_dump(mode="json"))
    docs = f"/intake/cases/{case['case_id']}/documents"
    await api.upload(docs, "chenjing", f"entrustment:{body.case_no}", kind=DocumentKind.ENTRUSTMENT.value)
    for subject in case["subjects"]:
        await api.upload(docs, "chenjing", f"id:{subject['id_number']}", kind=DocumentKind.ID_PROOF.value,
                         subject_id=subject["id"])
        if subject["position"] in authorized:
            await api.upload(docs, "chenjing", f"authorization:{subject['id_number']}", seal=False,
                             kind=DocumentKind.AUTHORIZATION.value, subject_id=subject["id"],
                             form=AuthorizationForm.PAPER.value)
    if authorized != {s["position"] for s in case["subjects"]}:
        return  # stays with the unit: the tablet shows why field work may not start (R1)
    await api.call("POST", f"/intake/cases/{case['case_id']}/submit", clerk)
    for reviewer in ("wangfang", "zhoumin"):  # §5.2.5: twice, by two different people
        await api.call("POST", f"/intake/cases/{case['case_id']}/conformity", await api.as_(reviewer),
                       json={"passed": True})


def demo_cases(accepted_on: date) -> list[tuple[NewCase, set[int]]]:
    """The authorized demo case, and a case whose family authorization is not yet recorded (R1)."""
    family = [NewSubject(position=i, name=name, relation=relation,
                         household_address="重庆市渝北区龙溪街道松石北路 188 号",
                         id_number=make_id_number(YUBEI, born, seq, female))
              for i, (name, relation, born, seq, female) in enumerate(PEOPLE, start=1)]
    common = {"entrusting_unit": DEMO_UNIT, "contact": "陈静", "phone": "023-67801234", "entrusted_on": accepted_on,
              "methods": [Method.HOME_VISIT], "team_id": DEMO_TEAM_ID}
    ready = NewCase(case_no=DEMO_CASE_ID, lat=29.5893, lon=106.5318, title="王建国家庭经济状况核查（最低生活保障）",
                    address="重庆市渝北区龙溪街道松石北路 188 号 3 栋 2 单元 5-2",
                    subjects=family, **common)  # type: ignore[arg-type]
    alone = [NewSubject(position=1, name="赵桂兰", relation="户主",
                        household_address="重庆市渝北区龙溪街道红锦大道 56 号",
                        id_number=make_id_number(YUBEI, date(1948, 11, 2), 26, True))]
    waiting = NewCase(case_no=UNAUTHORIZED_CASE_ID, lat=29.5951, lon=106.5276,
                      title="赵桂兰家庭经济状况核查（特困人员供养）",
                      address="重庆市渝北区龙溪街道红锦大道 56 号 1 栋 1 单元 2-1",
                      subjects=alone, **common)  # type: ignore[arg-type]
    return [(ready, {1, 2, 3}), (waiting, set())]


async def _seed(app: FastAPI, accepted_on: date, clock: SeedClock) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        api = DemoClient(http)
        added = await _people(api, accepted_on)
        admin = await api.as_(ADMIN.username)
        missing = [(body, authorized) for body, authorized in demo_cases(accepted_on)
                   if (await http.get(f"{API_PREFIX}/intake/cases/{body.case_no}", headers=admin)).status_code == 404]
        if missing:
            async with api.on_day(clock, accepted_on):
                signing_in = [partial(api.as_, who) for who in ("chenjing", "wangfang", "zhoumin")]
                await _together(signing_in)  # each one's scrypt check on either core
                for body, authorized in missing:
                    await _case(api, body, authorized)
            added += len(missing)
        await api.sign_out()
        return added


def seed_demo(settings: Settings, accepted_on: date, clock: Callable[[], datetime] = utc_now) -> int:
    """Bootstrap the administrator, then add the missing demo data through the API; how many were added."""
    seed_clock = SeedClock(clock)
    app = create_app(settings, clock=seed_clock)
    try:
        return seed_app(app, seed_clock, accepted_on)
    finally:
        app.state.services.engine.dispose()


def seed_app(app: FastAPI, clock: SeedClock, accepted_on: date) -> int:
    """Seed through `app` (made with `clock`), in process; how many were added. A server about to serve
    seeds through the very app it then serves (issue 19: a second app built its ~190 routes' dependency
    state again, 0.3 s of a fresh start); the seed's own requests are not counted in its metrics."""
    with app.state.services.session() as session:
        added = bootstrap_admin(session, clock())
        session.commit()
    added += anyio.run(_seed, app, accepted_on, clock)
    app.state.metrics.forget()
    return added
