"""Draw the door screen: camera preview, face box, name, clock and the verdict band.

`render()` is a pure function of its arguments (frame, feedback, wall-clock time, language, size):
it returns a new BGR image and touches no display, so it runs the same on a Pi, headless in a
test, or in `kiosk demo`. `render_with_layout()` also returns where everything went, which the
tests check against the pixels.

The screen, top to bottom: a translucent bar with the date and the clock; the camera preview
filling the screen (mirrored by default) with the face box and the person's name; a coloured band
at the bottom with the verdict: green when recorded on time, amber when recorded but late, early
or outside the punch windows, red when not recognised or not recorded, blue for guidance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np

from drivers.display import layout as geo
from drivers.display._pygame import pygame
from drivers.display.layout import FittedText, PreviewFit, Rect
from drivers.display.text import Align, Colour, door_font, draw_lines, measure
from kiosk.feedback import Cue, Feedback
from kiosk.i18n import DoorText, Mark, Tone, describe, format_date, format_time

DEFAULT_SIZE = (800, 480)

# (band colour, ink colour) per tone, RGB. Ink on band meets WCAG AA (>= 4.5:1) in every pair.
PALETTE: dict[Tone, tuple[Colour, Colour]] = {
    Tone.GOOD: ((20, 120, 56), (255, 255, 255)),
    Tone.WARN: ((255, 179, 0), (20, 20, 20)),
    Tone.BAD: ((183, 28, 28), (255, 255, 255)),
    Tone.GUIDE: ((21, 76, 121), (255, 255, 255)),
    Tone.IDLE: ((33, 43, 48), (255, 255, 255)),
}
NO_CAMERA_BACKGROUND: Colour = (18, 24, 28)
TOP_BAR_ALPHA = 170  # the preview shows through the clock bar, dimmed for contrast


@dataclass(frozen=True)
class TextBlock:
    rect: Rect
    fitted: FittedText

    @property
    def text(self) -> str:
        return " ".join(self.fitted.lines)


@dataclass(frozen=True)
class Layout:
    """Where the renderer put each element, in screen pixels."""

    size: tuple[int, int]
    tone: Tone
    top_bar: Rect
    band: Rect
    headline: TextBlock
    detail: TextBlock | None
    label: TextBlock | None
    mark: Rect | None
    date: TextBlock
    clock: TextBlock
    preview: PreviewFit | None  # None when there is no camera frame
    face: Rect | None  # the face box as drawn (may reach under the band or off screen)
    name_tag: TextBlock | None


@dataclass(frozen=True)
class Rendered:
    image: np.ndarray  # BGR, uint8, height x width x 3
    layout: Layout
    text: DoorText


def render(
    frame: np.ndarray | None,
    feedback: Feedback | None,
    now: datetime,
    language: str,
    size: tuple[int, int] = DEFAULT_SIZE,
    mirror: bool = True,
) -> np.ndarray:
    """The door screen as a BGR image of `size` (width, height)."""
    return render_with_layout(frame, feedback, now, language, size, mirror).image


def render_with_layout(
    frame: np.ndarray | None,
    feedback: Feedback | None,
    now: datetime,
    language: str,
    size: tuple[int, int] = DEFAULT_SIZE,
    mirror: bool = True,
) -> Rendered:
    feedback = feedback or Feedback(Cue.IDLE, now)
    text = describe(feedback, language)
    frame_size = None if frame is None else (frame.shape[1], frame.shape[0])
    plan = plan_layout(frame_size, feedback, text, now, language, size, mirror)
    surface = pygame.Surface(size)
    _draw_background(surface, frame, plan)
    _draw_face(surface, plan)
    _draw_top_bar(surface, plan)
    _draw_band(surface, plan, text)
    return Rendered(_to_bgr(surface), plan, text)


def plan_layout(
    frame_size: tuple[int, int] | None,
    feedback: Feedback,
    text: DoorText,
    now: datetime,
    language: str,
    size: tuple[int, int],
    mirror: bool,
) -> Layout:
    """All the geometry and text fitting, without drawing anything."""
    u = geo.unit(size)
    tall = text.mark is not Mark.NONE
    band = geo.band(size, tall)
    top = geo.top_bar(size)
    preview = None if frame_size is None else geo.cover_fit(frame_size, Rect(0, 0, *size), mirror)
    face = preview.box(feedback.box) if preview and feedback.box else None
    mark = _mark_rect(band, u) if tall else None
    label, headline, detail = _band_text(text, band, mark, u, tall)
    date, clock = _top_bar_text(now, language, size, top, band, u, big_clock=preview is None)
    name_tag = _name_tag(feedback.name, face, top, u) if face else None
    return Layout(size, text.tone, top, band, headline, detail, label, mark, date, clock, preview, face, name_tag)


def _mark_rect(band: Rect, u: float) -> Rect:
    pad = round(16 * u)
    side = min(band.h - 2 * pad, round(112 * u))
    return Rect(pad, band.y + (band.h - side) // 2, side, side)


def _block(text: str, box: Rect, largest: int, smallest: int, u: float) -> TextBlock:
    """`text` fitted into `box`, between two font sizes given in design pixels (at 800x480)."""
    return TextBlock(box, geo.fit_text(text, box, round(largest * u), round(smallest * u), measure))


def _band_text(
    text: DoorText, band: Rect, mark: Rect | None, u: float, tall: bool
) -> tuple[TextBlock | None, TextBlock, TextBlock | None]:
    """The small label, the large headline and the detail line, right of the mark."""
    pad = round(16 * u)
    left = mark.right + round(24 * u) if mark else pad * 2
    area = Rect(left, band.y + pad, band.right - left - pad * 2, band.h - 2 * pad)
    label = None
    if tall and text.label:
        label = _block(text.label, Rect(area.x, area.y, area.w, round(26 * u)), 22, 14, u)
        area = Rect(area.x, label.rect.bottom, area.w, area.h - label.rect.h)
    head_h = round(area.h * 0.56) if text.detail else area.h
    headline = _block(text.headline, Rect(area.x, area.y, area.w, head_h), 76 if tall else 52, 26, u)
    if not text.detail:
        return label, headline, None
    detail_box = Rect(area.x, area.y + head_h, area.w, area.h - head_h)
    return label, headline, _block(text.detail, detail_box, 40 if tall else 30, 18, u)


def _top_bar_text(
    now: datetime, language: str, size: tuple[int, int], top: Rect, band: Rect, u: float, big_clock: bool
) -> tuple[TextBlock, TextBlock]:
    """The date on the left of the bar; the clock on its right, or big in the middle without a camera."""
    pad = round(16 * u)
    date = _block(format_date(now.date(), language), Rect(pad, top.y, size[0] // 2 - pad, top.h), 24, 14, u)
    if big_clock:
        return date, _block(format_time(now), Rect(0, top.bottom, size[0], band.y - top.bottom), 150, 30, u)
    return date, _block(format_time(now), Rect(size[0] // 2, top.y, size[0] // 2 - pad, top.h), 36, 18, u)


def _name_tag(name: str, face: Rect, top: Rect, u: float) -> TextBlock | None:
    """The name on a tab above the face box, or just inside its top when the clock bar is in the way."""
    if not name:
        return None
    height = round(34 * u)
    y = face.y - height if face.y - height >= top.bottom else max(face.y, top.bottom)
    tab = Rect(face.x, y, max(face.w, round(160 * u)), height)
    fitted = _block(name, Rect(0, 0, tab.w - round(12 * u), tab.h), 26, 14, u).fitted
    return TextBlock(tab, fitted)


# --- drawing -------------------------------------------------------------------------------------


def _draw_background(surface: pygame.Surface, frame: np.ndarray | None, plan: Layout) -> None:
    if frame is None or plan.preview is None:
        surface.fill(NO_CAMERA_BACKGROUND)
        return
    surface.fill((0, 0, 0))
    picture = _frame_surface(frame, plan.preview)
    surface.blit(picture, (round(plan.preview.offset_x), round(plan.preview.offset_y)))


def _frame_surface(frame: np.ndarray, fit: PreviewFit) -> pygame.Surface:
    """The camera frame (BGR, BGRA or grey) as an RGB surface, scaled and mirrored."""
    codes = {2: cv2.COLOR_GRAY2RGB, 3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}
    channels = 2 if frame.ndim == 2 else frame.shape[2]
    rgb = cv2.cvtColor(np.ascontiguousarray(frame, dtype=np.uint8), codes[channels])
    if fit.mirror:
        rgb = cv2.flip(rgb, 1)
    rgb = cv2.resize(rgb, fit.scaled_size, interpolation=cv2.INTER_LINEAR)
    return pygame.image.frombuffer(rgb.tobytes(), fit.scaled_size, "RGB")


def _draw_face(surface: pygame.Surface, plan: Layout) -> None:
    if plan.face is None:
        return
    u = geo.unit(plan.size)
    band_colour, ink = PALETTE[plan.tone]
    box = plan.face
    pygame.draw.rect(surface, band_colour, pygame.Rect(box.x, box.y, box.w, box.h), width=max(2, round(5 * u)))
    if plan.name_tag:
        tag = plan.name_tag
        pygame.draw.rect(surface, band_colour, pygame.Rect(tag.rect.x, tag.rect.y, tag.rect.w, tag.rect.h))
        inner = Rect(tag.rect.x + round(6 * u), tag.rect.y, tag.rect.w - round(12 * u), tag.rect.h)
        draw_lines(surface, tag.fitted, inner, ink)


def _draw_top_bar(surface: pygame.Surface, plan: Layout) -> None:
    bar = pygame.Surface((plan.top_bar.w, plan.top_bar.h), pygame.SRCALPHA)
    bar.fill((0, 0, 0, TOP_BAR_ALPHA))
    surface.blit(bar, (plan.top_bar.x, plan.top_bar.y))
    white = (255, 255, 255)
    draw_lines(surface, plan.date.fitted, plan.date.rect, white)
    align: Align = "center" if plan.preview is None else "right"
    draw_lines(surface, plan.clock.fitted, plan.clock.rect, white, align)


def _draw_band(surface: pygame.Surface, plan: Layout, text: DoorText) -> None:
    band_colour, ink = PALETTE[plan.tone]
    band = plan.band
    surface.fill(band_colour, pygame.Rect(band.x, band.y, band.w, band.h))
    if plan.mark:
        _draw_mark(surface, plan.mark, text.mark, ink, band_colour)
    if plan.label:
        draw_lines(surface, plan.label.fitted, plan.label.rect, ink)
    draw_lines(surface, plan.headline.fitted, plan.headline.rect, ink)
    if plan.detail:
        draw_lines(surface, plan.detail.fitted, plan.detail.rect, ink)


def _draw_mark(surface: pygame.Surface, where: Rect, mark: Mark, disc: Colour, stroke: Colour) -> None:
    """A disc with a check (recorded) or a cross (not recognised / not recorded)."""
    radius = where.w // 2
    cx, cy = where.center
    pygame.draw.circle(surface, disc, (cx, cy), radius)
    r = radius * 0.5
    if mark is Mark.CHECK:
        strokes = [[(cx - r, cy + r * 0.05), (cx - r * 0.3, cy + r * 0.7), (cx + r, cy - r * 0.6)]]
    else:
        strokes = [
            [(cx - r * 0.8, cy - r * 0.8), (cx + r * 0.8, cy + r * 0.8)],
            [(cx - r * 0.8, cy + r * 0.8), (cx + r * 0.8, cy - r * 0.8)],
        ]
    width = max(3, round(radius * 0.22))
    for points in strokes:
        pygame.draw.lines(surface, stroke, False, points, width)
        for point in points:  # round the joints and ends of the thick strokes
            pygame.draw.circle(surface, stroke, point, width // 2)


def _to_bgr(surface: pygame.Surface) -> np.ndarray:
    width, height = surface.get_size()
    rgb = np.frombuffer(pygame.image.tobytes(surface, "RGB"), dtype=np.uint8).reshape(height, width, 3)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


__all__ = [
    "DEFAULT_SIZE",
    "PALETTE",
    "Layout",
    "Rendered",
    "TextBlock",
    "door_font",
    "plan_layout",
    "render",
    "render_with_layout",
]
