"""The page's state in one frozen dataclass, and every change to it as a pure transition.

Plain Python (no streamlit), tested without a server. The Streamlit script keeps one PageState per
session (rnnviz.app.session); its widgets (text box, model picker, goldfish switch, step slider) show
the fields of the same names. A transition returns a new state and never reads a clock: callers pass `now`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rnnviz.app.custom_model import CUSTOM_MODEL
from rnnviz.app.keys import DEFAULT_MODEL, MAX_TEXT_CHARS
from rnnviz.app.params import PARAM_ADVANCED, PARAM_TOUR, clamp_step, parse_advanced, parse_params
from rnnviz.app.presets import DEFAULT_TEXT
from rnnviz.app.tour import TOUR, parse_tour
from rnnviz.checkpoint import SHIPPED

if TYPE_CHECKING:
    from rnnviz.app.custom_model import CustomModel


@dataclass(frozen=True)
class Drawn:
    """What the previous run showed: a step at the end stays at the end while the sentence changes."""

    model: str
    text: str
    n_steps: int  # T
    step: int


Weights = tuple[tuple[float, ...], ...]  # a small matrix as rows of plain floats: rnn-2's W is ((w11, w12), (w21, w22))


def rows_of(matrix: Sequence[Sequence[float]]) -> Weights:
    """A small matrix (nested lists, e.g. an array's .tolist()) as a tuple of rows of plain floats."""
    return tuple(tuple(float(v) for v in row) for row in matrix)


@dataclass(frozen=True)
class Touched:
    """A model's loop weight W and input scale as this reader set them: this session's only, never in a link."""

    model: str  # the model they were set on (they apply to it alone)
    W: Weights  # (H, H) rows
    input_scale: float = 1.0  # what U x_t is multiplied by


@dataclass(frozen=True)
class Nudge:
    """s_t at one step set by hand (the projection's handle): the rest of the sentence is read on from it."""

    model: str
    text: str
    step: int
    state: tuple[float, ...]  # (H,), each in [-1, 1] (where tanh puts a plain RNN's units)


@dataclass(frozen=True)
class PageState:
    """Everything the page remembers between runs, for one reader."""

    text: str = DEFAULT_TEXT
    model: str = DEFAULT_MODEL
    goldfish: bool = False
    step: int | None = None  # the selected step t; None: the last word
    playing: bool = False  # the page plays the words in the browser, from `step` on (rnnviz.app.live_charts)
    play_started: float = 0.0  # when Play was pressed (time.monotonic): names this play to the browser
    link_step: int | None = None  # the link's or the tour's step: wins once, until the views have shown it
    tour: int | None = None  # the open tour step, 1..len(TOUR)
    notes: tuple[str, ...] = ()  # about an odd link, shown until the reader changes the text or model
    notes_for: tuple[str, str] | None = None  # (text, model) the notes are about
    drawn: Drawn | None = None
    own: CustomModel | None = None  # this session's own model, never shared with other sessions
    own_file: str | None = None  # the upload it came from (file_id)
    own_error: str | None = None  # why the last upload could not be used
    touched: Touched | None = None  # W and the input scale as the reader set them (None: the trained weights)
    advanced: bool = False  # the expert terms (principal components, Jacobian, ...) are shown
    compare: str | None = None  # a second shipped model reading the same sentence (None: "Compare with" is off)
    nudge: Nudge | None = None  # s_t set by hand in the projection (shown while text, model and step are its own)

    # -- opening the page --------------------------------------------------------------------------
    @classmethod
    def from_link(cls, params: Mapping[str, str | list[str]]) -> PageState:
        """The state a link's query parameters ask for, with a note for each odd one (?tour=N wins)."""
        view, notes = parse_params(params)
        tour_step, tour_notes = parse_tour(params.get(PARAM_TOUR))
        state = cls(
            text=view.text,
            model=view.model,
            goldfish=view.goldfish,
            link_step=view.step,
            notes=(*notes, *tour_notes),
            advanced=parse_advanced(params.get(PARAM_ADVANCED)),
            compare=view.compare,
        )
        return state.tour_opened(tour_step) if tour_step is not None else state

    # -- the controls ------------------------------------------------------------------------------
    def with_controls(self, text: str | None, model: str | None, goldfish: bool | None, step: int | None) -> PageState:
        """The values the widgets hold now (None: a widget not drawn yet keeps the state's value)."""
        return replace(
            self,
            text=self.text if text is None else text,
            model=self.model if model is None else model,
            goldfish=self.goldfish if goldfish is None else bool(goldfish),
            step=step,
        )

    def typed(self, text: str) -> PageState:
        """The text box changed; a paste longer than it holds keeps its start."""
        return replace(self, text=text[:MAX_TEXT_CHARS])

    def model_picked(self, model: str) -> PageState:
        return replace(self, model=model)

    def goldfish_switched(self, goldfish: bool) -> PageState:
        return replace(self, goldfish=bool(goldfish))

    def advanced_switched(self, advanced: bool) -> PageState:
        """The advanced switch: the expert terms and the explorer come (on) or go (off); nothing else changes."""
        return replace(self, advanced=bool(advanced))

    def compare_picked(self, model: str | None) -> PageState:
        """ "Compare with": a second model reads the same sentence (None or "": off); the step and text stay."""
        return replace(self, compare=model if model in SHIPPED else None)

    def preset_picked(self, text: str) -> PageState:
        """A preset sentence: shown whole (at its last word), not playing."""
        return replace(self, text=text[:MAX_TEXT_CHARS], step=None, playing=False)

    def step_picked(self, step: int | None) -> PageState:
        """The slider, or a click on a word or point; a click that names no step changes nothing."""
        if step is None:
            return self
        return replace(self, step=max(1, int(step)), playing=False)

    # -- play --------------------------------------------------------------------------------------
    def play_toggled(self, n_steps: int, now: float) -> PageState:
        """Play from the first word when at the end (or on the whole sentence), or pause.

        The browser moves the words on by itself and reports the step it shows when it stops or is paused
        (step_picked, which also ends play).
        """
        if self.playing:
            return replace(self, playing=False)
        at_end = (self.step or n_steps) >= n_steps
        return replace(self, playing=n_steps >= 2, step=1 if at_end else self.step, play_started=now)

    # -- the guided tour ---------------------------------------------------------------------------
    def tour_opened(self, n: int) -> PageState:
        """Open tour step n (1-based, clamped to the tour) and set the views up for it."""
        n = max(1, min(int(n), len(TOUR)))
        tour = TOUR[n - 1]
        return replace(
            self,
            tour=n,
            text=tour.text,
            model=tour.model,
            goldfish=tour.goldfish,
            step=tour.step,
            link_step=tour.step,  # wins over "stay at the end while the sentence changes"
            playing=False,
            touched=None,  # the tour tells what the trained model does
            compare=tour.compare,
        )

    def tour_next(self) -> PageState:
        """Next, or Done on the last step (closes the tour)."""
        if self.tour is None or self.tour >= len(TOUR):
            return self.tour_closed()
        return self.tour_opened(self.tour + 1)

    def tour_back(self) -> PageState:
        return self.tour_opened(self.tour - 1) if self.tour and self.tour > 1 else self

    def tour_closed(self) -> PageState:
        return replace(self, tour=None)

    # -- your own model ----------------------------------------------------------------------------
    def own_model_adopted(self, own: CustomModel) -> PageState:
        """An upload or the playground's model was checked and loaded: it joins the picker, picked."""
        return replace(self, own=own, own_error=None, model=CUSTOM_MODEL)

    def own_model_refused(self, why: str) -> PageState:
        return replace(self, own_error=why)

    def upload_seen(self, file_id: str | None) -> PageState:
        """The uploader holds `file_id` (None: emptied). Emptied: its error goes, and so does its model."""
        if file_id is not None:
            return replace(self, own_file=file_id)
        if self.own_file is None:
            return self
        own = None if getattr(self.own, "source", None) == "upload" else self.own
        return replace(self, own_file=None, own_error=None, own=own)

    def own_model_checked(self) -> PageState:
        """Without an own model, "yours" in the picker falls back to the default model."""
        return replace(self, model=DEFAULT_MODEL) if self.own is None and self.model == CUSTOM_MODEL else self

    # -- touching the model's weights (rnn-2) -----------------------------------------------------------
    @property
    def edit(self) -> Touched | None:
        """The weights the reader set on the model shown now (None: it runs on its trained weights)."""
        return self.touched if self.touched is not None and self.touched.model == self.model else None

    def _touched(self, trained: Weights, w: Weights | None = None, input_scale: float | None = None) -> PageState:
        """W and the input scale changed from what is shown now; back to exactly the trained ones, the edit goes."""
        trained = rows_of(trained)
        now = self.edit or Touched(self.model, trained)
        w = now.W if w is None else rows_of(w)
        scale = now.input_scale if input_scale is None else input_scale
        if not all(math.isfinite(v) for v in (scale, *(v for row in w for v in row))):
            return self
        if w == trained and scale == 1.0:
            return replace(self, touched=None)
        return replace(self, touched=Touched(self.model, w, scale))

    def set_w(self, i: int, j: int, value: float, trained: Weights) -> PageState:
        """One entry W[i][j] set by hand (the others as they are: the trained ones until changed)."""
        w = (self.edit or Touched(self.model, rows_of(trained))).W
        return self._touched(trained, w=tuple(tuple(value if (r, c) == (i, j) else v for c, v in enumerate(row))
                                              for r, row in enumerate(w)))  # fmt: skip

    def set_input_scale(self, value: float, trained: Weights) -> PageState:
        """U x_t multiplied by `value` (1: as trained; 0: the words are not heard)."""
        return self._touched(trained, input_scale=float(value))

    def zero_w(self, trained: Weights) -> PageState:
        """The "W = 0" preset: no loop weight, so s_{t-1} never reaches s_t (the goldfish); the input scale stays."""
        return self._touched(trained, w=tuple(tuple(0.0 for _ in row) for row in trained))

    def reset_w(self) -> PageState:
        """Back to the trained weights (W and the input scale)."""
        return replace(self, touched=None)

    # -- nudging s_t by hand (the projection's handle) ------------------------------------------------------
    def nudged(self, step: int, state: Sequence[float]) -> PageState:
        """The reader left the handle on s_t at `state` on step t: that step is shown, read on from there.

        Each unit is kept in [-1, 1], where tanh puts them; a state that is not all finite numbers changes nothing.
        """
        values = tuple(float(v) for v in state)
        if not values or not all(math.isfinite(v) for v in values):
            return self
        clamped = tuple(max(-1.0, min(1.0, v)) for v in values)
        return replace(self, nudge=Nudge(self.model, self.text, max(1, int(step)), clamped), step=max(1, int(step)),
                       playing=False)  # fmt: skip

    def nudge_reset(self) -> PageState:
        """Back to the real s_t."""
        return replace(self, nudge=None)

    @property
    def nudge_shown(self) -> Nudge | None:
        """The nudge to draw now: only on its own text, model and step, and not while playing."""
        n = self.nudge
        if n is None or self.playing or (n.model, n.text, n.step) != (self.model, self.text, self.step):
            return None
        return n

    # -- a run of the page -------------------------------------------------------------------------
    def step_fitted(self, n_steps: int) -> PageState:
        """The step to show for a sentence of n_steps words (step becomes an int in 1..T).

        The link's (or tour's) step first, with a note when it is past the end; otherwise the reader's
        step, except that a step at the end stays at the end while the sentence or model changes.
        """
        if self.link_step is not None:
            notes = self.notes
            if self.link_step > n_steps:
                note = f"The link's step {self.link_step} is past the last word ({n_steps}); showing the last word."
                notes = notes if note in notes else (*notes, note)
            return replace(self, step=clamp_step(self.link_step, n_steps), notes=notes)
        step, last = self.step, self.drawn
        if last is not None and (last.model, last.text) != (self.model, self.text) and last.step == last.n_steps:
            step = None
        return replace(self, step=clamp_step(step, n_steps))

    def step_shown(self, step: int, n_steps: int) -> PageState:
        """The step controls showed `step` of n_steps: remembered for the next run."""
        return replace(self, step=step, drawn=Drawn(self.model, self.text, n_steps, step))

    def link_shown(self) -> PageState:
        """The views have drawn the link's (or tour's) step; from now on the reader's step counts."""
        return replace(self, link_step=None)

    def link_notes(self) -> tuple[PageState, tuple[str, ...]]:
        """The notes about the link to show now: kept while the text and model are the link's, then dropped.

        Runs that change neither (the URL being tidied, a click) keep them.
        """
        seen = self.notes_for or (self.text, self.model)
        if seen == (self.text, self.model):
            return replace(self, notes_for=seen), self.notes
        return replace(self, notes_for=seen, notes=()), ()
