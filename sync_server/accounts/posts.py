"""Posts bind (§4.3.1, R33): the agency's duties are split into posts, and the services read them.

Roles say what kind of account this is (surveyor, township clerk, reviewer, admin); posts say which of the
agency's duties a person was given: 受理岗 accepts the unit's materials (conformity checks, the acceptance
date), 核证岗 decides on the evidence (review decisions, re-verification rounds, letter requests),
核查报告岗 issues the report, 信息交换岗 imports data-matching results, 机要岗 keeps the archive (dossier
export, retention, disposal). Nobody reviews or reports on a case they surveyed themselves.

The checks live in the services (review.py, conformity.py, documents/, dossier/ …), so the API and the
console obey the same rule. `ROUTE_POSTS` names the rule of every state-changing route, API and console;
tests/sync_server/test_post_rules.py fails when a route is added without one.
"""
from __future__ import annotations

import json

from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError
from schemas.staffing import POST_NAMES, Post
from sync_server.tables import Account, Case, Record

CLOCK = "services.clock"  # the key of the app's clock in a session's info (Services.session puts it there)


def holds(account: Account, post: Post) -> bool:
    """Whether the account was given this post."""
    return post.value in (account.posts or [])


def require_post(account: Account, post: Post) -> None:
    """Refuse (403 `staff.post_required`, in Chinese) an account that does not hold `post`, and (403
    `staff.not_cleared`) one whose confidentiality pledge or training has lapsed: the staff gates hold
    for every post, not only for field work (§4.3.2, §4.3.3, R41; office/staff_gates.py)."""
    if not holds(account, post):
        raise ProblemError(Code.POST_REQUIRED, f"{account.name} 未担任{POST_NAMES[post]}，不能进行此操作",
                           post=post.value, post_name=POST_NAMES[post], username=account.username)
    session = object_session(account)
    clock = session.info.get(CLOCK) if session is not None else None
    if session is not None and clock is not None:  # sessions of the app (services.session) know the clock
        from sync_server.office.staff import clearance_problems  # office imports this module

        problems = clearance_problems(session, account.username, beijing_date(clock()))  # type: ignore[arg-type]
        if problems:
            raise ProblemError(Code.STAFF_NOT_CLEARED,
                               f"{account.name}：" + "；".join(problems) + f"，不能履行{POST_NAMES[post]}职责",
                               username=account.username, problems=problems, post=post.value)


def surveyors_of(session: Session, case_id: str) -> set[str]:
    """The usernames of everyone who sealed a record of the case."""
    rows = session.exec(select(Record.sealed_json).where(Record.case_id == case_id))
    return {u for raw in rows for u in json.loads(raw)["record"].get("surveyors", [])}


def surveyed(session: Session, account: Account, case: Case) -> bool:
    """Whether this person surveyed the case: their account, or another account with their work ID."""
    names = surveyors_of(session, case.id)
    if account.username in names:
        return True
    if not account.work_id or not names:
        return False
    query = select(Account.work_id).where(col(Account.username).in_(names))
    return account.work_id in set(session.exec(query))


def refuse_own_survey(session: Session, account: Account, case: Case) -> None:
    """R33: nobody reviews or reports on a case they surveyed (403 `staff.own_survey`)."""
    if surveyed(session, account, case):
        raise ProblemError(Code.OWN_SURVEY, f"{account.name} 参与了本案的外勤调查", username=account.username)


NO_POST = "no post needed: "  # an explicit entry: the reason follows

