"""One problem vocabulary with stable codes, shared by the server and the tablet.

The server turns a `ProblemError` into an HTTP response in one place (RFC 9457 shape);
the tablet turns a code into a Chinese sentence with `chinese_message`.
"""
from __future__ import annotations

from enum import Enum

from pydantic import BaseModel


class Code(str, Enum):
    """Stable problem codes. Never rename one: tablets in the field know them."""

    AUTH_REQUIRED = "auth.required"
    AUTH_INVALID = "auth.invalid"
    AUTH_LOCKED = "auth.locked"
    FORBIDDEN = "auth.forbidden"
    CASE_UNKNOWN = "case.unknown"
    CASE_NOT_AUTHORIZED = "case.not_authorized"
    CASE_NOT_ASSIGNED = "case.not_assigned"
    RECORD_INVALID = "record.invalid"
    METHOD_NOT_ENTRUSTED = "case.method_not_entrusted"
    REVIEW_INVALID = "review.invalid"
    REVIEW_NOT_COMPLETE = "review.not_complete"
    ROUND_INVALID = "round.invalid"
    LETTER_ANSWERED = "letter.answered"
    RECORD_CONFLICT = "record.conflict"
    RECORD_INCOMPLETE = "record.incomplete"
    TEAM_TOO_SMALL = "team.too_small"
    SIGNATURE_MISSING = "signature.missing"
    SIGNATURE_INVALID = "signature.invalid"
    KEY_UNKNOWN = "key.unknown"
    KEY_CONFLICT = "key.conflict"
    EVIDENCE_MISSING = "evidence.missing"
    EVIDENCE_HASH_MISMATCH = "evidence.hash_mismatch"
    EVIDENCE_TOO_LARGE = "evidence.too_large"
    EVIDENCE_TYPE_NOT_ALLOWED = "evidence.type_not_allowed"
    PROTOCOL_UNSUPPORTED = "protocol.unsupported"
    VALIDATION = "request.invalid"
    NOT_FOUND = "request.not_found"
    ALREADY_EXISTS = "request.exists"
    STORAGE_FULL = "storage.full"
    SERVER_ERROR = "server.error"
    SERVER_BUSY = "server.busy"
    REQUEST_TOO_LARGE = "request.too_large"
    REQUEST_TIMEOUT = "request.timeout"
    UPLOAD_OFFSET_MISMATCH = "upload.offset_mismatch"
    UPLOAD_IN_PROGRESS = "upload.in_progress"
    UPLOAD_CHECKSUM_MISMATCH = "upload.checksum_mismatch"
    BATCH_MISMATCH = "upload.batch_mismatch"
    AUTH_THROTTLED = "auth.throttled"
    KEY_REVOKED = "key.revoked"
    KEY_PIN_INVALID = "key.pin_invalid"
    KEY_DEVICE_MISMATCH = "key.device_mismatch"
    CASE_NOT_RELEASED = "case.not_released"
    CASE_NOT_RELEASED_AT_VISIT = "case.not_released_at_visit"
    INTAKE_STATE = "intake.state"
    CONFORMITY_SAME_CHECKER = "intake.same_checker"
    IMPORT_INVALID = "import.invalid"
    UPLOAD_TYPE = "upload.type"
    STAFF_NOT_CLEARED = "staff.not_cleared"
    PASSWORD_CHANGE_REQUIRED = "auth.password_change_required"
    RETENTION_NOT_DUE = "retention.not_due"
    CASE_DISPOSED = "case.disposed"
    FORM_UNKNOWN = "record.form_unknown"
    FORM_XLSFORM_INVALID = "form.xlsform_invalid"
    FORM_STALE = "form.stale"
    POST_REQUIRED = "staff.post_required"
    OWN_SURVEY = "staff.own_survey"
    REPORT_REVIEW_NOT_ACCEPTED = "report.review_not_accepted"
    REPORT_NO_FIELD_WORK = "report.no_field_work"
    REPORT_METHOD_WITHOUT_RESULT = "report.method_without_result"
    ACCEPTANCE_DATE_INVALID = "intake.acceptance_date"
    DOSSIER_FILES_MISSING = "dossier.files_missing"
    DISPOSAL_NOT_APPROVED = "disposal.not_approved"
    DISPOSAL_SECOND_PERSON = "disposal.second_person_required"
    CASE_NOT_DISPOSED = "case.not_disposed"
    LOG_INCONSISTENT = "log.inconsistent"
    EXCHANGE_KEY_INVALID = "exchange.key_invalid"  # issue 20: a unit's system, bad or rotated key
    EXCHANGE_REFERENCE_CONFLICT = "exchange.reference_conflict"
    EXCHANGE_PACKAGE_INVALID = "exchange.package_invalid"  # R36: a cross-province package
    EXCHANGE_CERT_INVALID = "exchange.cert_invalid"  # issue 20: a client certificate not issued to a unit
    EXCHANGE_CERT_REVOKED = "exchange.cert_revoked"
    EXCHANGE_CERT_EXPIRED = "exchange.cert_expired"
    EXCHANGE_CERT_UNTRUSTED = "exchange.cert_untrusted"  # certificate headers not from the trusted proxy
    ENROLMENT_INVALID = "device.enrolment_invalid"  # unknown, used or expired enrolment code (issue 18)
    DEVICE_LOST = "device.lost"  # the office marked this tablet lost: it must wipe (data: upload_first)
    DEVICE_UPLOAD_ONLY = "device.upload_only"  # a lost tablet told to upload first may only upload


