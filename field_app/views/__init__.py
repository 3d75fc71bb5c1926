"""Flet views: components that read a view-model and call its methods. The only flet code in the app."""
