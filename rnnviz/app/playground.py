"""The training playground page's widgets and sections: each draws itself and returns what the page needs.

Wiring only: the tasks and the trainer are rnnviz.playground, the figures rnnviz.figures. The page script
(pages/1_Training_playground.py) calls these top to bottom.
"""

from __future__ import annotations

import streamlit as st

import rnnviz.figures as F  # noqa: N812 - short name for the views
from rnnviz import playground as pg
from rnnviz.app import md_escape
from rnnviz.app.custom_model import HANDOFF_KEY
from rnnviz.dynamics import describe_fixed_points

# Widget keys (the tests import these).
TASK_KEY = "pg_task"
UPLOAD_KEY = "pg_upload"
ARCH_KEY = "pg_arch"
HIDDEN_KEY = "pg_hidden"
LR_KEY = "pg_lr"
STEPS_KEY = "pg_steps"
TRAIN_KEY = "pg_train"
STOP_KEY = "pg_stop"
CURVES_KEY = "pg_curves"
SPACE_KEY = "pg_space"
PATHS_KEY = "pg_paths"
SCRUB_KEY = "pg_snapshot"
EXPLORE_KEY = "pg_explore"
OPEN_MAIN_KEY = "pg_open_main"
EXPLORE_TEXT_KEY = "pg_explore_text"
DOWNLOAD_KEY = "pg_download"
# Session state (not widgets).
TRAINER = "_pg_trainer"
START_ERROR = "_pg_start_error"
LIVE = "_pg_live"  # the live fragment saw the trainer running
SAVED = "_pg_saved"  # the trainer.id whose model is being read here
FIXED = "_pg_fixed"  # (trainer.id, snapshot index) -> fixed points

LIVE_EVERY_S = 0.5
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
STEP_CHOICES = (50, 100, 200, 400, 800, 1500, 3000)
DEFAULT_STEPS = 800
TRAIN_LABEL = "Train a model"
STOP_LABEL = "Stop training"
EXPLORE_LABEL = "Read a sentence with it"
OPEN_MAIN_LABEL = "Open it in the main views"
SPACE_NOTE = (
    "State space: each line is one training example read word by word from s₀, coloured by its label; a marker "
    "shows where it ends (x: misread). The dashed line is the readout's o = 0.5 boundary. With 2 units, the grey "
    "arrows show where one step of the average word moves each state."
)
EXAMPLE_UPLOAD = "1\ta warm , funny film\n0\tdull and far too long\n"


@st.cache_data(max_entries=8, show_spinner=False)
def load_task(name: str, upload: bytes) -> pg.Task:
    return pg.make_task(name, text=upload)  # type: ignore[arg-type]


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displayModeBar": False, "scrollZoom": False})


# -- controls --------------------------------------------------------------------------------------
def task_controls() -> tuple[pg.Task | None, str]:
    """The picked task, or None and a message saying what is wrong with the upload."""
    name = st.selectbox("Task", pg.TASKS, key=TASK_KEY, format_func=lambda t: pg.TASK_TITLES[t])
    st.caption(pg.TASK_NOTES[name])
    upload = b""
    if name == "upload":
        file = st.file_uploader(
            f"A text file, one `label<TAB>sentence` per line (at most {pg.MAX_UPLOAD_BYTES // 1000} kB)",
            type=["txt", "tsv"],
            key=UPLOAD_KEY,
        )
        if file is None:
            return None, "Upload a file to train on, for example:\n\n```\n" + EXAMPLE_UPLOAD + "```"
        upload = file.getvalue()
    try:
        return load_task(name, upload), ""
    except ValueError as exc:
        return None, f"That file cannot be used: {md_escape(str(exc))}"


def task_problem(task: pg.Task | None, problem: str) -> None:
    """An unusable upload is an error; a missing one is a hint."""
    if problem:
        (st.error if task is None and "cannot be used" in problem else st.info)(problem)


def task_examples(task: pg.Task | None) -> None:
    if task is None:
        return
    with st.expander(f"Examples from the task ({len(task.train):,} for training, {len(task.test):,} held out)"):
        st.markdown(
            "\n".join(f"- {md_escape(e.text)} → **{md_escape(task.label_names[e.label])}**" for e in task.train[:6])
        )


