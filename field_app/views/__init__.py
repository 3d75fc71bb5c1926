"""Flet views: components that read a view-model and call its methods. The only flet code in the app.
`router.start` sets up one browser session; each screen takes that session's `context.SessionContext`."""
