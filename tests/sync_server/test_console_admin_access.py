"""The administrator's console for access and the calendar (issue 18; R3, R6, R16, R33): a lost tablet's
key revoked from the console is refused at the next sync; an account held by sign-in delays is unlocked;
the password recheck flags old passwords and their owners renew them in the console; a year's holiday
notice is entered and the deadlines count with it. Each is the API's service with the API's log entry."""
from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from sync_server.casework.deadlines import stored_notices
from sync_server.tables import Account, SurveyorKey
from tests.sync_server.admin_console_helpers import as_, logged
from tests.sync_server.console_client import console_login, console_post, csrf_of
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, home_visit, problem_of

KEYS = "/console/admin/keys"
SIGN_IN = "/console/admin/sign-in"
HOLIDAYS = "/console/admin/holidays"


def test_a_key_revoked_in_the_console_is_refused_at_the_next_sync_r16(team: FieldTeam, app: FastAPI):
    as_(team, "admin")
    lina = next(k for k in team.client.get("/api/v1/accounts/lina/keys", headers=team.headers["wangfang"]).json())
    page = team.client.get(KEYS).text
    assert lina["key_id"] in page and "李娜" in page
    empty = console_post(team.client, f"{KEYS}/{lina['key_id']}/revoke", {"reason": " "}, page=KEYS)
    assert empty.status_code == 422 and "请填写吊销理由" in empty.text
    done = console_post(team.client, f"{KEYS}/{lina['key_id']}/revoke", {"reason": "平板丢失"}, page=KEYS)
    assert done.status_code == 200 and "已吊销 lina 的密钥" in done.text and "平板丢失" in done.text
    with app.state.services.session() as session:
        key = session.get(SurveyorKey, lina["key_id"])
        assert key is not None and key.revoked_by == "admin" and key.revoke_reason == "平板丢失"
    assert [(e.actor, e.subject) for e in logged(app, "key.revoked")] == [("admin", lina["key_id"])]
    problem = problem_of(team.submit(home_visit("rec-after-console-revoke")))
    assert (problem["code"], problem["data"]["surveyor"]) == ("key.revoked", "lina")


def test_an_account_held_by_sign_in_delays_is_unlocked_r6(team: FieldTeam, app: FastAPI):
    for _ in range(6):
        team.client.post("/api/v1/auth/login", json={"username": "zhoumin", "password": "Wrong#Guess2026"})
    held = team.client.post("/api/v1/auth/login", json={"username": "zhoumin",
                                                        "password": CREDENTIALS["zhoumin"].password})
    assert problem_of(held)["code"] == "auth.throttled"
    as_(team, "admin")
    page = team.client.get(SIGN_IN).text
    assert "zhoumin" in page.split('id="delays"', 1)[1].split("</table>", 1)[0]
    done = console_post(team.client, "/console/admin/unlock", {"username": "zhoumin"}, page=SIGN_IN)
    assert done.status_code == 200 and "已解除 zhoumin 的登录延时" in done.text
    assert "当前没有登录延时" in done.text
    assert [(e.actor, e.subject) for e in logged(app, "account.unlocked")] == [("admin", "zhoumin")]
    again = team.client.post("/api/v1/auth/login", json={"username": "zhoumin",
                                                         "password": CREDENTIALS["zhoumin"].password})
    assert again.status_code == 200
    nobody = console_post(team.client, "/console/admin/unlock", {"username": "nobody"}, page=SIGN_IN)
    assert nobody.status_code == 404


def test_the_password_recheck_flags_old_passwords_and_the_owner_renews_in_the_console_r33(
        team: FieldTeam, app: FastAPI, clock):
    with app.state.services.session() as session:
        account = session.get(Account, "zhoumin")
        assert account is not None
        account.password_changed_at = clock.now - timedelta(days=200)
        session.add(account)
        session.commit()
    as_(team, "admin")
    done = console_post(team.client, "/console/admin/password-recheck", {}, page=SIGN_IN)
    assert done.status_code == 200 and "1 个账号的密码已超过使用期限" in done.text
    assert "周敏（zhoumin）" in done.text.split('id="due"', 1)[1]
    entry = logged(app, "accounts.password_recheck")[-1]
    assert entry.actor == "admin" and b"zhoumin" in entry.entry
    team.client.cookies.clear()
    refused = console_login(team.client, "zhoumin")
    assert refused.status_code == 403 and 'href="/console/password"' in refused.text
    form = team.client.get("/console/password").text
    new = "Fresh#Check2027"
    base = {"csrf": csrf_of(form), "username": "zhoumin", "old_password": CREDENTIALS["zhoumin"].password}
    mismatch = team.client.post("/console/password", data={**base, "new_password": new,
                                                           "new_password_again": new + "x"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    wrong = team.client.post("/console/password", data={**base, "old_password": "Not#The2026pw",
                                                        "new_password": new, "new_password_again": new})
    assert wrong.status_code == 401 and "用户名或原密码不正确" in wrong.text
    weak = team.client.post("/console/password", data={**base, "new_password": "short", "new_password_again": "short"})
    assert weak.status_code == 422
    changed = team.client.post("/console/password", data={**base, "new_password": new, "new_password_again": new})
    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert console_login(team.client, "zhoumin", new).status_code == 303
    assert [e.subject for e in logged(app, "account.password_changed")] == ["zhoumin"]


def test_a_years_holiday_notice_is_entered_and_logged_r3(team: FieldTeam, app: FastAPI):
    as_(team, "admin")
    bad = console_post(team.client, HOLIDAYS, {"year": "2031", "holidays": "2031-10-01~2031-10-07, 2031-13-01",
                                               "workdays": "", "source": "通知"}, page=HOLIDAYS)
    assert bad.status_code == 422 and "2031-13-01" in bad.text and "2031-10-01~2031-10-07, 2031-13-01" in bad.text
    outside = console_post(team.client, HOLIDAYS, {"year": "2031", "holidays": "2030-12-31"}, page=HOLIDAYS)
    assert outside.status_code == 422
    done = console_post(team.client, HOLIDAYS, {
        "year": "2031", "holidays": "2031-01-01\n2031-10-01~2031-10-07", "workdays": "2031-09-28，2031-10-11",
        "source": "国务院办公厅关于2031年部分节假日安排的通知"}, page=HOLIDAYS)
    assert done.status_code == 200 and "已录入 2031 年节假日安排：8 天休息，2 天调休上班" in done.text
    with app.state.services.session() as session:
        (notice,) = [n for n in stored_notices(session) if n.year == 2031]
        table = app.state.services.holidays(session)
    assert len(notice.holidays) == 8 and date(2031, 10, 4) in notice.holidays
    assert not table.is_workday(date(2031, 10, 6)) and table.is_workday(date(2031, 9, 28))
    assert [(e.actor, e.subject) for e in logged(app, "holidays.notice_entered")] == [("admin", "2031")]
