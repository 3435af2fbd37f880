"""Import pygame(-ce) quietly: its greeting would otherwise land in the kiosk's stdout and logs."""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame
import pygame.freetype

__all__ = ["pygame"]