HTTP_STATUS: dict[Code, int] = {
    Code.AUTH_REQUIRED: 401,
    Code.AUTH_INVALID: 401,
    Code.AUTH_LOCKED: 423,
    Code.FORBIDDEN: 403,
    Code.CASE_UNKNOWN: 404,
    Code.CASE_NOT_AUTHORIZED: 409,
    Code.CASE_NOT_ASSIGNED: 403,
    Code.RECORD_INVALID: 422,
    Code.METHOD_NOT_ENTRUSTED: 422,
    Code.REVIEW_INVALID: 422,
    Code.REVIEW_NOT_COMPLETE: 409,
    Code.ROUND_INVALID: 409,
    Code.LETTER_ANSWERED: 409,
    Code.RECORD_CONFLICT: 409,
    Code.RECORD_INCOMPLETE: 422,
    Code.TEAM_TOO_SMALL: 422,
    Code.SIGNATURE_MISSING: 422,
    Code.SIGNATURE_INVALID: 422,
    Code.KEY_UNKNOWN: 422,
    Code.KEY_CONFLICT: 409,
    Code.EVIDENCE_MISSING: 409,
    Code.EVIDENCE_HASH_MISMATCH: 422,
    Code.EVIDENCE_TOO_LARGE: 413,
    Code.EVIDENCE_TYPE_NOT_ALLOWED: 422,
    Code.PROTOCOL_UNSUPPORTED: 400,
    Code.VALIDATION: 422,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.STORAGE_FULL: 507,
    Code.SERVER_ERROR: 500,
    Code.SERVER_BUSY: 503,
    Code.REQUEST_TOO_LARGE: 413,
    Code.REQUEST_TIMEOUT: 408,
    Code.UPLOAD_OFFSET_MISMATCH: 409,
    Code.UPLOAD_IN_PROGRESS: 409,
    Code.UPLOAD_CHECKSUM_MISMATCH: 422,
    Code.BATCH_MISMATCH: 422,
    Code.AUTH_THROTTLED: 429,
    Code.KEY_REVOKED: 422,
    Code.KEY_PIN_INVALID: 403,
    Code.KEY_DEVICE_MISMATCH: 403,
    Code.CASE_NOT_RELEASED: 409,
    Code.CASE_NOT_RELEASED_AT_VISIT: 409,
    Code.INTAKE_STATE: 409,
    Code.CONFORMITY_SAME_CHECKER: 409,
    Code.IMPORT_INVALID: 422,
    Code.UPLOAD_TYPE: 415,
    Code.STAFF_NOT_CLEARED: 403,
    Code.PASSWORD_CHANGE_REQUIRED: 403,
    Code.RETENTION_NOT_DUE: 409,
    Code.CASE_DISPOSED: 410,
    Code.FORM_UNKNOWN: 422,
    Code.FORM_XLSFORM_INVALID: 422,
    Code.FORM_STALE: 409,
    Code.POST_REQUIRED: 403,
    Code.OWN_SURVEY: 403,
    Code.REPORT_REVIEW_NOT_ACCEPTED: 409,
    Code.REPORT_NO_FIELD_WORK: 409,
    Code.REPORT_METHOD_WITHOUT_RESULT: 409,
    Code.ACCEPTANCE_DATE_INVALID: 422,
    Code.DOSSIER_FILES_MISSING: 409,
    Code.DISPOSAL_NOT_APPROVED: 409,
    Code.DISPOSAL_SECOND_PERSON: 409,
    Code.CASE_NOT_DISPOSED: 409,
    Code.LOG_INCONSISTENT: 500,
    Code.EXCHANGE_KEY_INVALID: 401,
    Code.EXCHANGE_REFERENCE_CONFLICT: 409,
    Code.EXCHANGE_PACKAGE_INVALID: 422,
    Code.EXCHANGE_CERT_INVALID: 401,
    Code.EXCHANGE_CERT_REVOKED: 401,
    Code.EXCHANGE_CERT_EXPIRED: 401,
    Code.EXCHANGE_CERT_UNTRUSTED: 403,
    Code.ENROLMENT_INVALID: 403,
    Code.DEVICE_LOST: 403,
    Code.DEVICE_UPLOAD_ONLY: 403,
}

