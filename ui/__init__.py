"""Ops Console Qt application: main window, panes, table models, dialogs, widgets, workers."""
