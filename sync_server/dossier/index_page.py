"""The dossier's human-readable index (`index.html`, in Chinese): what the package holds, item by item, so an
archivist sees the whole case without a tool. It is listed and hashed in the manifest like every other file;
`dossier_verify` checks that it names every item and every file (docs/DOSSIER.md)."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync_server.dossier.material import TYPE_NAMES, Item

STYLE = ("body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;max-width:72em}"
         "table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #999;"
         "padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eee}code{font-size:.85em}")


def render(case_id: str, title: str, export_id: str, created_at: str, key_id: str, items: Sequence[Item],
           evidence: Sequence[tuple[str, str]], log_size: int, log_entries: int) -> bytes:
    """The index page: one table per kind of item, then the evidence files and the log."""
    parts = [(f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
             f"<title>案件档案包目录 {escape(case_id)}"
             f"</title><style>{STYLE}</style></head><body>"),
             (f"<h1>案件档案包目录</h1><p>案件：{escape(title)}（编号 <code>{escape(case_id)}</code>）<br>"
             f"导出编号 <code>{escape(export_id)}</code>，导出时间 {escape(created_at)}，"
             f"机构密钥 <code>{escape(key_id)}"
             f"</code></p><p>核验：<code>python -m dossier_verify 本文件.zip --agency-key-id {escape(key_id)}</code>。"
             "本目录仅供阅读；以 manifest.json 及其签名为准。</p>")]
    for kind, name in TYPE_NAMES.items():
        of_kind = [i for i in items if i.type == kind]
        if not of_kind:
            continue
        parts.append(f"<h2>{escape(name)}（{len(of_kind)}）</h2><table><tr><th>编号</th><th>内容</th><th>文件</th>"
                     "<th>审计日志</th></tr>")
        for item in of_kind:
            files = "<br>".join(f"<code>{escape(f)}</code>" for f in item.files)
            logged = "、".join(f"第 {p} 条" for p in item.log) if item.log else "未记入审计日志"
            parts.append(f"<tr><td><code>{escape(item.id)}</code></td><td>{escape(item.label)}</td><td>{files}</td>"
                         f"<td>{escape(logged)}</td></tr>")
        parts.append("</table>")
    parts.append(f"<h2>留证原件（{len(evidence)}）</h2><table><tr><th>文件</th><th>类别</th></tr>")
    parts += [f"<tr><td><code>{escape(path)}</code></td><td>{escape(kind)}</td></tr>" for path, kind in evidence]
    parts.append(f"</table><h2>审计日志</h2><p>本案相关日志 {log_entries} 条，均附包含证明；签名检查点覆盖日志前 "
                 f"{log_size} 条（<code>log/checkpoint.txt</code>、<code>log/proofs.json</code>）。</p></body></html>")
    return "".join(parts).encode("utf-8")