CHINESE: dict[Code, str] = {
    Code.AUTH_REQUIRED: "请先登录",
    Code.AUTH_INVALID: "账号或 PIN 码不正确",
    Code.AUTH_LOCKED: "尝试次数过多，账号已暂时锁定，请稍后再试",
    Code.FORBIDDEN: "当前账号无权进行此操作",
    Code.CASE_UNKNOWN: "服务器上没有这个核查案件",
    Code.CASE_NOT_AUTHORIZED: "案件缺少家庭授权书或单位委托书，不能开展调查",
    Code.CASE_NOT_ASSIGNED: "该案件未分配给本调查小组",
    Code.RECORD_INVALID: "调查记录格式有误",
    Code.METHOD_NOT_ENTRUSTED: "委托书未包含该核查方式，不得扩大核查范围",
    Code.REVIEW_INVALID: "审核意见不完整：退回须写明理由，且只能退回本案的记录或外勤核查项",
    Code.REVIEW_NOT_COMPLETE: "案件外勤留证尚未齐全或仍有退回未补充的事项，不能审核通过",
    Code.ROUND_INVALID: "复核轮次信息有误",
    Code.LETTER_ANSWERED: "该信函已登记回复，原回复文件保留不变",
    Code.RECORD_CONFLICT: "同一编号下已有内容不同的调查记录",
    Code.RECORD_INCOMPLETE: "调查记录不完整",
    Code.TEAM_TOO_SMALL: "调查小组不足 2 人",
    Code.SIGNATURE_MISSING: "缺少调查人员的签名确认",
    Code.SIGNATURE_INVALID: "调查人员签名验证失败，记录可能被篡改",
    Code.KEY_UNKNOWN: "服务器不认识该调查人员的签名密钥",
    Code.KEY_CONFLICT: "该密钥编号已登记为其他密钥",
    Code.EVIDENCE_MISSING: "留证文件尚未上传完整",
    Code.EVIDENCE_HASH_MISMATCH: "留证文件与登记的校验值不符，可能已损坏或被改动",
    Code.EVIDENCE_TOO_LARGE: "留证文件过大",
    Code.EVIDENCE_TYPE_NOT_ALLOWED: "留证文件的实际格式与登记的类型不符，或不是该类留证允许的格式",
    Code.PROTOCOL_UNSUPPORTED: "应用版本过旧，请更新",
    Code.VALIDATION: "请求内容有误",
    Code.NOT_FOUND: "找不到请求的内容",
    Code.ALREADY_EXISTS: "已有相同编号的内容，未重复创建",
    Code.STORAGE_FULL: "服务器存储空间不足，文件未保存，请稍后重试",
    Code.SERVER_ERROR: "服务器内部错误，请稍后重试",
    Code.SERVER_BUSY: "服务器繁忙，稍后自动重试",
    Code.REQUEST_TOO_LARGE: "请求内容过大，服务器未接收",
    Code.REQUEST_TIMEOUT: "数据发送过慢，连接已断开，稍后自动重试",
    Code.UPLOAD_OFFSET_MISMATCH: "续传位置与服务器不一致，将从服务器记录的位置继续",
    Code.UPLOAD_IN_PROGRESS: "该文件正在上传中，稍后自动重试",
    Code.UPLOAD_CHECKSUM_MISMATCH: "上传的数据块校验失败，已丢弃该数据块",
    Code.BATCH_MISMATCH: "批量上传的数据与所列文件不符（长度不对或文件重复），均未保存",
    Code.AUTH_THROTTLED: "尝试次数过多，请稍后再试",
    Code.KEY_REVOKED: "调查人员的签名密钥已被吊销，记录未被接受",
    Code.KEY_PIN_INVALID: "PIN 码不正确，签名密钥未登记",
    Code.KEY_DEVICE_MISMATCH: "签名密钥只能登记在本人登录的这台平板上",
    Code.CASE_NOT_RELEASED: "案件委托材料尚未通过符合性审核，不能开展调查",
    Code.CASE_NOT_RELEASED_AT_VISIT: "调查记录在案件下达之前已签章封存（先授权、后核对），记录未被接受",
    Code.INTAKE_STATE: "案件当前的受理状态不允许此操作",
    Code.CONFORMITY_SAME_CHECKER: "两次符合性审核须由不同人员进行",
    Code.IMPORT_INVALID: "委托名单有误，未导入任何一行",
    Code.UPLOAD_TYPE: "文件类型不被接受：仅接受 PDF、JPEG、PNG",
    Code.STAFF_NOT_CLEARED: "保密承诺书或培训记录缺失或已过期，不能开展核查工作",
    Code.PASSWORD_CHANGE_REQUIRED: "密码已过期或强度不足，请先修改密码",
    Code.RETENTION_NOT_DUE: "档案尚未到保管期限，不能销毁",
    Code.CASE_DISPOSED: "该案件档案已按保管期限销毁",
    Code.FORM_UNKNOWN: "服务器没有记录所用的表单版本，记录仍保留在本机，请联系管理员更新服务器后再上传",
    Code.FORM_XLSFORM_INVALID: "XLSForm 表单无法导入，请按提示修改工作簿后重新导入",
    Code.FORM_STALE: "导入之后已有人发布了该表单的新版本，请重新导入后再发布",
    Code.POST_REQUIRED: "当前账号未担任此项工作所需的岗位（§4.3.1），不能进行此操作",
    Code.OWN_SURVEY: "参与本案外勤调查的人员不能审核本案或出具本案报告（R33）",
    Code.REPORT_REVIEW_NOT_ACCEPTED: "案件外勤留证尚未审核通过，不能出具核查报告",
    Code.REPORT_NO_FIELD_WORK: "本案尚无有效的外勤调查记录，不能出具核查报告",
    Code.REPORT_METHOD_WITHOUT_RESULT: "委托的核查方式尚无结果，不能出具核查报告",
    Code.ACCEPTANCE_DATE_INVALID: "受理日期有误：不能早于委托日期，也不能晚于今天，更正须写明理由",
    Code.DOSSIER_FILES_MISSING: "案件的部分文件缺失或已损坏，档案包不完整，未导出也未签名；请从备份恢复这些文件",
    Code.DISPOSAL_NOT_APPROVED: "销毁须先经鉴定：由另一人审批同意后才能执行",
    Code.DISPOSAL_SECOND_PERSON: "销毁鉴定须由提出人以外的另一人审批",
    Code.CASE_NOT_DISPOSED: "该案件档案尚未销毁，没有销毁证明",
    Code.LOG_INCONSISTENT: "审计日志与此前签发的检查点不一致，可能已被删改；已停止签发并告警，请立即联系管理员",
    Code.EXCHANGE_KEY_INVALID: "委托单位的接口密钥无效、已更换或已停用，请求未被接受",
    Code.EXCHANGE_REFERENCE_CONFLICT: "该业务编号已提交过内容不同的委托，未重复建案；请使用新的业务编号或联系核查机构",
    Code.EXCHANGE_PACKAGE_INVALID: "跨省核查数据包的签名无效或发送机构未登记，未接收",
    Code.EXCHANGE_CERT_INVALID: "客户端证书无效：不是核查机构 CA 为委托单位接口签发并登记的证书，请求未被接受",
    Code.EXCHANGE_CERT_REVOKED: "该客户端证书已被核查机构吊销，请求未被接受；请使用新证书",
    Code.EXCHANGE_CERT_EXPIRED: "该客户端证书已过期，请求未被接受；请向核查机构申请新证书",
    Code.EXCHANGE_CERT_UNTRUSTED: "客户端证书信息只接受来自机构反向代理（nginx）的转发，请求未被接受",
    Code.ENROLMENT_INVALID: "设备登记码无效、已使用或已过期，请管理员在控制台重新生成",
    Code.DEVICE_LOST: "本设备已被机构登记为丢失，数据将被清除",
    Code.DEVICE_UPLOAD_ONLY: "本设备已被登记为丢失，只能上传已封存的记录，随后清除数据",
}


class Problem(BaseModel):
    """A problem as it travels on the wire (RFC 9457 fields plus a stable `code`)."""

    code: Code
    title: str
    status: int
    detail: str = ""
    data: dict = {}
    incident: str = ""  # the server's request id (X-Request-ID): every log line of that request carries it


class ProblemError(Exception):
    """Raised anywhere on the server; rendered once by the problem handler."""

    def __init__(self, code: Code, detail: str = "", **data: object) -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
        self.data = data

    def problem(self) -> Problem:
        """The wire form of this error."""
        return Problem(code=self.code, title=CHINESE[self.code], status=HTTP_STATUS[self.code],
                       detail=self.detail, data=dict(self.data))


def chinese_message(code: str, detail: str = "") -> str:
    """The sentence the tablet shows for a problem code (unknown codes are shown as they are)."""
    try:
        text = CHINESE[Code(code)]
    except ValueError:
        text = f"服务器报告问题：{code}"
    return f"{text}（{detail}）" if detail else text