# Every state-changing route (API and console) → the post its service requires, or why none is needed.
ROUTE_POSTS: dict[str, Post | str] = {
    # the agency's duties
    "POST /api/v1/intake/cases/{case_id}/conformity": Post.ACCEPTANCE,
    "PUT /api/v1/intake/cases/{case_id}/accepted-on": Post.ACCEPTANCE,
    "POST /api/v1/cases/{case_id}/review": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/rounds": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/rounds/{number}/result": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/letters": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/letters/{letter_id}/follow-ups": Post.VERIFICATION,
    "PUT /api/v1/cases/{case_id}/letters/{letter_id}/answer": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/reports": Post.REPORT,
    "POST /api/v1/cases/{case_id}/matching-results": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cases/{case_id}/dossier": Post.CONFIDENTIAL,
    "PUT /api/v1/cases/{case_id}/retention": Post.CONFIDENTIAL,
    "POST /api/v1/cases/{case_id}/disposal": Post.CONFIDENTIAL,
    "POST /console/intake/{case_id}/{action}": NO_POST + "the unit's entry of materials; its conformity action "
                                                         "(check) requires 受理岗 in conformity.check",
    "POST /console/cases/{case_id}/review": Post.VERIFICATION,
    "POST /console/cases/{case_id}/rounds": Post.VERIFICATION,
    "POST /console/cases/{case_id}/rounds/{number}/result": Post.VERIFICATION,
    "POST /console/cases/{case_id}/letters": Post.VERIFICATION,
    "POST /console/cases/{case_id}/letters/{letter_id}/follow-ups": Post.VERIFICATION,
    "PUT /console/cases/{case_id}/letters/{letter_id}/answer": Post.VERIFICATION,
    "POST /console/cases/{case_id}/report/issue": Post.REPORT,
    "POST /console/cases/{case_id}/dossier": Post.CONFIDENTIAL,
    "POST /api/v1/cases/{case_id}/findings/acks": Post.VERIFICATION,
    "POST /console/cases/{case_id}/findings/ack": Post.VERIFICATION,
    "POST /console/cases/{case_id}/place": Post.VERIFICATION,
    "POST /api/v1/cases/{case_id}/disposal/appraisals": Post.CONFIDENTIAL,
    "POST /api/v1/cases/{case_id}/disposal/appraisals/{appraisal_id}/decision": Post.CONFIDENTIAL,
    "POST /console/cases/{case_id}/disposal/{action}": Post.CONFIDENTIAL,
    "POST /console/dashboard/assessments": Post.DIRECTOR,  # §4.3.5, R37: the period's quality assessment
    "POST /api/v1/log/alarm": NO_POST + "a witness (tablet or staff) reports a log that contradicts its checkpoint",
    # no post: reading, the unit's own entries, the field, sign-in, administration (by role)
    "POST /api/v1/cases/{case_id}/report/preview": NO_POST + "nothing is stored or signed",
    "POST /console/cases/{case_id}/report/preview": NO_POST + "nothing is stored or signed",
    "POST /console/cases/{case_id}/records/{record_id}/verify": NO_POST + "re-checks seals, decides nothing",
    "POST /api/v1/intake/cases": NO_POST + "the unit enters its entrustment (R25)",
    "POST /console/intake/new": NO_POST + "the unit enters its entrustment (R25)",
    "POST /api/v1/intake/cases/{case_id}/subjects": NO_POST + "the unit's 委托名单 (R25)",
    "POST /api/v1/intake/cases/{case_id}/subjects/import": NO_POST + "the unit's 委托名单 (R25)",
    "POST /api/v1/intake/cases/{case_id}/documents": NO_POST + "the unit's scans (R25)",
    "POST /api/v1/intake/cases/{case_id}/submit": NO_POST + "the unit hands in; the server dates the receipt",
    "PUT /api/v1/intake/cases/{case_id}/team": NO_POST + "agency staff or admins by role",
    "POST /api/v1/records": NO_POST + "the survey team (role and team)",
    "PUT /api/v1/evidence/{sha256}": NO_POST + "the survey team's uploads",
    "POST /api/v1/evidence/missing": NO_POST + "the survey team's uploads",
    "POST /api/v1/evidence/batch": NO_POST + "the survey team's uploads",
    "PATCH /api/v1/uploads/{sha256}": NO_POST + "the survey team's uploads",
    "DELETE /api/v1/uploads/{sha256}": NO_POST + "the survey team's uploads",
    "PUT /api/v1/keys": NO_POST + "a surveyor's own key",
    "POST /api/v1/auth/device-login": NO_POST + "sign-in",
    "POST /api/v1/auth/login": NO_POST + "sign-in",
    "POST /api/v1/auth/password": NO_POST + "one's own password",
    "POST /api/v1/auth/logout": NO_POST + "sign-out",
    "POST /console/login": NO_POST + "sign-in",
    "POST /console/logout": NO_POST + "sign-out",
    "POST /api/v1/organisations": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/teams": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/accounts": NO_POST + "administration (admin role, R6)",
    "PUT /api/v1/accounts/{username}/team": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/accounts/{username}/credentials": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/accounts/{username}/close": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/accounts/password-recheck": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/admin/keys/{key_id}/revoke": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/admin/accounts/{username}/unlock": NO_POST + "administration (admin role, R6)",
    "POST /console/accounts/{action}": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/handovers/{handover_id}/confirm": NO_POST + "the two people of the hand-over (R40)",
    "POST /console/handovers/{handover_id}/confirm": NO_POST + "the two people of the hand-over (R40)",
    # the administrator's console (issue 18): the API's services, the API's rules
    "POST /console/admin/organisations": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/teams": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/teams/{team_id}/members": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/teams/{team_id}/members/{username}/remove": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/accounts/{username}/posts": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/keys/{key_id}/revoke": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/unlock": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/password-recheck": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/holidays": NO_POST + "administration (admin role, R6)",
    # the device fleet (issue 18): administrators enrol and shut out tablets; a tablet enrols and reports itself
    "POST /api/v1/admin/enrolments": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/admin/devices/{tablet_id}/lost": NO_POST + "administration (admin role, R6)",
    "POST /console/devices/enrol": NO_POST + "administration (admin role, R6)",
    "POST /console/devices/{tablet_id}/lost": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/devices/enrol": NO_POST + "a new tablet, by its one-time enrolment code",
    "POST /api/v1/devices/report": NO_POST + "a tablet's own state, by its surveyor's token",
    "POST /console/forms/import": NO_POST + "administration (admin role): a preview, nothing changes",
    "POST /console/forms/publish": NO_POST + "administration (admin role, R6): a new form version, logged",
    "POST /console/cases/{case_id}/team": NO_POST + "agency staff or admins by role",
    "POST /console/cases/{case_id}/retention": Post.CONFIDENTIAL,
    "POST /console/cases/{case_id}/matching": Post.INFORMATION_EXCHANGE,
    "POST /console/password": NO_POST + "one's own password",
    # issue 20: the units' systems (administrators) and cross-province checks (R36, 信息交换岗)
    "POST /api/v1/admin/exchange-units": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/admin/exchange-units/{unit_id}/key": NO_POST + "administration (admin role, R6)",
    "PUT /api/v1/admin/exchange-units/{unit_id}/webhook": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/admin/exchange-units/{unit_id}/messages/{message_id}/resend": NO_POST + "administration (admin, R6)",
    "PUT /api/v1/admin/exchange-peers/{org_id}": NO_POST + "administration (admin role, R6)",
    "PUT /api/v1/organisations/{org_id}/parent": NO_POST + "administration (admin role, R6)",
    "POST /console/exchange/{action}": NO_POST + "administration (admin role, R6)",
    "POST /console/exchange/units/{unit_id}/certificates/{action}": NO_POST + "administration (admin role, R6)",
    "POST /api/v1/cases/{case_id}/cross-province": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cross-province/{check_id}/submit": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cross-province/{check_id}/confirm": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cross-province/{check_id}/answer": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cross-province/{check_id}/feed-back": Post.INFORMATION_EXCHANGE,
    "POST /api/v1/cross-province/{check_id}/resend": NO_POST + "administration (admin role, R6): a package again",
    "POST /console/admin/hierarchy/parent": NO_POST + "administration (admin role, R6)",
    "POST /console/admin/hierarchy/peers": NO_POST + "administration (admin role, R6)",
    "POST /console/cases/{case_id}/cross-province": Post.INFORMATION_EXCHANGE,
    "POST /console/cross-province/{check_id}/{action}": Post.INFORMATION_EXCHANGE,
    "POST /exchange/v1/entrustments": NO_POST + "a unit's system with its own key (issue 20)",
    "POST /exchange/v1/entrustments/{reference}/documents": NO_POST + "a unit's system with its own key (issue 20)",
    "POST /exchange/v1/entrustments/{reference}/submit": NO_POST + "a unit's system with its own key (issue 20)",
    "POST /exchange/v1/cross-province/packages": NO_POST + "another agency's server, by its signed package (R36)",
}
