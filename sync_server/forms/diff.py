"""What changed between two versions of a form, as the person publishing it reads it (Chinese, one line
a change): questions added, removed, moved to another section, and changed in wording, type, choices,
being required, bounds or when they are asked."""
from __future__ import annotations

from dataclasses import dataclass

from schemas.forms import Field, Form

TYPE_NAMES = {"text": "文字", "longtext": "长文字", "number": "数字", "integer": "整数", "money": "金额",
              "date": "日期", "choice": "单选", "choices": "多选", "yesno": "是/否", "table": "表格"}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed
    where: str  # the question (or section)
    what: str


def _places(form: Form) -> dict[str, tuple[str, Field]]:
    return {f.id: (s.title, f) for s in form.sections for f in s.fields}


def form_changes(old: Form, new: Form) -> list[Change]:
    """Every difference a surveyor would notice, in the new form's order, then the removed questions."""
    before, after = _places(old), _places(new)
    out: list[Change] = []
    for field_id, (section, field) in after.items():
        if field_id not in before:
            out.append(Change("added", f"{section} · {field.label}", f"新增{TYPE_NAMES[field.type]}题"))
            continue
        old_section, old_field = before[field_id]
        where = f"{section} · {field.label}"
        if old_section != section:
            out.append(Change("changed", where, f"从“{old_section}”移到“{section}”"))
        out.extend(Change("changed", where, what) for what in field_changes(old_field, field))
    out.extend(Change("removed", f"{section} · {field.label}", "删除")
               for field_id, (section, field) in before.items() if field_id not in after)
    return out


def field_changes(old: Field, new: Field) -> list[str]:
    """How one question changed."""
    out = []
    if old.label != new.label:
        out.append(f"题目文字：“{old.label}” → “{new.label}”")
    if old.type != new.type:
        out.append(f"题型：{TYPE_NAMES[old.type]} → {TYPE_NAMES[new.type]}")
    if old.required != new.required:
        out.append("改为必填" if new.required else "改为选填")
    if old.options != new.options:
        added = [o for o in new.options if o not in old.options]
        gone = [o for o in old.options if o not in new.options]
        out.append("选项：" + "；".join(filter(None, [f"增加 {'、'.join(added)}" if added else "",
                                                   f"删除 {'、'.join(gone)}" if gone else "",
                                                   "顺序调整" if not added and not gone else ""])))
    if (old.min, old.max, old.max_length, old.pattern) != (new.min, new.max, new.max_length, new.pattern):
        out.append(f"取值范围：{_bounds(old)} → {_bounds(new)}")
    if old.relevant != new.relevant:
        out.append("显示条件已更改" if old.relevant and new.relevant else
                   ("增加显示条件" if new.relevant else "取消显示条件"))
    if old.type == new.type == "table":
        old_columns, new_columns = {c.id: c for c in old.columns}, {c.id: c for c in new.columns}
        out.extend(f"列“{c.label}”新增" for c in new.columns if c.id not in old_columns)
        out.extend(f"列“{c.label}”删除" for c in old.columns if c.id not in new_columns)
        for column in new.columns:
            if column.id in old_columns:
                out.extend(f"列“{column.label}”：{w}" for w in field_changes(old_columns[column.id], column))
    return out


def _bounds(field: Field) -> str:
    parts = []
    if field.min is not None:
        parts.append(f"≥{field.min}")
    if field.max is not None:
        parts.append(f"≤{field.max}")
    if field.max_length is not None:
        parts.append(f"最多{field.max_length}字")
    if field.pattern:
        parts.append(f"格式 {field.pattern}")
    return "，".join(parts) or "不限"
