"""The tablet app (核查外勤). Everything here except `views/` is plain Python: no flet imports,
so the view-models run in plain tests."""
