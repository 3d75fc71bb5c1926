"""A form written in Excel (XLSForm: the `survey` and `choices` sheets, as ODK and KoboToolbox read them)
turned into the product's form JSON (schemas/forms), or refused with every problem named by sheet and row.

The XLSForm carries the questions; the rest of a visit (notification checklist, evidence rules,
respondent and refusal wording, audio and video) is kept from the form's current version, so an office
changes what is asked without being able to drop the steps the standard requires. Types: text (a
`multiline` appearance: long text), integer, decimal, date, select_one (a yes/no list: 是/否),
select_multiple, groups (one section each) and repeats (a table). Photos, audio, video and locations
are the visit's evidence steps, not questions; metadata (start, end, deviceid ...) the tablet records
itself. Anything else is refused, never approximated.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from schemas.forms import Field, Form, Section
from sync_server.forms.expressions import ExpressionError, constraint_bounds, relevant_tree, to_condition

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a zip bomb is refused before openpyxl inflates it
MAX_ROWS = 2000
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SELECT = re.compile(r"^(select_one|select one|select_multiple|select multiple)\s+(\S+)$", re.IGNORECASE)
YES_NAMES = {"yes", "1", "true", "y"}
NO_NAMES = {"no", "0", "false", "n"}
TYPES = {"text": "text", "integer": "integer", "decimal": "number", "date": "date"}
METADATA = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
            "audit", "start-geopoint", "email", "imei"}
EVIDENCE_TYPES = {"image", "audio", "video", "geopoint", "geotrace", "geoshape", "background-audio", "file"}


class XLSFormError(ValueError):
    """The workbook cannot become a form; `problems` names each one (sheet, row, what is wrong)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class Imported:
    """A form ready to preview and publish, and what of the workbook it did not carry over (and why)."""

    form: Form
    notes: list[str] = field(default_factory=list)


@dataclass
class _Choice:
    name: str
    label: str


@dataclass
class _Question:
    """What is known of a question while reading: its XLSForm type and its choices by name."""

    kind: str
    choices: dict[str, str] = field(default_factory=dict)  # XLSForm name -> the label stored as the answer


def _sheet_rows(workbook: Any, name: str) -> list[dict[str, str]]:
    """The sheet's rows as {column: text}, the header lowercased; a label column in Chinese preferred."""
    if name not in workbook.sheetnames:
        return []
    rows = workbook[name].iter_rows(values_only=True)
    header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
    for prefix in ("label", "hint", "constraint_message"):
        localised = [h for h in header if h.startswith(prefix + "::")]
        if prefix not in header and localised:
            best = next((h for h in localised if "zh" in h or "chinese" in h or "中文" in h), localised[0])
            header[header.index(best)] = prefix
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise XLSFormError([f"{name} 表超过 {MAX_ROWS} 行"])
        cells = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, values, strict=False) if h}
        cells["__row__"] = str(number)
        out.append(cells)
    return out


def _open(data: bytes) -> Any:
    if len(data) > MAX_WORKBOOK_BYTES:
        raise XLSFormError([f"文件过大（最多 {MAX_WORKBOOK_BYTES // 1024 // 1024} MB）"])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise XLSFormError(["工作簿解压后过大，已拒绝"])
        from openpyxl import load_workbook  # at first use: the server starts without the spreadsheet stack

        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSFormError:
        raise
    except Exception as error:  # noqa: BLE001 - any unreadable file gets one clear message
        raise XLSFormError([f"不是有效的 Excel 工作簿（.xlsx）：{type(error).__name__}"]) from None


def _choice_lists(rows: list[dict[str, str]], problems: list[str]) -> dict[str, list[_Choice]]:
    lists: dict[str, list[_Choice]] = {}
    for row in rows:
        list_name = row.get("list_name") or row.get("list name") or ""
        if not list_name and not row.get("name"):
            continue
        name, label = row.get("name", ""), row.get("label", "") or row.get("name", "")
        if not list_name or not name:
            problems.append(f"choices 表第 {row['__row__']} 行：缺少 list_name 或 name")
            continue
        lists.setdefault(list_name, []).append(_Choice(name, label))
    for list_name, choices in lists.items():
        labels = [c.label for c in choices]
        if len(set(labels)) != len(labels):
            problems.append(f"choices 表：选项列表 {list_name} 中有重复的标签")
    return lists


