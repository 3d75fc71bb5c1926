"""The reviewer and township web console, server-rendered in Chinese at /console."""
from sync_server.console.routes import console_router

__all__ = ["console_router"]
