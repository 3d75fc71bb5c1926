"""A case after intake: sealed records merged into it (`merge.decide` is pure, `ingest` applies it),
the review checklist, re-verification rounds, seal verdicts, working-day deadlines, each case's
summary row, and the case lists (`reviewer_list` for the console, `device_order` for the tablets'
paging, `case_wire` for the wire views)."""