def read_xlsform(data: bytes, frame: Form, version: int) -> Imported:
    """The form in this workbook as `frame`'s form at `version`; XLSFormError with every problem."""
    workbook = _open(data)
    problems: list[str] = []
    notes: list[str] = []
    survey = _sheet_rows(workbook, "survey")
    if not survey:
        raise XLSFormError(["缺少 survey 表，或表中没有题目"])
    lists = _choice_lists(_sheet_rows(workbook, "choices"), problems)
    settings = next(iter(_sheet_rows(workbook, "settings")), {})
    reader = _SurveyReader(lists, problems, notes)
    for row in survey:
        reader.row(row)
    reader.finish()
    if problems:
        raise XLSFormError(problems)
    if not reader.sections:
        raise XLSFormError(["表单中没有任何题目"])
    wanted = settings.get("form_id", "")
    if wanted and wanted != frame.id:
        raise XLSFormError([f"settings 表的 form_id 为 {wanted}，与所选表单 {frame.id} 不一致"])
    if settings.get("version"):
        notes.append(f"settings 表的 version（{settings['version']}）未采用：发布后为第 {version} 版")
    try:
        form = frame.model_copy(update={"version": version, "sections": reader.sections, "checked_answers": True,
                                        "title": settings.get("form_title") or frame.title,
                                        "needs_full_id_numbers": frame.needs_full_id_numbers})
        form = Form.model_validate(form.model_dump())
    except ValidationError as error:
        raise XLSFormError([f"表单无效：{e['loc']} {e['msg']}" for e in error.errors()]) from None
    return Imported(form, notes)


