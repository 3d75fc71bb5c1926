"""Which API routes a surveyor's token may call: the one list (default deny).

A surveyor (device token) may call only what a tablet needs: the team's cases, evidence, records,
enrolling their own key, and logout. Every other authenticated route answers 403 to them. Every route
of the app is classified below; tests/sync_server/test_route_access.py fails on a route left out, so a
new route must be put in one of these sets (and a surveyor route needs a reason to be one).
"""
from __future__ import annotations

from schemas.protocol import API_PREFIX

Route = tuple[str, str]  # (method, path template as declared)

PUBLIC: frozenset[Route] = frozenset({
    ("POST", f"{API_PREFIX}/auth/device-login"),
    ("POST", f"{API_PREFIX}/auth/login"),
    ("POST", f"{API_PREFIX}/auth/password"),  # proves the old password itself (throttled like a sign-in)
    ("GET", f"{API_PREFIX}/enrolment/ca"),  # issue 18: the agency CA, checked by the tablet against the QR code
    ("POST", f"{API_PREFIX}/devices/enrol"),  # issue 18: proves a one-time enrolment code itself
})

SURVEYOR: frozenset[Route] = frozenset({
    ("POST", f"{API_PREFIX}/auth/logout"),
    ("PUT", f"{API_PREFIX}/keys"),
    ("GET", f"{API_PREFIX}/cases"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}"),
    ("HEAD", f"{API_PREFIX}/evidence/{{sha256}}"),
    ("PUT", f"{API_PREFIX}/evidence/{{sha256}}"),
    ("GET", f"{API_PREFIX}/evidence/{{sha256}}"),
    ("POST", f"{API_PREFIX}/records"),
    ("GET", f"{API_PREFIX}/intake/documents/{{document_id}}"),  # the case's consent/entrustment, own team only
    ("POST", f"{API_PREFIX}/handovers/{{handover_id}}/confirm"),  # R4: a leaving surveyor or their successor
    # confirms the hand-over list (only the two people named in it; checked by the service)
    # resumable uploads (issue 9): one question per record, then chunks at the server's durable offset
    ("POST", f"{API_PREFIX}/evidence/missing"),
    ("HEAD", f"{API_PREFIX}/uploads/{{sha256}}"),
    ("PATCH", f"{API_PREFIX}/uploads/{{sha256}}"),
    ("DELETE", f"{API_PREFIX}/uploads/{{sha256}}"),
    ("POST", f"{API_PREFIX}/evidence/batch"),  # a record's small files (signatures) in one request
    # the tablet witnesses the agency log (issue 17): the latest checkpoint with a proof, and its report
    ("GET", f"{API_PREFIX}/log/checkpoint"),
    ("POST", f"{API_PREFIX}/log/alarm"),
    ("GET", f"{API_PREFIX}/forms"),  # the office's own form versions (issue 20), downloaded at sync
    ("POST", f"{API_PREFIX}/devices/report"),  # issue 18: the tablet's state at each sync; answers "wipe"
})

# A lost tablet whose office chose "upload first" (token kind `device-upload`) may call only these:
# send what it sealed, then report the wipe (sync_server/accounts/fleet.py).
UPLOAD_ONLY: frozenset[Route] = frozenset({
    ("POST", f"{API_PREFIX}/evidence/missing"),
    ("HEAD", f"{API_PREFIX}/evidence/{{sha256}}"),
    ("PUT", f"{API_PREFIX}/evidence/{{sha256}}"),
    ("HEAD", f"{API_PREFIX}/uploads/{{sha256}}"),
    ("PATCH", f"{API_PREFIX}/uploads/{{sha256}}"),
    ("POST", f"{API_PREFIX}/evidence/batch"),
    ("POST", f"{API_PREFIX}/records"),
    ("POST", f"{API_PREFIX}/devices/report"),
})