def model_controls() -> pg.TrainConfig:
    col_arch, col_hidden, col_lr, col_steps = st.columns([2, 2, 2, 2], vertical_alignment="bottom")
    with col_arch:
        arch = st.segmented_control(
            "Cell", ("rnn", "gru", "lstm"), key=ARCH_KEY, default="rnn", required=True,
            help="rnn: the plain cell s_t = tanh(U x_t + W s_{t-1} + b). gru, lstm: gated cells.",
        )  # fmt: skip
    with col_hidden:
        hidden = st.slider("Hidden units H", 1, pg.MAX_HIDDEN, 2, key=HIDDEN_KEY, help="2 units: drawn on its own axes")
    with col_lr:
        lr = st.select_slider("Learning rate", LEARNING_RATES, 0.01, key=LR_KEY)
    with col_steps:
        steps = st.select_slider("Steps", STEP_CHOICES, DEFAULT_STEPS, key=STEPS_KEY, help="Batches of 32 examples")
    return pg.TrainConfig(arch=arch or "rnn", hidden=hidden, lr=lr, steps=steps)


def start_training(task: pg.Task, config: pg.TrainConfig) -> None:
    """Callback: one training per session; a new one replaces (and stops) the last."""
    old = st.session_state.get(TRAINER)
    if old is not None:
        old.stop()
    st.session_state.pop(START_ERROR, None)
    try:
        st.session_state[TRAINER] = pg.Trainer(task, config).start()
        st.session_state[LIVE] = True
    except pg.BusyError as exc:
        st.session_state[START_ERROR] = str(exc)


def stop_training() -> None:
    trainer = st.session_state.get(TRAINER)
    if trainer is not None:
        trainer.stop()


def run_controls(task: pg.Task | None, config: pg.TrainConfig) -> pg.Trainer | None:
    """Train and Stop buttons; returns this session's trainer (running or ended), if any."""
    trainer = st.session_state.get(TRAINER)
    running = trainer is not None and trainer.running
    with st.container(horizontal=True, gap="small"):
        st.button(
            TRAIN_LABEL, key=TRAIN_KEY, type="primary", icon=":material/play_arrow:",
            disabled=task is None or running, on_click=start_training, args=(task, config),
        )  # fmt: skip
        st.button(STOP_LABEL, key=STOP_KEY, icon=":material/stop:", disabled=not running, on_click=stop_training)
    st.caption(
        f"Each run stops after {pg.MAX_SECONDS:.0f} s at most and uses one CPU thread; this server trains "
        f"{pg.MAX_CONCURRENT} models at a time. Leaving the page stops the run."
    )
    if START_ERROR in st.session_state:
        st.warning(md_escape(st.session_state[START_ERROR]), icon=":material/hourglass_top:")
    return st.session_state.get(TRAINER)


# -- views -----------------------------------------------------------------------------------------
def progress(trainer: pg.Trainer) -> None:
    snaps = trainer.snapshots
    acc = f" · held-out accuracy {snaps[-1].test_accuracy:.0%}" if snaps else ""
    total = trainer.config.steps
    state = "training" if trainer.running else trainer.note
    st.progress(
        min(trainer.step / total, 1.0),
        text=f"Step {trainer.step} of {total} · {trainer.elapsed:.1f} s{acc} · {state}",
    )


def live_section() -> None:
    """Reruns every LIVE_EVERY_S while training: heartbeat, progress, curves, the latest snapshot's state space."""
    trainer: pg.Trainer | None = st.session_state.get(TRAINER)
    if trainer is None:
        return
    trainer.heartbeat()
    if trainer.running:
        progress(trainer)
        snaps = trainer.snapshots
        left, right = st.columns(2, gap="medium")
        with left:
            chart(F.training_curves_figure(snaps, total_steps=trainer.config.steps), CURVES_KEY)
        with right:
            if snaps:
                space = F.training_space_figure(snaps[-1], label_names=trainer.task.label_names)
                chart(space, SPACE_KEY)
        st.caption(SPACE_NOTE + " Fixed points are found once training ends, in the replay.")
    elif st.session_state.pop(LIVE, False):
        st.rerun()  # the run ended: redraw the whole page (replay, explore) and stop the timer


def replay_heading(snap: pg.Snapshot, last_step: int) -> str:
    """What the replay shows: the replayed step's numbers, not the last step's."""
    where = "the end of training" if snap.step == last_step else f"step {snap.step} of {last_step}"
    return f"Replay at {where}: held-out accuracy {snap.test_accuracy:.0%}, training loss {snap.loss:.3f}"


