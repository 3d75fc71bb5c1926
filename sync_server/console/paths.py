"""Where each role does what the API and the CLI can do (issue 18: no capability a role needs is reachable
only by API or CLI). tests/sync_server/test_console_coverage.py fails for a state-changing API route or a
CLI command missing here, and for a console path that does not exist.

Each API entry is one of:
  "POST /console/..."   the console form that does the same through the same service (the route must exist);
  "tablet: why"         the field app calls it (sync, sign-in, a surveyor's own key);
  "machine-only: why"   no person needs it by hand (a program calls it).
Adding a route means adding one line here (the /exchange/v1 routes of other systems included)."""
from __future__ import annotations

TABLET = "tablet: "
MACHINE_ONLY = "machine-only: "
OPERATOR = "operator: "  # a CLI command the server's operator runs in a shell on the server itself

API_PATHS: dict[str, str] = {
    # intake: the township enters, the agency checks (R25, R26)
    "POST /api/v1/intake/cases": "POST /console/intake/new",
    "POST /api/v1/intake/cases/{case_id}/subjects": "POST /console/intake/{case_id}/{action}",
    "POST /api/v1/intake/cases/{case_id}/subjects/import": "POST /console/intake/{case_id}/{action}",
    "POST /api/v1/intake/cases/{case_id}/documents": "POST /console/intake/{case_id}/{action}",
    "POST /api/v1/intake/cases/{case_id}/submit": "POST /console/intake/{case_id}/{action}",
    "PUT /api/v1/intake/cases/{case_id}/accepted-on": "POST /console/intake/{case_id}/{action}",
    "POST /api/v1/intake/cases/{case_id}/conformity": "POST /console/intake/{case_id}/{action}",
    "PUT /api/v1/intake/cases/{case_id}/team": "POST /console/cases/{case_id}/team",
    # review, rounds, letters, findings (R11, R17, R19, R28)
    "POST /api/v1/cases/{case_id}/review": "POST /console/cases/{case_id}/review",
    "POST /api/v1/cases/{case_id}/rounds": "POST /console/cases/{case_id}/rounds",
    "POST /api/v1/cases/{case_id}/rounds/{number}/result": "POST /console/cases/{case_id}/rounds/{number}/result",
    "POST /api/v1/cases/{case_id}/letters": "POST /console/cases/{case_id}/letters",
    "POST /api/v1/cases/{case_id}/letters/{letter_id}/follow-ups":
        "POST /console/cases/{case_id}/letters/{letter_id}/follow-ups",
    "PUT /api/v1/cases/{case_id}/letters/{letter_id}/answer": "PUT /console/cases/{case_id}/letters/{letter_id}/answer",
    "POST /api/v1/cases/{case_id}/findings/acks": "POST /console/cases/{case_id}/findings/ack",
    # reports, matching, archive (R18, R20, R35, R42)
    "POST /api/v1/cases/{case_id}/report/preview": "POST /console/cases/{case_id}/report/preview",
    "POST /api/v1/cases/{case_id}/reports": "POST /console/cases/{case_id}/report/issue",
    "POST /api/v1/cases/{case_id}/matching-results": "POST /console/cases/{case_id}/matching",
    "POST /api/v1/cases/{case_id}/dossier": "POST /console/cases/{case_id}/dossier",
    "PUT /api/v1/cases/{case_id}/retention": "POST /console/cases/{case_id}/retention",
    "POST /api/v1/cases/{case_id}/disposal": "POST /console/cases/{case_id}/disposal/{action}",
    "POST /api/v1/cases/{case_id}/disposal/appraisals": "POST /console/cases/{case_id}/disposal/{action}",
    "POST /api/v1/cases/{case_id}/disposal/appraisals/{appraisal_id}/decision":
        "POST /console/cases/{case_id}/disposal/{action}",
    # staff administration (R4–R6, R27, R33, R34, R40)
    "POST /api/v1/organisations": "POST /console/admin/organisations",
    "POST /api/v1/teams": "POST /console/admin/teams",
    "POST /api/v1/accounts": "POST /console/accounts/{action}",
    "PUT /api/v1/accounts/{username}/team": "POST /console/admin/teams/{team_id}/members",
    "POST /api/v1/accounts/{username}/credentials": "POST /console/accounts/{action}",
    "POST /api/v1/accounts/{username}/close": "POST /console/accounts/{action}",
    "POST /api/v1/handovers/{handover_id}/confirm": "POST /console/handovers/{handover_id}/confirm",
    "POST /api/v1/accounts/password-recheck": "POST /console/admin/password-recheck",
    "POST /api/v1/admin/keys/{key_id}/revoke": "POST /console/admin/keys/{key_id}/revoke",
    "POST /api/v1/admin/accounts/{username}/unlock": "POST /console/admin/unlock",
    # signing in and out
    "POST /api/v1/auth/login": "POST /console/login",
    "POST /api/v1/auth/logout": "POST /console/logout",
    "POST /api/v1/auth/password": "POST /console/password",
    "POST /api/v1/auth/device-login": TABLET + "a surveyor signs in on the tablet with the PIN",
    "PUT /api/v1/keys": TABLET + "a surveyor enrols their own key on their own tablet with their PIN",
    # the tablet's sync (ARCHITECTURE.md, the flow of one record, step 4)
    "POST /api/v1/records": TABLET + "the sealed record, sent by the tablet's outbox",
    "POST /api/v1/evidence/missing": TABLET + "sync asks which files the server lacks",
    "POST /api/v1/evidence/batch": TABLET + "sync sends the small files in one body",
    "PUT /api/v1/evidence/{sha256}": TABLET + "sync sends one file whole",
    "PATCH /api/v1/uploads/{sha256}": TABLET + "sync resumes a large file in chunks",
    "DELETE /api/v1/uploads/{sha256}": TABLET + "sync abandons a partial upload",
    # issue 20: the units' systems (administrators), the hierarchy and cross-province checks (R36, 信息交换岗)
    "POST /api/v1/admin/exchange-units": "POST /console/exchange/{action}",
    "POST /api/v1/admin/exchange-units/{unit_id}/key": "POST /console/exchange/{action}",
    "PUT /api/v1/admin/exchange-units/{unit_id}/webhook": "POST /console/exchange/{action}",
    "POST /api/v1/admin/exchange-units/{unit_id}/messages/{message_id}/resend": "POST /console/exchange/{action}",
    "PUT /api/v1/admin/exchange-peers/{org_id}": "POST /console/admin/hierarchy/peers",
    "PUT /api/v1/organisations/{org_id}/parent": "POST /console/admin/hierarchy/parent",
    "POST /api/v1/cases/{case_id}/cross-province": "POST /console/cases/{case_id}/cross-province",
    "POST /api/v1/cross-province/{check_id}/submit": "POST /console/cross-province/{check_id}/{action}",
    "POST /api/v1/cross-province/{check_id}/confirm": "POST /console/cross-province/{check_id}/{action}",
    "POST /api/v1/cross-province/{check_id}/answer": "POST /console/cross-province/{check_id}/{action}",
    "POST /api/v1/cross-province/{check_id}/feed-back": "POST /console/cross-province/{check_id}/{action}",
    "POST /api/v1/cross-province/{check_id}/resend": "POST /console/cross-province/{check_id}/{action}",
    "POST /exchange/v1/entrustments": MACHINE_ONLY + "a unit's own system submits with its API key; the unit's "
                                                     "clerk uses the console's intake form instead",
    "POST /exchange/v1/entrustments/{reference}/documents": MACHINE_ONLY + "a unit's own system uploads its scans; "
                                                                           "by hand: the console's intake form",
    "POST /exchange/v1/entrustments/{reference}/submit": MACHINE_ONLY + "a unit's own system hands in; by hand: "
                                                                        "the console's intake form",
    "POST /exchange/v1/cross-province/packages": MACHINE_ONLY + "another agency's server posts its signed package; "
                                                                "people act through /console/cross-province",
    "POST /api/v1/log/alarm": MACHINE_ONLY + "a witness (tablet or verifier) reports a log that contradicts its "
                                             "checkpoint; the console shows the alarm, nobody files one by hand",
    # the device fleet (issue 18)
    "POST /api/v1/admin/enrolments": "POST /console/devices/enrol",
    "POST /api/v1/admin/devices/{tablet_id}/lost": "POST /console/devices/{tablet_id}/lost",
    "POST /api/v1/devices/enrol": TABLET + "a new tablet's first screen, with the enrolment QR code",
    "POST /api/v1/devices/report": TABLET + "the tablet reports its state at each sync (and hears a wipe order)",
}

CLI_PATHS: dict[str, str] = {
    "holidays add": "POST /console/admin/holidays",
    "create-admin": OPERATOR + "the first administrator, before anyone can sign in to the console",
    "seed-demo": OPERATOR + "demonstration data for a trial install, never in service",
    "tls init": OPERATOR + "the agency CA and server certificate, before the server can start",
    "tls sign-unit": OPERATOR + "signs a unit's client certificate where the agency CA key is kept offline; "
                                "registered (or, with the key on the server, signed) on the console at "
                                "/console/exchange/units/{unit_id}/certificates",
    "backup": OPERATOR + "a snapshot to another disk, run by the nightly timer or the operator",
    "restore": OPERATOR + "into an empty data directory while no server runs",
    "check": OPERATOR + "integrity of database, files and log; its last result shows at /console/archive-check",
    "sweep-uploads": OPERATOR + "removes abandoned partial uploads, run by a timer",
    "verify-dossier": OPERATOR + "the offline verifier, run by whoever received a dossier, not on the server",
    "serve": OPERATOR + "starts the server",
}