STAFF_ONLY: frozenset[Route] = frozenset({
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/findings"),  # issue 16: evidence findings, reviewers acknowledge
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/findings/acks"),
    ("GET", f"{API_PREFIX}/accounts/{{username}}/keys"),
    ("GET", f"{API_PREFIX}/admin/keys"),
    ("POST", f"{API_PREFIX}/admin/keys/{{key_id}}/revoke"),
    ("POST", f"{API_PREFIX}/admin/accounts/{{username}}/unlock"),
    # staff administration and intake (R4, R5, R33, R34)
    ("GET", f"{API_PREFIX}/accounts"),
    ("POST", f"{API_PREFIX}/accounts"),
    ("POST", f"{API_PREFIX}/accounts/password-recheck"),
    ("POST", f"{API_PREFIX}/accounts/{{username}}/close"),
    ("GET", f"{API_PREFIX}/accounts/{{username}}/credentials"),
    ("POST", f"{API_PREFIX}/accounts/{{username}}/credentials"),
    ("PUT", f"{API_PREFIX}/accounts/{{username}}/team"),
    ("GET", f"{API_PREFIX}/organisations"),
    ("POST", f"{API_PREFIX}/organisations"),
    ("POST", f"{API_PREFIX}/teams"),
    ("POST", f"{API_PREFIX}/intake/cases"),
    ("GET", f"{API_PREFIX}/intake/cases/{{case_id}}"),
    ("POST", f"{API_PREFIX}/intake/cases/{{case_id}}/conformity"),
    ("PUT", f"{API_PREFIX}/intake/cases/{{case_id}}/accepted-on"),
    ("POST", f"{API_PREFIX}/intake/cases/{{case_id}}/documents"),
    ("POST", f"{API_PREFIX}/intake/cases/{{case_id}}/subjects"),
    ("POST", f"{API_PREFIX}/intake/cases/{{case_id}}/subjects/import"),
    ("POST", f"{API_PREFIX}/intake/cases/{{case_id}}/submit"),
    ("PUT", f"{API_PREFIX}/intake/cases/{{case_id}}/team"),
    ("GET", f"{API_PREFIX}/teams"),
    # review, re-verification and letter requests (R11-R19, R28)
    ("GET", f"{API_PREFIX}/review/cases"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/review"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/review"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/rounds"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/rounds"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/rounds/{{number}}/result"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/letters"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/letters"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/letters/{{letter_id}}/follow-ups"),
    ("PUT", f"{API_PREFIX}/cases/{{case_id}}/letters/{{letter_id}}/answer"),
    # report, dossier, retention (R18, R20, R32, R35)
    ("GET", f"{API_PREFIX}/agency-key"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/report/preview"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/reports"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/reports"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/reports/{{report_version}}.pdf"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/matching-results"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/dossier"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/retention"),
    ("PUT", f"{API_PREFIX}/cases/{{case_id}}/retention"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/disposal"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/disposal/appraisals"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/disposal/appraisals"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/disposal/appraisals/{{appraisal_id}}/decision"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/disposal/certificate"),
    # the device fleet (issue 18): administrators only (checked by the routes)
    ("POST", f"{API_PREFIX}/admin/enrolments"),
    ("GET", f"{API_PREFIX}/admin/devices"),
    ("POST", f"{API_PREFIX}/admin/devices/{{tablet_id}}/lost"),
    # issue 20: the units' systems (administrators) and cross-province checks (R36)
    ("GET", f"{API_PREFIX}/admin/exchange-units"),
    ("POST", f"{API_PREFIX}/admin/exchange-units"),
    ("POST", f"{API_PREFIX}/admin/exchange-units/{{unit_id}}/key"),
    ("PUT", f"{API_PREFIX}/admin/exchange-units/{{unit_id}}/webhook"),
    ("GET", f"{API_PREFIX}/admin/exchange-units/{{unit_id}}/messages"),
    ("POST", f"{API_PREFIX}/admin/exchange-units/{{unit_id}}/messages/{{message_id}}/resend"),
    ("PUT", f"{API_PREFIX}/admin/exchange-peers/{{org_id}}"),
    ("PUT", f"{API_PREFIX}/organisations/{{org_id}}/parent"),
    ("POST", f"{API_PREFIX}/cases/{{case_id}}/cross-province"),
    ("GET", f"{API_PREFIX}/cases/{{case_id}}/cross-province"),
    ("GET", f"{API_PREFIX}/cross-province"),
    ("POST", f"{API_PREFIX}/cross-province/{{check_id}}/submit"),
    ("POST", f"{API_PREFIX}/cross-province/{{check_id}}/confirm"),
    ("POST", f"{API_PREFIX}/cross-province/{{check_id}}/answer"),
    ("POST", f"{API_PREFIX}/cross-province/{{check_id}}/feed-back"),
    ("POST", f"{API_PREFIX}/cross-province/{{check_id}}/resend"),
})

# issue 20: a unit's system with its own key (office/exchange_units.py); staff and tablet tokens get 403
UNIT: frozenset[Route] = frozenset({
    ("POST", "/exchange/v1/entrustments"),
    ("GET", "/exchange/v1/entrustments/{reference}"),
    ("POST", "/exchange/v1/entrustments/{reference}/documents"),
    ("POST", "/exchange/v1/entrustments/{reference}/submit"),
    ("GET", "/exchange/v1/entrustments/{reference}/reports/{version}.pdf"),
})

# R36: another agency's server; no token, the package's Ed25519 signature by a registered peer is the proof
PEER: frozenset[Route] = frozenset({
    ("POST", "/exchange/v1/cross-province/packages"),
})


def surveyor_may(method: str, path_template: str) -> bool:
    """Whether a surveyor's token may call this route."""
    return (method.upper(), path_template) in SURVEYOR
