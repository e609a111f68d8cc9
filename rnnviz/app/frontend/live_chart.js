// The browser half of rnnviz/app/live_charts.py: one plotly.js plot per view, updated in place.
// Streamlit calls `draw` with fresh `data` ({src, module, figure, config, step, play}) on every run of the
// script; src and module are relative to the app's base URL. `play` ({token, start, interval_ms, frames}),
// sent while the page plays, holds the view's frame for every step t (rnnviz/figures/frame.py): the page
// then moves every chart on by itself, on one shared clock, with no run of the script per word.
// Pointing at a shared weight's label (U, W or V) lights that weight in every view of the page; dragging the
// projection's handle on s_t reports the state to the script ('nudge'), which draws the sentence read on from it.
// `readout` ({words, outputs, n_steps, step}) instead of a figure: t, x_t and o_t of the step shown, moved on with them.

const loading = {};

// The charts' styles, put on the page once (the script sends no css with each chart; see live_charts.py).
const STYLES = `
.rnnviz-chart { width: 100%; }
.rnnviz-stack { position: relative; }
.rnnviz-stack > .rnnviz-chart { position: relative; z-index: 1; }
.rnnviz-stack > .rnnviz-chart-bg { position: absolute; top: 0; left: 0; width: 100%; z-index: 0; pointer-events: none; }
.rnnviz-chart-error, .rnnviz-chart-loading { font-size: 0.9rem; opacity: 0.8; margin: 0.5rem 0; }
.rnnviz-readout { box-sizing: border-box; height: 68px; padding-top: 22px; } /* as tall as the slider */
.rnnviz-readout-bar { height: 4px; border-radius: 2px; background: rgba(140,140,140,0.25); margin-top: 0.35rem; }
.rnnviz-readout-bar > div { height: 100%; border-radius: 2px; background: #CC79A7; transition: width 0.3s ease-out; }
`;
if (!document.getElementById('rnnviz-live-chart-styles')) {
  const style = document.createElement('style');
  style.id = 'rnnviz-live-chart-styles';
  style.textContent = STYLES;
  document.head.appendChild(style);
}
// The app's base URL: this module is served at <base>component/<name>/live_chart.js.
const BASE = import.meta.url.slice(0, import.meta.url.lastIndexOf('component/'));

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[src]) {
    loading[src] = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL(src, BASE).href;
      script.async = true;
      script.onload = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error('plotly.js did not load')));
      script.onerror = () => {
        delete loading[src];
        reject(new Error('could not load plotly.js'));
      };
      document.head.appendChild(script);
    });
  }
  return loading[src];
}

function rgba(color, alpha) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Streamlit's own look for Plotly (what theme="streamlit" does), from the CSS variables Streamlit
// gives every component, as a template: whatever the figure sets itself wins. Read on every draw,
// so a switch between light and dark follows on the next update.
function streamlitTemplate(el) {
  const css = getComputedStyle(el);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const text = v('--st-text-color', css.color);
  const faded = rgba(text, 0.6);
  const grid = rgba(text, 0.12);
  const font = v('--st-font', css.fontFamily);
  const axis = {
    gridcolor: grid, zerolinecolor: grid, tickcolor: grid, linecolor: grid,
    tickfont: {color: faded}, title: {font: {color: faded}},
  };
  return {layout: {
    font: {family: font, color: faded, size: 12},
    title: {font: {family: v('--st-heading-font', font), color: v('--st-heading-color', text), size: 14, weight: 600}},
    xaxis: Object.assign({showgrid: false, zeroline: false}, axis),
    yaxis: axis,
    legend: {font: {color: faded}},
    hoverlabel: {
      bgcolor: v('--st-background-color', 'white'), bordercolor: v('--st-border-color', grid),
      font: {family: font, color: text},
    },
  }};
}

function bindClicks(gd, setTriggerValue) {
  gd.on('plotly_click', (event) => {
    const point = event && event.points && event.points[0];
    if (!point || point.customdata === undefined || point.customdata === null) return;
    const custom = Array.isArray(point.customdata) ? point.customdata[0] : point.customdata;
    const step = Number(custom);
    if (Number.isInteger(step)) setTriggerValue('step', step);
  });
}

