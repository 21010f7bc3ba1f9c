"""The browser app for teaching: two regimes side by side, live (``edsim viz``).

Importing this package needs the ``viz`` extra (Solara and Mesa's visualisation); the model
never imports it (DESIGN.md §10). The pure parts (levers, event log, layout, SVG charts) live
in their own modules and import no browser code, so they are usable and testable anywhere.
"""
