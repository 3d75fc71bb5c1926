"""Server tables (SQLModel), one small file per entity. Importing this package registers them all."""
from sync_server.tables.accounts import Account, Team
from sync_server.tables.cases import Case, Subject
from sync_server.tables.evidence import EvidenceFile, RecordEvidence
from sync_server.tables.holidays import HolidayNotice
from sync_server.tables.intake import CaseDocument, ConformityCheck, Entrustment
from sync_server.tables.keys import SurveyorKey
from sync_server.tables.records import Record
from sync_server.tables.staff import Handover, Organisation, StaffCredential
from sync_server.tables.throttles import LoginThrottle
from sync_server.tables.tokens import SessionToken

__all__ = ["Account", "Case", "CaseDocument", "ConformityCheck", "Entrustment", "EvidenceFile", "Handover",
           "HolidayNotice", "LoginThrottle", "Organisation", "Record", "RecordEvidence", "SessionToken",
           "StaffCredential", "Subject", "SurveyorKey", "Team"]