class _SurveyReader:
    """Walks the survey sheet row by row: groups become sections, a repeat a table."""

    def __init__(self, lists: dict[str, list[_Choice]], problems: list[str], notes: list[str]) -> None:
        self.lists, self.problems, self.notes = lists, problems, notes
        self.sections: list[Section] = []
        self.group: Section | None = None
        self.loose: Section | None = None  # questions outside any group
        self.repeat: Field | None = None
        self.known: dict[str, _Question] = {}

    def fail(self, row: dict[str, str], message: str) -> None:
        self.problems.append(f"survey 表第 {row['__row__']} 行（{row.get('name') or row.get('type')}）：{message}")

    def row(self, row: dict[str, str]) -> None:
        kind = re.sub(r"\s+", " ", row.get("type", "").replace("_", " ").strip().lower())
        if not kind:
            return
        if kind in ("begin group", "end group", "begin repeat", "end repeat"):
            self.structure(row, kind)
            return
        base = kind.split(" ")[0]
        if base in METADATA:
            self.notes.append(f"第 {row['__row__']} 行 {base}：由外勤应用自行记录，未作为题目导入")
            return
        if base == "note":
            self.notes.append(f"第 {row['__row__']} 行的说明文字未导入（外勤应用只显示题目及提示）")
            return
        if base in EVIDENCE_TYPES:
            self.fail(row, f"类型 {base} 不能作为题目：照片、录音、录像和定位在外勤应用的证据步骤中采集")
            return
        question = self.question(row, kind)
        if question is not None:
            self.place(row, question)

    def structure(self, row: dict[str, str], kind: str) -> None:
        if kind == "begin group":
            if self.group is not None or self.repeat is not None:
                self.fail(row, "不支持嵌套的分组（请每个分组单独成节）")
                return
            name = self.name(row)
            self.group = Section(id=name or "section", title=row.get("label") or name,
                                 fields=[], relevant=self.condition(row))
        elif kind == "end group":
            if self.group is None:
                self.fail(row, "end group 之前没有 begin group")
                return
            if self.group.fields:
                self.sections.append(self.group)
            self.group = None
        elif kind == "begin repeat":
            if self.repeat is not None:
                self.fail(row, "不支持嵌套的重复组")
                return
            name = self.name(row)
            self.repeat = Field(id=name or "table", label=row.get("label") or name, type="table",
                                hint=row.get("hint", ""), relevant=self.condition(row),
                                required=_yes(row.get("required", "")))
        elif self.repeat is None:
            self.fail(row, "end repeat 之前没有 begin repeat")
        else:
            table, self.repeat = self.repeat, None
            if not table.columns:
                self.fail(row, "重复组中没有题目")
                return
            self.place(row, table)

    def name(self, row: dict[str, str]) -> str:
        name = row.get("name", "")
        if not NAME.match(name):
            self.fail(row, "name 须以小写字母开头，只含小写字母、数字和下划线")
            return ""
        if name in self.known:
            self.fail(row, f"name “{name}”重复")
            return ""
        return name

    def question(self, row: dict[str, str], kind: str) -> Field | None:
        base = kind.split(" ")[0]
        name = self.name(row)
        if not name:
            return None
        label = row.get("label") or name
        common: dict[str, Any] = {"id": name, "label": label, "hint": row.get("hint", ""),
                                  "required": _yes(row.get("required", ""))}
        select = SELECT.match(row.get("type", "").strip())
        if select:
            return self.select(row, select.group(2), common, several="multiple" in select.group(1))
        if base not in TYPES:
            self.fail(row, f"不支持的题型“{row.get('type')}”")
            return None
        field_type = TYPES[base]
        if base == "text" and "multiline" in row.get("appearance", ""):
            field_type = "longtext"
        self.known[name] = _Question(field_type)
        common.update(type=field_type, relevant=self.condition(row))
        if row.get("constraint"):
            try:
                bounds = constraint_bounds(row["constraint"], field_type)
            except ExpressionError as error:
                self.fail(row, f"约束无法导入：{error}")
                return None
            if bounds.pattern and field_type not in ("text", "longtext"):
                self.fail(row, "regex() 只能用于文字题")
                return None
            common.update({k: v for k, v in vars(bounds).items() if v is not None})
        return Field(**common)

    def select(self, row: dict[str, str], list_name: str, common: dict[str, Any], several: bool) -> Field | None:
        choices = self.lists.get(list_name)
        if not choices:
            self.fail(row, f"choices 表中没有选项列表“{list_name}”")
            return None
        names = {c.name.lower() for c in choices}
        is_yesno = not several and len(choices) == 2 and names & YES_NAMES and names & NO_NAMES
        if is_yesno:
            mapping = {c.name: c.name.lower() in YES_NAMES for c in choices}
            self.known[common["id"]] = _Question("yesno", mapping)  # type: ignore[arg-type]
            return Field(**common, type="yesno", relevant=self.condition(row))
        if several and self.repeat is not None:
            self.fail(row, "重复组（表格）中不支持多选题")
            return None
        self.known[common["id"]] = _Question("choices" if several else "choice", {c.name: c.label for c in choices})
        return Field(**common, type="choices" if several else "choice", options=[c.label for c in choices],
                     relevant=self.condition(row))

    def condition(self, row: dict[str, str]):  # type: ignore[no-untyped-def]
        expression = row.get("relevant", "")
        if not expression:
            return None
        try:
            return to_condition(relevant_tree(expression), self.value_of)
        except ExpressionError as error:
            self.fail(row, f"relevant 无法导入：{error}")
            return None

    def value_of(self, name: str, op: str, literal: object) -> tuple[str, object]:
        question = self.known.get(name)
        if question is None:
            raise ExpressionError(f"引用的题目 ${{{name}}} 不存在或在本题之后")
        if question.kind in ("choice", "choices", "yesno") and op not in ("answered", "not_answered"):
            if op not in ("eq", "ne", "has"):
                raise ExpressionError(f"选择题 ${{{name}}} 只能比较是否等于某个选项")
            if str(literal) not in question.choices:
                raise ExpressionError(f"${{{name}}} 没有选项“{literal}”")
            value = question.choices[str(literal)]
            return name, value
        if op == "has":
            raise ExpressionError(f"selected() 只能用于选择题（${{{name}}}）")
        return name, literal

    def place(self, row: dict[str, str], question: Field) -> None:
        if self.repeat is not None and question is not self.repeat:
            self.repeat.columns.append(question)
            return
        if self.group is not None:
            self.group.fields.append(question)
            return
        if self.loose is None:
            self.loose = Section(id="questions", title="调查内容", fields=[])
            self.sections.append(self.loose)
        self.loose.fields.append(question)

    def finish(self) -> None:
        if self.group is not None:
            self.problems.append(f"分组 {self.group.id} 缺少 end group")
        if self.repeat is not None:
            self.problems.append(f"重复组 {self.repeat.id} 缺少 end repeat")


def _yes(text: str) -> bool:
    return text.strip().lower() in ("yes", "true", "1", "true()", "是", "y")