// A line of text above the plot: kind 'loading' (a status) or 'error' (an alert); no message removes it.
function showNote(parent, kind, message) {
  const cls = 'rnnviz-chart-' + kind;
  let note = parent.querySelector('.' + cls);
  if (!message) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = document.createElement('p');
    note.className = cls;
    note.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    parent.insertBefore(note, parent.querySelector('.rnnviz-stack'));
  }
  note.textContent = message;  // text, never markup
}

// The plot area of a drawn plot, as margins another plot of the same size can take to line up with it.
function marginsOf(plot) {
  const s = plot._fullLayout._size;
  return {l: s.l, r: s.r, t: s.t, b: s.b, pad: s.p, autoexpand: false};
}

function sameMargins(a, b) {
  return !!a && !!b && ['l', 'r', 't', 'b', 'pad'].every((k) => Math.abs(a[k] - b[k]) < 0.5);
}

// The figure's first `n` traces (those that do not change while the reader types) go to a plot of their
// own under the chart, with the axes, legend and grid; it is redrawn only when it changes. The chart on top
// draws the rest on the same plot area, with the title and without the axes' decorations.
// With n = 0 there is no background: the chart draws the whole figure.
function splitLayers(fig, n, template) {
  if (n === 0) return {back: null, front: {data: fig.data, layout: Object.assign({}, fig.layout, {template})}};
  const back = {
    data: fig.data.slice(0, n),
    // Shapes follow the step (the selected copy, the handle on s_t): the chart on top draws them, so the
    // background stays the same while the reader types or plays.
    layout: Object.assign({}, fig.layout, {title: {text: ''}, template, hovermode: false, shapes: []}),
  };
  const layout = Object.assign({}, fig.layout, {template, showlegend: false});
  for (const name of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(name)) {
      layout[name] = Object.assign({}, layout[name], {
        showticklabels: false, showgrid: false, zeroline: false, showline: false, ticks: '', title: {text: ''},
      });
    }
  }
  return {back, front: {data: fig.data.slice(n), layout}};
}

async function drawBackground(Plotly, stack, gd, back, config) {
  let bg = stack.querySelector('.rnnviz-chart-bg');
  if (!back) {
    if (bg) {
      Plotly.purge(bg);
      bg.remove();
    }
    return null;
  }
  if (!bg) {
    bg = document.createElement('div');
    bg.className = 'rnnviz-chart-bg';
    bg.setAttribute('aria-hidden', 'true');  // the chart on top carries what a reader needs
    stack.appendChild(bg);  // after the chart: the page's first plot in this view stays the one that changes
  }
  const key = JSON.stringify(back);
  if (bg.__rnnvizKey !== key) {
    bg.__rnnvizKey = key;
    await Plotly.react(bg, back.data, back.layout, Object.assign({}, config, {staticPlot: true}));
    if (!bg.__rnnvizBound) {
      bg.__rnnvizBound = true;
      // A resize can reflow the legend and move the plot area: the chart on top follows.
      bg.on('plotly_afterplot', () => {
        const margin = marginsOf(bg);
        if (gd._fullLayout && !sameMargins(gd._fullLayout.margin, margin)) Plotly.relayout(gd, {margin});
      });
    }
  }
  return marginsOf(bg);
}

// The backgrounds this page was sent, by hash (the script sends a chart's background only when it changes).
function backgrounds() {
  if (!window.__rnnvizBackgrounds) window.__rnnvizBackgrounds = new Map();
  return window.__rnnvizBackgrounds;
}
const BACKGROUNDS_KEPT = 32;

// The data with its whole figure: a background sent by hash alone comes from what the page keeps.
// Null if the page does not hold it (the script is asked to send it again).
const whole = new WeakMap();
function withBackground(data, setTriggerValue) {
  if (!data.background_hash) return data;
  if (whole.has(data)) return whole.get(data);
  const kept = backgrounds();
  const hash = data.background_hash;
  let out = data;
  if (data.background_sent) {
    kept.delete(hash);
    kept.set(hash, data.figure.data.slice(0, data.background));
    while (kept.size > BACKGROUNDS_KEPT) kept.delete(kept.keys().next().value);
  } else if (kept.has(hash)) {
    const back = kept.get(hash);
    kept.delete(hash);
    kept.set(hash, back);  // the most recently used is kept longest
    out = Object.assign({}, data, {figure: Object.assign({}, data.figure, {data: back.concat(data.figure.data)})});
  } else {
    setTriggerValue('background', hash);
    out = null;
  }
  whole.set(data, out);
  return out;
}

