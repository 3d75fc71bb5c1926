"""The administrator's console for the office's structure (issue 18; R4, R6, R7, R27, R33): organisations,
a new surveyor pair as a team of its own, members moved in and out, posts given and taken; each change is
the API's service with the API's log entry, only administrators may, and a refused form keeps its values."""
from __future__ import annotations

from fastapi import FastAPI

from schemas.staffing import Post
from sync_server.ops.seed import DEMO_TEAM_ID
from sync_server.tables import Account, Organisation
from tests.sync_server.admin_console_helpers import as_, logged
from tests.sync_server.console_client import console_post
from tests.sync_server.helpers import FieldTeam

ORGS = "/console/admin/organisations"
TEAMS = "/console/admin/teams"
POSTS = "/console/admin/posts"


def test_only_administrators_reach_the_admin_pages(team: FieldTeam):
    """R6: a reviewer is refused every page and every form, in Chinese."""
    as_(team, "wangfang")
    for path in ("/console/admin", ORGS, TEAMS, POSTS, "/console/admin/keys", "/console/admin/sign-in",
                 "/console/admin/holidays"):
        response = team.client.get(path)
        assert response.status_code == 403 and "无法完成" in response.text, path
    refused = console_post(team.client, ORGS, {"id": "org-x", "name": "某机构", "kind": "agency"})
    assert refused.status_code == 403
    assert "系统管理" not in team.client.get("/console/cases").text


def test_an_organisation_is_added_and_logged_r27(team: FieldTeam, app: FastAPI):
    as_(team, "admin")
    assert 'href="/console/admin"' in team.client.get("/console/cases").text  # the nav reaches the hub
    hub = team.client.get("/console/admin").text
    for path in (ORGS, TEAMS, POSTS, "/console/admin/keys", "/console/admin/sign-in", "/console/admin/holidays"):
        assert f'href="{path}"' in hub
    added = console_post(team.client, ORGS, {"id": "yb-third-01", "name": "重庆某会计师事务所", "kind": "third_party",
                                             "qualification": "会计师事务所执业证书 50010001"}, page=ORGS)
    assert added.status_code == 200 and "已添加机构 重庆某会计师事务所" in added.text
    assert "会计师事务所执业证书 50010001" in team.client.get(ORGS).text
    with app.state.services.session() as session:
        org = session.get(Organisation, "yb-third-01")
        assert org is not None and org.kind == "third_party"
    assert [e.actor for e in logged(app, "organisation.added") if e.subject == "yb-third-01"] == ["admin"]


def test_a_refused_organisation_keeps_what_was_typed(team: FieldTeam, app: FastAPI):
    """A third party without its qualification (R27) and a bad id are refused; nothing stored, values kept."""
    as_(team, "admin")
    refused = console_post(team.client, ORGS, {"id": "Bad Id", "name": "某第三方", "kind": "third_party"}, page=ORGS)
    assert refused.status_code == 422 and "填写有误" in refused.text and 'value="某第三方"' in refused.text
    with app.state.services.session() as session:
        assert session.get(Organisation, "Bad Id") is None


def _team_of(app: FastAPI, username: str) -> str | None:
    with app.state.services.session() as session:
        account = session.get(Account, username)
        assert account is not None
        return account.team_id


def test_a_new_surveyor_pair_becomes_its_own_team_r7(team: FieldTeam, app: FastAPI):
    """The issue's case: two surveyors made a new team in one form, moved out of the old one, then a member
    taken out and put back; the page warns while a team has fewer than two."""
    as_(team, "admin")
    made = console_post(team.client, TEAMS, {"id": "team-yb-03", "name": "渝北区第三调查小组", "first": "zhangwei",
                                             "second": "lina"}, page=TEAMS)
    assert made.status_code == 200 and "已新建调查小组 渝北区第三调查小组，成员 zhangwei、lina" in made.text
    assert _team_of(app, "zhangwei") == _team_of(app, "lina") == "team-yb-03"
    assert "本组现有 0 人" in made.text  # the old team, now empty, is flagged (R7)
    removed = console_post(team.client, f"{TEAMS}/team-yb-03/members/lina/remove", {}, page=TEAMS)
    assert removed.status_code == 200 and "李娜 已移出调查小组 team-yb-03" in removed.text
    assert _team_of(app, "lina") is None
    back = console_post(team.client, f"{TEAMS}/{DEMO_TEAM_ID}/members", {"username": "lina"}, page=TEAMS)
    assert back.status_code == 200 and _team_of(app, "lina") == DEMO_TEAM_ID
    assert [e.subject for e in logged(app, "team.added")][-1] == "team-yb-03"
    assert [e.subject for e in logged(app, "account.team_set")][-4:] == ["zhangwei", "lina", "lina", "lina"]


def test_a_team_with_the_same_person_twice_or_a_reviewer_as_member_is_refused(team: FieldTeam, app: FastAPI):
    as_(team, "admin")
    twice = console_post(team.client, TEAMS, {"id": "team-yb-04", "name": "第四组", "first": "lina",
                                              "second": "lina"}, page=TEAMS)
    assert twice.status_code == 422 and "两名成员须为不同的人" in twice.text
    reviewer = console_post(team.client, f"{TEAMS}/{DEMO_TEAM_ID}/members", {"username": "wangfang"}, page=TEAMS)
    assert reviewer.status_code == 422 and "只有调查人员" in reviewer.text
    assert _team_of(app, "wangfang") is None and "team-yb-04" not in team.client.get(TEAMS).text


def _posts_of(app: FastAPI, username: str) -> list[str]:
    with app.state.services.session() as session:
        account = session.get(Account, username)
        assert account is not None
        return list(account.posts or [])


def test_posts_are_given_and_taken_with_checkboxes_r33(team: FieldTeam, app: FastAPI):
    """Each post is a checkbox inside its own label; the checked ones replace the person's posts."""
    as_(team, "admin")
    page = team.client.get(POSTS).text
    assert '<label class="choice"><input type="checkbox" name="posts" value="verification"' in page
    path = "/console/admin/accounts/zhoumin/posts"
    changed = team.client.post(path, data={"csrf": page.split('name="csrf" value="', 1)[1].split('"', 1)[0],
                                           "posts": [Post.VERIFICATION.value, Post.REPORT.value]})
    assert changed.status_code == 200 and "周敏 的岗位：核证岗、核查报告岗" in changed.text
    assert _posts_of(app, "zhoumin") == sorted([Post.VERIFICATION.value, Post.REPORT.value])
    cleared = console_post(team.client, path, {}, page=POSTS)
    assert cleared.status_code == 200 and "无岗位" in cleared.text and _posts_of(app, "zhoumin") == []
    assert [e.actor for e in logged(app, "account.posts_set")] == ["admin", "admin"]
    unknown = console_post(team.client, path, {"posts": "boss"}, page=POSTS)
    assert unknown.status_code == 422 and _posts_of(app, "zhoumin") == []
