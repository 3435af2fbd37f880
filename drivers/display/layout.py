"""Where things go on the door screen: pure geometry, no drawing.

Sizes are designed for the official 7" Raspberry Pi screen (800x480) and scale with the smaller of
the two ratios to other screens, so text stays proportionate on 1024x600 or 1920x1080.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.feedback import FaceBox

BASE_SIZE = (800, 480)
LINE_SPACING = 1.18  # line height as a multiple of the font size
SENTENCE_BREAK_COST = 0.15  # accept up to 15 % smaller text to break lines between sentences

Measure = Callable[[str, int], int]  # (text, font size in px) -> width in px


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def center(self) -> tuple[int, int]:
        return (self.x + self.w // 2, self.y + self.h // 2)

    def clip(self, other: Rect) -> Rect | None:
        """The part of this rectangle inside `other`, or None when they do not overlap."""
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Rect(left, top, right - left, bottom - top)


@dataclass(frozen=True)
class PreviewFit:
    """How camera-frame pixels map onto the screen: scaled to cover the area, centred, maybe mirrored."""

    scale: float
    offset_x: float  # screen x of the (possibly mirrored) frame's left edge
    offset_y: float
    frame_width: int
    frame_height: int
    mirror: bool

    @property
    def scaled_size(self) -> tuple[int, int]:
        return (round(self.frame_width * self.scale), round(self.frame_height * self.scale))

    def box(self, box: FaceBox) -> Rect:
        """The face box in screen pixels; mirrored along with the picture."""
        left, right = box.left, box.right
        if self.mirror:
            left, right = self.frame_width - box.right, self.frame_width - box.left
        x0, x1 = self.offset_x + left * self.scale, self.offset_x + right * self.scale
        y0, y1 = self.offset_y + box.top * self.scale, self.offset_y + box.bottom * self.scale
        return Rect(round(x0), round(y0), round(x1 - x0), round(y1 - y0))


def cover_fit(frame_size: tuple[int, int], area: Rect, mirror: bool) -> PreviewFit:
    """Scale the frame to cover `area` completely (cropping the overflow), centred."""
    frame_w, frame_h = frame_size
    scale = max(area.w / frame_w, area.h / frame_h)
    offset_x = area.x + (area.w - frame_w * scale) / 2
    offset_y = area.y + (area.h - frame_h * scale) / 2
    return PreviewFit(scale, offset_x, offset_y, frame_w, frame_h, mirror)


def unit(size: tuple[int, int]) -> float:
    """One design pixel (at 800x480) in screen pixels."""
    return min(size[0] / BASE_SIZE[0], size[1] / BASE_SIZE[1])


def top_bar(size: tuple[int, int]) -> Rect:
    return Rect(0, 0, size[0], round(56 * unit(size)))


def band(size: tuple[int, int], tall: bool) -> Rect:
    """The coloured verdict band at the bottom: tall for a verdict, short for guidance."""
    height = round(size[1] * (0.48 if tall else 0.27))
    return Rect(0, size[1] - height, size[0], height)


@dataclass(frozen=True)
class FittedText:
    size: int  # font size in px
    lines: tuple[str, ...]

    def line_height(self) -> int:
        return round(self.size * LINE_SPACING)


def wrap(text: str, width: int, size: int, measure: Measure) -> tuple[str, ...]:
    """Greedy word wrap; a word wider than `width` gets a line of its own."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and measure(candidate, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return tuple(lines)


def fit_text(text: str, box: Rect, max_size: int, min_size: int, measure: Measure) -> FittedText:
    """The largest font size (down to `min_size`) at which `text`, wrapped, fits inside `box`.

    A break after the sentence ("Terima kasih, Budi." / "Tercatat 07:41") is preferred to a plain
    word wrap unless it costs more than `SENTENCE_BREAK_COST` of the size. At `min_size` the lines
    that still do not fit are dropped and the last one is cut with "...": a name of improbable
    length must not push the verdict off the screen.
    """
    sizes = range(max_size, min_size - 1, -2)
    wrapped = _largest(sizes, lambda size: wrap(text, box.w, size, measure), box, measure)
    by_sentence = _largest(sizes, lambda size: _by_sentence(text), box, measure)
    if by_sentence and (wrapped is None or by_sentence.size >= wrapped.size * (1 - SENTENCE_BREAK_COST)):
        return by_sentence
    if wrapped:
        return wrapped
    return FittedText(min_size, _truncate(wrap(text, box.w, min_size, measure), box, min_size, measure))


def _largest(
    sizes: range, lines_at: Callable[[int], tuple[str, ...]], box: Rect, measure: Measure
) -> FittedText | None:
    for size in sizes:
        lines = lines_at(size)
        if _fits(lines, box, size, measure):
            return FittedText(size, lines)
    return None


def _by_sentence(text: str) -> tuple[str, ...]:
    """Break after the last full stop: "Terima kasih, M. Rizky." above "Tercatat 07:41" reads
    better than a word wrap (the last one, so that an initial in a name is not a break)."""
    head, stop, tail = text.rpartition(". ")
    return (f"{head}.", tail) if stop and head and tail else (text,)


def _fits(lines: Sequence[str], box: Rect, size: int, measure: Measure) -> bool:
    tall_enough = len(lines) * round(size * LINE_SPACING) <= box.h
    return tall_enough and all(measure(line, size) <= box.w for line in lines)


def _truncate(lines: tuple[str, ...], box: Rect, size: int, measure: Measure) -> tuple[str, ...]:
    keep = max(1, box.h // round(size * LINE_SPACING))
    if len(lines) <= keep and all(measure(line, size) <= box.w for line in lines):
        return lines
    last = lines[keep - 1]
    while last and measure(f"{last}...", size) > box.w:
        last = last[:-1]
    return (*lines[: keep - 1], f"{last.rstrip()}...")
