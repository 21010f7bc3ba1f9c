"""Commands for the classroom: viz (the browser app) and animate (a GIF for slides)."""

from __future__ import annotations
