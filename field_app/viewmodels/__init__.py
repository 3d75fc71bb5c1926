"""View-models: plain Python state and logic behind each screen. No flet here; views read the
attributes, call the methods, and `subscribe` to re-render (one subscription per browser session)."""
from field_app.viewmodels.cases import CaseList, VisitSummary
from field_app.viewmodels.outbox import SyncPanel
from field_app.viewmodels.team import Member, TeamSession
from field_app.viewmodels.visit import VisitEditor

__all__ = ["CaseList", "Member", "SyncPanel", "TeamSession", "VisitEditor", "VisitSummary"]