// Whether the text box already holds newer text than the run that sent `data` drew: a run for it is on its way
// (the box commits every change at once), so drawing this one would only delay that one.
function stale(data) {
  const t = data.text;
  if (!t) return false;
  const box = document.querySelector(`.st-key-${t.key} textarea, .st-key-${t.key} input`);
  return !!box && textHash(box.value) !== t.hash;
}

// FNV-1a (32 bits) of a string's UTF-16 code units, in hex (rnnviz/app/live_charts.py text_hash: the same).
function textHash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}
const STALE_WAIT_MS = 1500;  // a stale draw waits at most this long for the newer run (then draws anyway)

// The next frame the browser paints, or soon if it paints none (a tab in the background).
function nextFrame() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// The figures this page was sent whole, by hash: the script sends later ones as patches on them (rnnviz/app/patch.py).
function keyframes() {
  if (!window.__rnnvizKeyframes) window.__rnnvizKeyframes = new Map();
  return window.__rnnvizKeyframes;
}
const KEYFRAMES_KEPT = 32;

// `old` with a patch applied (rnnviz/app/patch.py's apply): ["v", value], ["d", {key: patch}, [removed]],
// ["l", {index: patch}], ["t", k, tail]. `old` is not changed.
function applyPatch(old, patch) {
  const [kind, a, b] = patch;
  if (kind === 'v') return a;
  if (kind === 'd') {
    const out = Object.assign({}, old);
    for (const key of b) delete out[key];
    for (const [key, p] of Object.entries(a)) out[key] = applyPatch(old ? old[key] : undefined, p);
    return out;
  }
  if (kind === 'l') {
    const out = old.slice();
    for (const [i, p] of Object.entries(a)) out[+i] = applyPatch(old[+i], p);
    return out;
  }
  if (kind === 't') return old.slice(0, a).concat(b);
  throw new Error('not a figure patch: ' + kind);
}

// The data with its figure whole: a patch is applied to a copy of the keyframe it was made on, and a background
// sent with it goes in front (as withBackground expects). Null if the page does not hold that keyframe (the
// script is asked to send the figure whole).
const patched = new WeakMap();
function withFigure(data, setTriggerValue) {
  if (!data.keyframe) return data;
  if (patched.has(data)) return patched.get(data);
  const kept = keyframes();
  let figure = data.figure;
  let {src, config} = data;  // plotly.js and its config come with the keyframe
  if (!data.patch) {
    kept.delete(data.keyframe);
    // a copy: drawing may add to the figure it is given
    kept.set(data.keyframe, {figure: structuredClone(figure), src, config});
    while (kept.size > KEYFRAMES_KEPT) kept.delete(kept.keys().next().value);
  } else if (kept.has(data.keyframe)) {
    const base = kept.get(data.keyframe);
    kept.delete(data.keyframe);
    kept.set(data.keyframe, base);  // the most recently used is kept longest
    figure = applyPatch(structuredClone(base.figure), data.patch);
    ({src, config} = base);
  } else {
    setTriggerValue('keyframe', data.keyframe);
    patched.set(data, null);
    return null;
  }
  if (data.back) figure = Object.assign({}, figure, {data: data.back.concat(figure.data)});
  const out = Object.assign({}, data, {figure, src, config});
  patched.set(data, out);
  return out;
}

// `received`: the component's data, decoded by the component's own script (it comes as JSON bytes).
export default function draw(component, received) {
  const {parentElement, setTriggerValue} = component;
  const whole = withFigure(received, setTriggerValue);
  if (!whole) return;  // the script sends the figure whole, and a run that draws it
  const data = withBackground(whole, setTriggerValue);
  if (!data) return;  // the script sends the background, and a run that draws it
  if (data.readout) {
    drawReadout(parentElement, data.readout);
    return;
  }
  let gd = parentElement.querySelector('.rnnviz-chart');
  if (!gd) {
    const stack = document.createElement('div');
    stack.className = 'rnnviz-stack';
    gd = document.createElement('div');
    gd.className = 'rnnviz-chart';
    stack.appendChild(gd);
    parentElement.appendChild(stack);
    showNote(parentElement, 'loading', 'Loading the chart…');  // until plotly.js has arrived and drawn (a first visit fetches 1.5 MB)
  }
  gd.__rnnviz = {data, setTriggerValue};
  if (!player().adopt(gd, data)) return;  // paused here: the chart keeps the step it shows until the page agrees
  schedule(gd, parentElement);
}