def snapshot_controls(trainer: pg.Trainer) -> tuple[int, bool]:
    """The replayed snapshot's index and whether to draw whole paths."""
    steps = [s.step for s in trainer.snapshots]
    col_slider, col_paths = st.columns([4, 1], vertical_alignment="bottom")
    with col_slider:
        at = st.select_slider(
            "Replay: the model at step", steps, value=steps[-1], key=SCRUB_KEY,
            help="Drag to watch the geometry form, snapshot by snapshot",
        )  # fmt: skip
    with col_paths:
        paths = st.toggle("Whole paths", value=True, key=PATHS_KEY, help="Off: only where each example ends")
    return steps.index(at), paths


def fixed_points(trainer: pg.Trainer, index: int):
    """The snapshot's fixed points, found once per (trainer, snapshot) in this session; None below 2 units."""
    snap = trainer.snapshots[index]
    if snap.H < 2:
        return None
    cache = st.session_state.setdefault(FIXED, {})
    key = (trainer.id, index)  # a uuid: id(trainer) can be reused by the next trainer once this one is freed
    if key not in cache:
        with st.spinner("Finding fixed points…"):
            cache[key] = pg.snapshot_fixed_points(snap)
    return cache[key]


def replay_section(trainer: pg.Trainer) -> None:
    snaps = trainer.snapshots
    if not snaps:
        return
    progress(trainer)
    if trainer.status == "failed":
        st.error(f"Training failed: {md_escape(trainer.error)}")
    index, paths = snapshot_controls(trainer)
    snap = snaps[index]
    fixed = fixed_points(trainer, index)
    st.markdown(f"**{replay_heading(snap, snaps[-1].step)}**")
    left, right = st.columns(2, gap="medium")
    with left:
        curves = F.training_curves_figure(snaps, total_steps=trainer.config.steps, at_step=snap.step)
        chart(curves, CURVES_KEY)
    with right:
        space = F.training_space_figure(snap, fixed_points=fixed, paths=paths, label_names=trainer.task.label_names)
        chart(space, SPACE_KEY)
    found = f" Average word: {md_escape(describe_fixed_points(fixed))}" if fixed is not None else ""
    st.caption(SPACE_NOTE + " Green marks the fixed points of that update." + found)


def explore_section(trainer: pg.Trainer) -> None:
    st.subheader("Use the trained model")
    name, data = pg.checkpoint_file(trainer)
    col_save, col_main, col_download = st.columns(3)
    with col_save:
        if st.button(EXPLORE_LABEL, key=EXPLORE_KEY, icon=":material/travel_explore:",
                     help="Shows the trained model reading a sentence of your choice, here"):  # fmt: skip
            st.session_state[SAVED] = trainer.id  # nothing written on the server: it reads the model in memory
    with col_main:
        if st.button(OPEN_MAIN_LABEL, key=OPEN_MAIN_KEY, icon=":material/open_in_new:",
                     help="The main page adds it to its model picker, for this session only"):  # fmt: skip
            st.session_state[HANDOFF_KEY] = (name, data)
            st.switch_page("streamlit_app.py")
    with col_download:
        st.download_button(
            "Download the model", data=data, file_name=name, mime="application/octet-stream", key=DOWNLOAD_KEY,
            help=f"{name}: an ordinary rnnviz checkpoint, loadable with rnnviz.load_model",
        )  # fmt: skip
    if st.session_state.get(SAVED) != trainer.id:
        st.caption("Shows the trained model reading a sentence of your choice, here.")
        return
    st.info(
        "Download it as an ordinary rnnviz checkpoint (load it in Python with `rnnviz.load_model(path)`), open it "
        "in the main views with the buttons above, or read a sentence with it here:",
        icon=":material/save:",
    )
    default = trainer.task.test[0].text if trainer.task.test else ""
    text = st.text_input("A sentence for the trained model", value=default, key=EXPLORE_TEXT_KEY)
    try:
        tr = pg.trace_text(trainer, text)
    except ValueError as exc:
        st.info(md_escape(str(exc)))
        return
    left, right = st.columns(2)
    with left:
        chart(F.projection(tr), "pg_explore_projection")
    with right:
        chart(F.positivity(tr), "pg_explore_positivity")
    chart(F.unrolled(tr), "pg_explore_unrolled")


def training_sections(trainer: pg.Trainer | None) -> None:
    """While training: the live fragment. Once ended: the replay and the trained model's uses."""
    if trainer is not None and trainer.running:
        st.fragment(live_section, run_every=LIVE_EVERY_S)()
    elif trainer is not None:
        st.session_state.pop(LIVE, None)
        replay_section(trainer)
        explore_section(trainer)
