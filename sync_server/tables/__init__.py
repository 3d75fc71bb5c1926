"""Server tables (SQLModel), one small file per entity. Importing this package registers them all."""
from sync_server.tables.accounts import Account, Team
from sync_server.tables.assessments import QualityAssessment
from sync_server.tables.audit_log import AuditCheckpoint, AuditEntry, AuditNode
from sync_server.tables.backfills import Backfill
from sync_server.tables.cases import Case, Subject
from sync_server.tables.counters import Counter
from sync_server.tables.cross_outbox import CrossDelivery, CrossPackage
from sync_server.tables.cross_province import CrossProvinceCheck, ExchangePeer
from sync_server.tables.devices import Device, DeviceEnrolment
from sync_server.tables.disposal import DisposalAppraisal, DisposalCertificate, DisposedFile
from sync_server.tables.evidence import EvidenceFile, RecordEvidence
from sync_server.tables.evidence_claims import EvidenceClaim
from sync_server.tables.evidence_types import EvidenceType
from sync_server.tables.exchange import ExchangeDelivery, ExchangeMessage, ExchangeSubmission, ExchangeUnit
from sync_server.tables.findings import FindingAck, RecordFindings
from sync_server.tables.forms import PublishedForm
from sync_server.tables.holidays import HolidayNotice
from sync_server.tables.intake import CaseDocument, ConformityCheck, Entrustment
from sync_server.tables.keys import SurveyorKey
from sync_server.tables.letters import LetterFollowUp, LetterRequest
from sync_server.tables.records import Record, RecordSurveyor
from sync_server.tables.reports import MatchingResult, ReportVersion
from sync_server.tables.retention import CaseRetention
from sync_server.tables.review import ReVerificationRound, ReviewEntry
from sync_server.tables.signed_records import SignedRecordBytes
from sync_server.tables.staff import Handover, Organisation, StaffCredential
from sync_server.tables.summaries import CaseSummary
from sync_server.tables.throttles import LoginThrottle
from sync_server.tables.tokens import SessionToken
from sync_server.tables.unit_certificates import UnitCertificate

__all__ = ["Account", "AuditCheckpoint", "AuditEntry", "AuditNode", "Backfill", "Case", "CaseDocument",
           "CaseRetention", "CaseSummary", "ConformityCheck", "Counter", "CrossDelivery", "CrossPackage",
           "CrossProvinceCheck", "Device",
           "DeviceEnrolment", "DisposalAppraisal",
           "DisposalCertificate", "DisposedFile", "Entrustment", "EvidenceClaim", "EvidenceFile",
           "EvidenceType", "ExchangeDelivery", "ExchangeMessage", "ExchangePeer", "ExchangeSubmission",
           "ExchangeUnit", "FindingAck", "Handover", "HolidayNotice", "LetterFollowUp", "LetterRequest",
           "LoginThrottle",
           "MatchingResult", "Organisation", "PublishedForm", "QualityAssessment", "ReVerificationRound", "Record",
           "RecordEvidence", "RecordFindings", "RecordSurveyor",
           "ReportVersion", "ReviewEntry", "SessionToken", "SignedRecordBytes", "StaffCredential", "Subject",
           "SurveyorKey", "Team", "UnitCertificate"]
