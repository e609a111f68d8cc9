// The browser half of rnnviz/app/live_charts.py: one plotly.js plot per view, updated in place.
// Streamlit calls `draw` with fresh `data` ({src, module, figure, config}) on every run of the script;
// src and module are relative to the app's base URL.

const loading = {};
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
    layout: Object.assign({}, fig.layout, {title: {text: ''}, template, hovermode: false}),
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

export default function draw(component) {
  const {data, parentElement, setTriggerValue} = component;
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
  if (gd.__rnnvizPending) return;  // a draw is on its way: it draws the newest data when it gets there
  gd.__rnnvizPending = true;
  loadPlotly(data.src)
    .then((Plotly) => drawLatest(Plotly, gd))
    .then(() => {
      showNote(parentElement, 'loading', null);
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

// Draw the newest data the chart was given, again if newer data came while it drew.
async function drawLatest(Plotly, gd) {
  let drawn = null;
  while (drawn !== gd.__rnnviz.data) {
    drawn = gd.__rnnviz.data;
    const template = streamlitTemplate(gd.parentElement.parentElement);
    const {back, front} = splitLayers(drawn.figure, drawn.background || 0, template);
    const margin = await drawBackground(Plotly, gd.parentElement, gd, back, drawn.config);
    if (margin) front.layout.margin = margin;
    await Plotly.react(gd, front.data, front.layout, drawn.config);
    if (!gd.__rnnvizBound) {
      gd.__rnnvizBound = true;
      bindClicks(gd, (name, value) => gd.__rnnviz.setTriggerValue(name, value));
    }
  }
}
