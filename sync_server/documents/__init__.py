"""Documents a case leaves as: the survey record PDFs (调查记录表) and the report (附录D)."""
