"""Cairn's desktop app (PySide6): a thin client of the headless engine.

Modules, one area each: `app` (entry point, wiring), `window` (layout, shortcuts,
banner), `search` and `results` (query, filters, list), `preview` (passage in context),
`ask` (streamed answers with citations), `folders` (folders, progress, pause/resume),
`problems` (files that could not be read), `settings` and `models` (settings dialog and
model checks), `tray`, `welcome` (first launch), `theme` (palette-derived colours),
`files` (open / show in folder), `prefs` (window-only preferences).

Threads: `operation` runs every engine call off the UI thread and brings results back
through signals; `session` owns the read-side connections and `writer` the single
writer. Nothing here is imported by `engine/`.
"""
