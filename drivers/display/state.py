"""What the door screen shows now: pure rules over the feedback received so far.

Verdicts (recorded, already recorded, not recognised, not recorded) are held on screen for
`hold_seconds` and replaced only by a newer verdict, so the person walking away still sees theirs.
Guidance (come closer, hold still, ...) is shown while the pipeline keeps repeating it and fades
to idle when it stops. The face box follows the face only while it is fresh: a box from an old
frame would point at where the person was.

Times here are monotonic seconds, never the wall clock: a Pi's clock jumps when NTP syncs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kiosk.feedback import Cue, Feedback

VERDICTS = frozenset({Cue.RECORDED, Cue.ALREADY_RECORDED, Cue.UNKNOWN_USE_FINGERPRINT, Cue.NOT_RECORDED})


@dataclass(frozen=True)
class Timing:
    hold_seconds: float = 3.0  # a verdict stays this long
    guidance_seconds: float = 1.5  # guidance not repeated within this long gives way to idle
    box_seconds: float = 0.6  # a face box older than this is not drawn


@dataclass(frozen=True)
class Received:
    feedback: Feedback
    at: float  # monotonic seconds when the screen received it


@dataclass(frozen=True)
class ScreenState:
    verdict: Received | None = None
    guidance: Received | None = None


def receive(state: ScreenState, feedback: Feedback, now: float) -> ScreenState:
    """The state after `feedback` arrives at monotonic time `now`."""
    if feedback.cue in VERDICTS:
        return ScreenState(verdict=Received(feedback, now), guidance=None)
    if feedback.cue is Cue.IDLE:
        return dataclasses.replace(state, guidance=None)
    return dataclasses.replace(state, guidance=Received(feedback, now))


def visible(state: ScreenState, now: float, timing: Timing) -> Feedback | None:
    """The feedback to draw at `now` (None = idle), without a face box that has gone stale."""
    if state.verdict and now - state.verdict.at < timing.hold_seconds:
        return _fresh_box(state.verdict, now, timing)
    if state.guidance and now - state.guidance.at < timing.guidance_seconds:
        return _fresh_box(state.guidance, now, timing)
    return None


def _fresh_box(received: Received, now: float, timing: Timing) -> Feedback:
    if received.feedback.box is not None and now - received.at >= timing.box_seconds:
        return dataclasses.replace(received.feedback, box=None)
    return received.feedback
