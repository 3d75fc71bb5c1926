"""Display copies of photo evidence (issue 7, issue 9): upright, at most 1280 px, JPEG, with a Chinese
watermark band (拍摄时间, 地点, 案件编号, 调查人员); a small thumbnail beside it. Made once per
(photo, record, variant version) and kept in a derived-files area beside the evidence store (and in
the object store under `derived/` when there is one). The evidence bytes themselves never change and
stay what is sealed and what the dossier carries; display copies are derived and outside the seal."""
from sync_server.display.copies import DisplayCopies, Variant
from sync_server.display.watermark import WatermarkFacts

__all__ = ["DisplayCopies", "Variant", "WatermarkFacts"]