// Draw the chart's newest data soon, once (a draw on its way draws the newest data when it gets there).
function schedule(gd, parentElement) {
  if (gd.__rnnvizPending) return;
  gd.__rnnvizPending = true;
  gd.__rnnvizSince = performance.now();
  loadPlotly(gd.__rnnviz.data.src)
    .then(async (Plotly) => {
      // Draw in the next frame, the newest data by then; skip data a newer run is on its way to replace.
      await nextFrame();
      // A chart that shows no step (the explainer's, under the views) draws a frame after the views, so the views
      // are painted first, and only while it is in sight or near it: typing above it spends no plotly.js time on a
      // chart nobody sees (nor does a tab not shown); it draws its newest data as it comes into sight.
      if (gd.__rnnviz.data.step === undefined) {
        await nextFrame();
        watchSight(gd, () => schedule(gd, parentElement));
        if (gd.__rnnvizSeen === undefined) await nextFrame();  // the observer's first report
        if (gd.__rnnvizSeen === false) {
          gd.__rnnvizDeferred = true;
          return;
        }
      }
      while (stale(gd.__rnnviz.data) && performance.now() - gd.__rnnvizSince < STALE_WAIT_MS) {
        gd.__rnnvizSkipped = (gd.__rnnvizSkipped || 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      return drawLatest(Plotly, gd);
    })
    .then(() => {
      showNote(parentElement, 'loading', null);  // plotly.js is here (a chart out of sight draws as it comes in)
      showNote(parentElement, 'error', null);
    })
    .catch((err) => {
      showNote(parentElement, 'loading', null);
      showNote(parentElement, 'error', 'This chart could not be drawn (' + err.message + '). Reload the page to try again.');
    })
    .finally(() => {
      gd.__rnnvizPending = false;
    });
}

// Whether a chart is in sight (or within SIGHT_MARGIN of it): gd.__rnnvizSeen, kept by one observer per chart, which
// calls `redraw` when a chart that skipped a draw comes into sight.
const SIGHT_MARGIN = '300px';
function watchSight(gd, redraw) {
  if (gd.__rnnvizSight || typeof IntersectionObserver === 'undefined') return;
  gd.__rnnvizSight = new IntersectionObserver((entries) => {
    gd.__rnnvizSeen = entries[entries.length - 1].isIntersecting;
    if (gd.__rnnvizSeen && gd.__rnnvizDeferred) {
      gd.__rnnvizDeferred = false;
      redraw();
    }
  }, {rootMargin: SIGHT_MARGIN});
  gd.__rnnvizSight.observe(gd.parentElement.parentElement);  // the component: it keeps its height meanwhile
}

// Draw the newest data the chart was given (at the step the player shows), again if newer came while it drew.
async function drawLatest(Plotly, gd) {
  let drawn = null;
  let step = null;
  while (drawn !== gd.__rnnviz.data || step !== player().stepFor(gd)) {
    drawn = gd.__rnnviz.data;
    step = player().stepFor(gd);
    await drawFigure(Plotly, gd, figureAt(gd, step), drawn);
    gd.__rnnvizShown = step;
    if (!gd.__rnnvizBound) {
      gd.__rnnvizBound = true;
      bindClicks(gd, (name, value) => gd.__rnnviz.setTriggerValue(name, value));
      bindWeights(gd);
      bindNudge(gd);
    }
    if (player().lit) relight(Plotly, gd);
  }
}

async function drawFigure(Plotly, gd, figure, data) {
  const el = gd.parentElement.parentElement;
  const template = streamlitTemplate(el);
  const {back, front} = splitLayers(themedShapes(fitted(figure, el), el), data.background || 0, template);
  const margin = await drawBackground(Plotly, gd.parentElement, gd, back, data.config);
  if (margin) front.layout.margin = margin;
  gd.__rnnvizShapes = front.layout.shapes || [];  // what the figure draws; lit weights are drawn over these
  // The projection's handle on s_t (its one shape) moves with the mouse: the reader drags it (bindNudge).
  const drag = gd.__rnnvizShapes.some((s) => s.name === NUDGE);
  const config = drag ? Object.assign({}, data.config, {edits: {shapePosition: true}}) : data.config;
  await Plotly.react(gd, front.data, front.layout, config);
}

// A figure too wide for a phone says what to leave out below a width (layout.meta.narrow: {below, layout, hide}):
// layout keys merged over its own, and the traces drawn on axis `hide` left out (rnnviz/figures/step.py's plane).
function fitted(figure, el) {
  const narrow = figure.layout && figure.layout.meta && figure.layout.meta.narrow;
  if (!narrow || el.clientWidth >= narrow.below) return figure;
  const layout = Object.assign({}, figure.layout);
  for (const [k, v] of Object.entries(narrow.layout || {})) layout[k] = Object.assign({}, layout[k], v);
  const data = (figure.data || []).map((d) => (d.xaxis === narrow.hide ? Object.assign({}, d, {visible: false}) : d));
  return Object.assign({}, figure, {data, layout});
}

// The veil over the unrolled chain's copies still to come takes the page's own background (light or dark).
function themedShapes(figure, el) {
  const shapes = figure.layout && figure.layout.shapes;
  if (!Array.isArray(shapes) || !shapes.some((s) => s.name === VEIL)) return figure;
  const bg = getComputedStyle(el).getPropertyValue('--st-background-color').trim() || '#ffffff';
  const fill = rgba(bg, 0.72);
  const themed = shapes.map((s) => (s.name === VEIL ? Object.assign({}, s, {fillcolor: fill}) : s));
  return Object.assign({}, figure, {layout: Object.assign({}, figure.layout, {shapes: themed})});
}
const VEIL = 'still to come';

// -- The shared weights: pointing at U, W or V on one copy lights it on every copy and on the loop ----------------
// A trace whose meta holds `weight` (U, W or V) and `wires` ([[x0, y0, x1, y1], ...], the arrows it sits on) is a
// view's labels of that weight (rnnviz/figures/mark.py shared_labels).
function weightOf(point) {
  const meta = point && point.data && point.data.meta;
  return (meta && typeof meta.weight === 'string' && meta.weight) || null;
}

function bindWeights(gd) {
  gd.on('plotly_hover', (event) => player().light(weightOf(event && event.points && event.points[0])));
  gd.on('plotly_unhover', () => player().light(null));
}

// The shapes that light weight `w` in this plot: its wires, and a disc behind each of its labels (sized in
// pixels, centred on the drawn letter, so it is round whatever the axes' scales).
function litShapes(gd, w) {
  const shapes = [];
  const xa = gd._fullLayout && gd._fullLayout.xaxis, ya = gd._fullLayout && gd._fullLayout.yaxis;
  if (!xa || !ya) return shapes;
  const name = 'lit ' + w;
  const line = {color: 'rgba(204,121,167,0.9)', width: 4};
  gd.data.forEach((trace, index) => {
    if (!trace.meta || trace.meta.weight !== w) return;
    for (const [x0, y0, x1, y1] of trace.meta.wires || []) {
      shapes.push({type: 'line', x0, y0, x1, y1, line, name, layer: 'above'});
    }
    const texts = textNodes(gd, index);
    trace.x.forEach((x, i) => {
      let dx = 0, dy = 0;  // from the label's point to the middle of its drawn letter, in pixels (y up)
      const node = texts[i];
      if (node && node.getBBox) {
        const box = node.getBBox();
        dx = box.x + box.width / 2 - xa.c2p(x);
        dy = -(box.y + box.height / 2 - ya.c2p(trace.y[i]));
      }
      const r = 11;
      shapes.push({
        type: 'circle', xsizemode: 'pixel', ysizemode: 'pixel', xanchor: x, yanchor: trace.y[i],
        x0: dx - r, x1: dx + r, y0: dy - r, y1: dy + r, layer: 'below', name,
        fillcolor: 'rgba(204,121,167,0.25)', line: {color: 'rgba(204,121,167,0.9)', width: 2},
      });
    });
  });
  return shapes;
}

// The text nodes of trace `index`'s points, in the order of its points.
function textNodes(gd, index) {
  for (const group of gd.querySelectorAll('.scatterlayer .trace')) {
    const cd = group.__data__;
    if (cd && cd[0] && cd[0].trace && cd[0].trace.index === index) return [...group.querySelectorAll('.textpoint text')];
  }
  return [];
}

// Draw (or take away) the lit weight's shapes over the figure's own: only the shapes are redrawn.
function relight(Plotly, gd) {
  if (!gd._fullLayout || !gd.data) return;
  const w = player().lit;
  const base = gd.__rnnvizShapes || [];
  const extra = w ? litShapes(gd, w) : [];
  if (!extra.length && (gd.layout.shapes || []).length === base.length) return;  // nothing lit here, nor to take away
  const shapes = base.concat(extra);
  gd.__rnnvizRelayout = true;  // not the reader's drag (bindNudge)
  Plotly.relayout(gd, {shapes}).finally(() => {
    gd.__rnnvizRelayout = false;
  });
}

// -- Nudging s_t: the projection's handle, dragged, reports the state it was left at --------------------------------
const NUDGE = 'nudge s_t';

function bindNudge(gd) {
  gd.on('plotly_relayout', (event) => {
    if (gd.__rnnvizRelayout || !event) return;
    const shapes = gd.layout.shapes || [];
    const k = shapes.findIndex((s) => s.name === NUDGE);
    if (k < 0 || !Object.keys(event).some((key) => key.startsWith(`shapes[${k}]`))) return;
    const s = shapes[k];
    const x = s.xsizemode === 'pixel' ? Number(s.xanchor) : (Number(s.x0) + Number(s.x1)) / 2;
    const y = s.ysizemode === 'pixel' ? Number(s.yanchor) : (Number(s.y0) + Number(s.y1)) / 2;
    const step = gd.__rnnviz.data.step;
    if (Number.isFinite(x) && Number.isFinite(y) && Number.isInteger(step)) {
      gd.__rnnviz.setTriggerValue('nudge', {step, x, y});
    }
  });
}

// -- The step read now, while playing: t, x_t and o_t, moved on with the views ---------------------------------------
function drawReadout(parent, readout) {
  let box = parent.querySelector('.rnnviz-readout');
  if (!box) {
    box = document.createElement('div');
    box.className = 'rnnviz-readout';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    parent.appendChild(box);
  }
  box.__rnnvizReadout = readout;
  box.__rnnvizRender = (step) => renderReadout(box, step);
  player().follow(box);
  renderReadout(box, player().step ?? readout.step);
}

function renderReadout(box, step) {
  const r = box.__rnnvizReadout;
  const t = Math.max(1, Math.min(r.n_steps, step || r.step));
  if (box.__rnnvizShown === t) return;
  box.__rnnvizShown = t;
  const o = r.outputs[t - 1];
  const bar = document.createElement('div');
  bar.className = 'rnnviz-readout-bar';
  const fill = document.createElement('div');
  fill.style.width = `${(100 * t) / r.n_steps}%`;
  bar.appendChild(fill);
  const word = document.createElement('b');
  word.textContent = r.words[t - 1];  // text, never markup
  const line = document.createElement('div');
  line.append(`t = ${t} of ${r.n_steps} · xₜ = `, word, ` · oₜ = ${o.toFixed(3)} (${o >= 0.5 ? 'positive' : 'negative'})`);
  // While this readout is on the page (playing), it stands in for the step slider, which stays where the
  // script drew it: the style goes with the readout when the script draws the slider's step again.
  const hide = document.createElement('style');
  hide.textContent = r.hides ? `${r.hides} { display: none !important; }` : '';
  box.replaceChildren(hide, line, bar);
}

// -- Play and the arrow keys ---------------------------------------------------------------------------------
// The view's figure at step t: the base figure with frame t's changes (rnnviz/figures/frame.py apply_frame).
function figureAt(gd, step) {
  const play = gd.__rnnvizFrames;
  const base = gd.__rnnviz.data.figure;
  if (!play || step === null || step === undefined || step === play.step || !play.frames[step - 1]) return base;
  const frame = play.frames[step - 1];
  let data = play.base.data.slice();
  if (frame.keep !== undefined) {
    data = data.slice(0, frame.keep).concat(frame.rest);
  } else {
    frame.traces.forEach((i, k) => {
      data[i] = frame.data[k];
    });
  }
  const layout = Object.assign({}, play.base.layout);
  for (const [key, value] of Object.entries(frame.layout)) {
    if (value === null) delete layout[key];
    else layout[key] = value;
  }
  return Object.assign({}, play.base, {data, layout});
}

const GLIDE = 0.45;  // the share of a word's time its marks take to move to their new places

// The marks that move from one step's figure to the next, as paths in the front plot's traces: a mark
// whose trace carries `meta.along` ({x, y}: the way it comes, e.g. s_{t-1} round the loop) follows it; a
// one-point trace of the same name in both figures (the selected step) goes straight from its old place.
function moversBetween(before, after, gd) {
  const n = gd.__rnnviz.data.background || 0;
  const old = new Map(before.data.map((t) => [t.name, t]));
  const movers = [];
  after.data.forEach((t, i) => {
    if (i < n || !Array.isArray(t.x) || t.x.length !== 1 || !Array.isArray(t.y)) return;
    const way = t.meta && t.meta.along;
    if (way && Array.isArray(way.x) && way.x.length >= 2) {
      movers.push({index: i - n, path: way.x.map((x, k) => [x, way.y[k]])});
      return;
    }
    const prev = old.get(t.name);
    if (!prev || !Array.isArray(prev.x) || prev.x.length !== 1 || prev.x[0] === null || t.x[0] === null) return;
    if (prev.x[0] === t.x[0] && prev.y[0] === t.y[0]) return;
    if (typeof t.x[0] !== 'number' || typeof prev.x[0] !== 'number') return;
    movers.push({index: i - n, path: [[prev.x[0], prev.y[0]], [t.x[0], t.y[0]]]});
  });
  return movers;
}

// The SVG node of the one point of front trace `index` (Plotly binds each trace's calcdata to its group).
function pointNode(gd, index) {
  for (const group of gd.querySelectorAll('.scatterlayer .trace')) {
    const cd = group.__data__;
    if (cd && cd[0] && cd[0].trace && cd[0].trace.index === index) return group.querySelector('path.point');
  }
  return null;
}

// The point a share f (0..1) of the way along a path of points.
function along(path, f) {
  const lengths = path.slice(1).map((q, k) => Math.hypot(q[0] - path[k][0], q[1] - path[k][1]));
  const total = lengths.reduce((a, b) => a + b, 0);
  let left = f * total;
  for (let k = 0; k < lengths.length; k++) {
    if (left <= lengths[k] || k === lengths.length - 1) {
      const r = lengths[k] ? Math.min(1, left / lengths[k]) : 1;
      return [path[k][0] + r * (path[k + 1][0] - path[k][0]), path[k][1] + r * (path[k + 1][1] - path[k][1])];
    }
    left -= lengths[k];
  }
  return path[path.length - 1];
}

// One player for the whole page (every live chart shares the document): one clock, one step, one key listener.
function player() {
  if (!window.__rnnvizPlayer) window.__rnnvizPlayer = makePlayer();
  return window.__rnnvizPlayer;
}

function makePlayer() {
  const charts = new Set();
  const p = {
    step: null,  // the step the page shows while the player leads (playing, or stepped by a key); null: the server's
    clock: null,  // {token, t0, start, interval, last} while playing
    awaiting: null,  // the step reported to the script, until a run draws it
    frameTimes: [],  // requestAnimationFrame timestamps while playing (for measuring)
    reports: 0,
    reportTimer: null,
    lit: null,  // the shared weight (U, W or V) the reader points at, lit in every view
  };
  const followers = new Set();  // readouts of the step that move on with the views

  const live = () => [...charts].filter((gd) => gd.isConnected);
  const leader = () => live()[0];
  p.charts = live;

  p.stepFor = (gd) => (p.step !== null && gd.__rnnvizFrames ? p.step : (gd.__rnnviz.data.step ?? null));

  function report(step, delay) {
    p.awaiting = step;
    clearTimeout(p.reportTimer);
    p.reportTimer = setTimeout(() => {
      const gd = leader();
      if (!gd) return;
      p.reports += 1;
      gd.__rnnviz.setTriggerValue('step', step);
    }, delay);
  }

  // Show `step` in every chart; `moving` (while playing, one word on): what moves, moves there over the next frames.
  function show(step, moving) {
    const from = p.step;
    p.step = step;
    for (const box of followers) {
      if (box.isConnected) box.__rnnvizRender(step);
      else followers.delete(box);
    }
    for (const gd of live()) {
      if (gd.__rnnvizFrames && gd.__rnnvizShown !== step && !gd.__rnnvizPending && window.Plotly) {
        const movers = moving && from !== null ? moversBetween(figureAt(gd, from), figureAt(gd, step), gd) : [];
        gd.__rnnvizPending = true;
        gd.__rnnvizMovers = null;
        drawLatest(window.Plotly, gd)
          .then(() => {
            if (!movers.length || p.step !== step || !p.clock) return;
            gd.__rnnvizMovers = {movers, t0: performance.now()};
            glide(performance.now(), p.clock.interval);  // from where they were, before the browser paints
          })
          .finally(() => {
            gd.__rnnvizPending = false;
          });
      }
    }
  }

  // Move each chart's moving marks a little further along their way (eased), then leave them where they end.
  function glide(now, interval) {
    for (const gd of live()) {
      const m = gd.__rnnvizMovers;
      if (!m) continue;
      const f = Math.min(1, (now - m.t0) / (GLIDE * interval));
      const e = f * f * (3 - 2 * f);
      // The marks' own SVG nodes move (what Plotly.animate does): a restyle would recompute the whole plot.
      const xa = gd._fullLayout && gd._fullLayout.xaxis, ya = gd._fullLayout && gd._fullLayout.yaxis;
      for (const mover of m.movers) {
        const node = mover.node || (mover.node = pointNode(gd, mover.index));
        if (!node || !xa || !ya) continue;
        const [x, y] = f >= 1 ? mover.path[mover.path.length - 1] : along(mover.path, e);
        node.setAttribute('transform', `translate(${xa.c2p(x)},${ya.c2p(y)})`);
      }
      if (f >= 1) gd.__rnnvizMovers = null;
    }
  }

  function tick(now) {
    const c = p.clock;
    if (!c) return;
    p.frameTimes.push(now);
    if (p.frameTimes.length > 2000) p.frameTimes.splice(0, 1000);
    if (c.t0 === null) c.t0 = now;
    const step = Math.min(c.last, c.start + Math.floor((now - c.t0) / c.interval));
    if (step !== p.step) show(step, step === p.step + 1);
    glide(now, c.interval);
    if (now - c.t0 >= (c.last - c.start + 1) * c.interval) {
      p.stop();  // the last word has had its time: the page agrees on it
      return;
    }
    requestAnimationFrame(tick);
  }

  p.follow = (box) => followers.add(box);

  // Light weight `w` (null: none) in every view of the page that draws U, W, V labels.
  p.light = (w) => {
    if (w === p.lit) return;
    p.lit = w;
    if (!window.Plotly) return;
    for (const gd of document.querySelectorAll('.rnnviz-chart')) relight(window.Plotly, gd);
  };

  // Stop playing and tell the script which step the page shows (the slider and the rest follow).
  p.stop = () => {
    if (!p.clock) return;
    p.clock = null;
    report(p.step, 0);
  };

  // A chart got data from a run of the script. False: do not draw it (the player shows another step).
  p.adopt = (gd, data) => {
    if (data.step === undefined) return true;  // a chart that shows no step (the explain panel's) plays no part
    charts.add(gd);
    const play = data.play;
    if (play) {
      gd.__rnnvizFrames = {step: data.step, base: data.figure, frames: play.frames};
      if (!p.clock || p.clock.token !== play.token) {
        if (p.clock === null && p.lastToken === play.token) return true;  // this play ended or paused already
        p.lastToken = play.token;
        p.awaiting = null;
        p.step = play.start;
        p.clock = {token: play.token, t0: null, start: play.start, last: play.frames.length, interval: play.interval_ms};
        requestAnimationFrame(tick);
      }
      return true;
    }
    if (p.clock) p.stop();  // paused: this run was drawn before the script knew where the page is
    if (p.awaiting !== null && data.step !== p.awaiting) return !gd.__rnnvizFrames;
    p.awaiting = null;
    // The script draws the step the page showed (or another the reader picked): it leads again.
    gd.__rnnvizFrames = null;
    if (live().every((c) => !c.__rnnvizFrames)) p.step = null;
    return true;
  };

  // Arrow keys step every chart at once; the script hears the step once the keys rest.
  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const target = event.target;
    if (target && target.closest && target.closest('input, textarea, select, [contenteditable], [role="slider"]')) return;
    const gd = leader();
    if (!gd) return;
    const steps = gd.__rnnviz.data.n_steps || 1;
    const now = p.step ?? p.awaiting ?? gd.__rnnviz.data.step ?? steps;
    const next = Math.max(1, Math.min(steps, now + (event.key === 'ArrowRight' ? 1 : -1)));
    event.preventDefault();
    p.clock = null;
    if (live().some((c) => c.__rnnvizFrames)) show(next);
    else p.step = null;
    report(next, 150);
  }
  window.addEventListener('keydown', onKey);
  return p;
}
