"""Plotly figures of one trace: rolled loop, unrolled chain, state-space projection, positivity so far.

Every builder is a pure function `(trace, step=None, *, ...) -> plotly Figure`. `step` is t in 1..T
(x_1 is the first word); None means T and values outside 1..T are clamped. `compare` is an optional
second trace of the same text (the goldfish run, forget=True) drawn beside the real one.

The hidden-state explorer's builders (dynamics, word effects, anatomy, gates, compare, neuron) take
results of rnnviz.analysis as well; they are exported under their *_figure names only (the short
names are their modules).

Modules: one per view (rolled, unrolled, projection, positivity; the selected step's update with its
numbers in `step` and the shared parameters in `weights`; and the explorer's dynamics, effects,
anatomy, compare, neuron, training); the marks they share (path, step points, selected ring, s_0, word
labels, arrows, text) in `mark`; state-space geometry (planes, axis ranges, readout bands, the o = 0.5
boundary, the corpus cloud) in `space`; colours, escaping and the base layout in `style`.

Click-to-select: every mark that stands for a step (word labels and hidden-state strips in
`unrolled`, word points in `projection`, markers in `positivity`) carries `customdata` whose first
element is that step t (1..T), e.g. `event.selection.points[0]["customdata"][0]`.
"""

from __future__ import annotations

from rnnviz.figures.anatomy import anatomy_figure, gates_figure
from rnnviz.figures.compare import compare_figure
from rnnviz.figures.dynamics import dynamics_figure
from rnnviz.figures.effects import word_effects_figure
from rnnviz.figures.frame import apply_frame, frame_between, step_frames
from rnnviz.figures.neuron import neuron_figure
from rnnviz.figures.positivity import positivity_figure, positivity_spec
from rnnviz.figures.projection import projection_figure, projection_spec
from rnnviz.figures.rolled import rolled_figure, rolled_spec
from rnnviz.figures.space import Plane, plane_for
from rnnviz.figures.step import step_figure, step_spec
from rnnviz.figures.style import BACKGROUND, Spec, figure_from, in_background, jsonable
from rnnviz.figures.training import training_curves_figure, training_space_figure
from rnnviz.figures.unrolled import unrolled_figure, unrolled_spec
from rnnviz.figures.weights import weight_figure, weight_spec

rolled = rolled_figure
unrolled = unrolled_figure
projection = projection_figure
positivity = positivity_figure

# The four views as plain dicts, before any Plotly object exists: cheaper on every keystroke (the
# app's live charts send these); `figure_from(spec)` gives the same figure as the *_figure builder.
SPECS = {"rolled": rolled_spec, "unrolled": unrolled_spec, "projection": projection_spec, "positivity": positivity_spec}

__all__ = [
    "BACKGROUND",
    "SPECS",
    "Plane",
    "Spec",
    "anatomy_figure",
    "apply_frame",
    "compare_figure",
    "dynamics_figure",
    "figure_from",
    "frame_between",
    "gates_figure",
    "in_background",
    "jsonable",
    "neuron_figure",
    "plane_for",
    "positivity",
    "positivity_figure",
    "positivity_spec",
    "projection",
    "projection_figure",
    "projection_spec",
    "rolled",
    "rolled_figure",
    "rolled_spec",
    "step_figure",
    "step_frames",
    "step_spec",
    "training_curves_figure",
    "training_space_figure",
    "unrolled",
    "unrolled_figure",
    "unrolled_spec",
    "weight_figure",
    "weight_spec",
    "word_effects_figure",
]
