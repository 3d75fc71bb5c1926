"""The report (家庭经济状况核查结果报告, appendix D) as a PDF, from its composed content."""
from __future__ import annotations

from dataclasses import dataclass

BASIS = ("根据《社会救助暂行办法》（国务院令第649号）、"
         "《重庆市人民政府关于贯彻落实国务院〈社会救助暂行办法〉的实施意见》"
         "（渝府发〔2014〕55号）、《重庆市社会救助家庭经济状况信息核查认定办法》（渝府办发〔2014〕138号）等相关政策规定，"
         "我中心于{entrusted_on}受{entrusting_unit}委托，依照法律法规和有关规定对申请人及相关人员家庭基本情况和经济状况进行核查。")
NOTES = ("1. 报告中信息核查数据核对周期为：{data_period}，其余数据核查周期为有记录至今；",
         ("2. 本报告采集了人社、公安等部门或机构提供的信息，"
          "因信息源更新时限、登记错误、模糊处理等原因，本报告展示信息可能"
          "与实际不完全相符，需进一步调查核实，不作为社会救助审核确认的唯一依据。"))


@dataclass(frozen=True)
class ElectronicSeal:
    """The agency key's signature over the report content (RFC 8785 JSON)."""

    key_id: str
    content_sha256: str
    signature: str


def render_report(content: dict, seal: ElectronicSeal | None, version: int | None = None) -> bytes:
    """The PDF; without a seal it is marked as a preview (not issued)."""
    from sync_server.documents.pdf_document import Document  # fpdf2 loads when a PDF is made, not at start

    status = f"第 {version} 版" if version else "预览稿（未出具）"
    doc = Document(f"家庭经济状况核查结果报告 {content['number']}", footer_note=f"{content['number']} · {status}")
    doc.heading("家庭经济状况核查结果报告", size=18)
    doc.paragraph(f"编号：{content['number']}", align="R")
    if "accepted_on" in content:  # reports issued before it was printed do not carry it
        doc.paragraph(f"委托日期：{content['entrusted_on']}　受理日期：{content['accepted_on']}", align="R")
    doc.paragraph(f"{content['addressee']}：")
    doc.paragraph("　　" + BASIS.format(**content))
    doc.paragraph(f"　　本核查报告共{{nb}}页，一式{content['copies']}份。核查结果报告仅作为委托机构作出审核确认参考，"
                  "不作其他用途。核查结果如下：")
    doc.heading("人员基本信息", size=12)
    doc.grid(["序号", "姓名", "性别", "证件号"], content["persons"], widths=(18, 50, 22, 84))
    doc.heading("核查结果概述", size=12)
    doc.paragraph("　　" + content["summary"])
    if content.get("declared"):  # R32: the family's declaration beside what was verified (exchange cases)
        doc.heading("申报与核查对照（综合核算）", size=12)
        doc.grid(["部分", "申报项目", "申报金额", "核查结果"], content["declared"], widths=(26, 42, 30, 76), size=9)
    doc.heading("附：查询反馈情况", size=12)
    for section in content["sections"]:
        doc.heading(section["title"], size=11)
        doc.grid(["部门", "项目", "结果概述"], section["rows"], widths=(34, 46, 94), size=9)
    supplementary = content["supplementary"]
    doc.heading(f"六、补充调查信息（数据来源单位：{supplementary['source']}）", size=11)
    doc.grid(["情况概述"], [[p] for p in supplementary["paragraphs"]] or [["无补充调查信息"]], widths=(174,), size=9.5)
    doc.heading("说明：", size=10.5)
    for note in NOTES:
        doc.paragraph(note.format(**content), size=9.5)
    doc.ln(6)
    doc.paragraph(f"{content['agency']}（盖章）", align="R")
    doc.paragraph(content["issued_on"] if seal else "年　月　日", align="R")
    if seal is None:
        doc.paragraph("【预览稿：未出具，无电子签章】", align="C")
    else:
        doc.paragraph(f"电子签章：机构密钥 {seal.key_id}；报告内容 SHA-256 {seal.content_sha256}", size=8)
        doc.paragraph(f"签名（Ed25519，base64）：{seal.signature}", size=7)
    return doc.bytes()
