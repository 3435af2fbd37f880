"""Text on the door screen, with the font that ships inside pygame-ce.

pygame-ce's wheel (and Debian's python3-pygame) carries FreeSansBold, so a fresh Debian or a
Raspberry Pi needs no font download or apt package: `Font(None)` loads it. A bold sans-serif is
also what reads best from a metre away.
"""

from __future__ import annotations

import functools
from typing import Literal

from drivers.display._pygame import pygame
from drivers.display.layout import FittedText, Rect

Colour = tuple[int, int, int]
Align = Literal["left", "center", "right"]


@functools.cache
def door_font() -> pygame.freetype.Font:
    """The one font of the screen, positioned by baseline (origin mode) so lines align."""
    pygame.freetype.init()
    font = pygame.freetype.Font(None)
    font.origin = True
    font.pad = False
    return font


@functools.lru_cache(maxsize=4096)
def measure(text: str, size: int) -> int:
    """Width in pixels of `text` at font size `size`."""
    return door_font().get_rect(text, size=size).width


def draw_lines(surface: pygame.Surface, fitted: FittedText, box: Rect, colour: Colour, align: Align = "left") -> None:
    """Draw the fitted lines, vertically centred in `box`."""
    font = door_font()
    line_height = fitted.line_height()
    top = box.y + (box.h - line_height * len(fitted.lines)) // 2
    baseline = top + round(font.get_sized_ascender(fitted.size) * 0.92)
    for index, line in enumerate(fitted.lines):
        x = _aligned_x(line, fitted.size, box, align)
        font.render_to(surface, (x, baseline + index * line_height), line, colour, size=fitted.size)


def _aligned_x(line: str, size: int, box: Rect, align: Align) -> int:
    if align == "left":
        return box.x
    width = measure(line, size)
    return box.x + (box.w - width) // 2 if align == "center" else box.right - width
