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
    parent.insertBefore(note, parent.querySelector('.rnnviz-chart'));
  }
  note.textContent = message;  // text, never markup
}

export default function draw(component) {
  const {data, parentElement, setTriggerValue} = component;
  let gd = parentElement.querySelector('.rnnviz-chart');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'rnnviz-chart';
    parentElement.appendChild(gd);
    showNote(parentElement, 'loading', 'Loading the chart…');  // until plotly.js has arrived and drawn (a first visit fetches 1.5 MB)
  }
  gd.__rnnviz = {data, setTriggerValue};
  if (gd.__rnnvizPending) return;  // a draw is on its way (plotly.js still loading): it will use the newest data
  gd.__rnnvizPending = true;
  loadPlotly(data.src)
    .then((Plotly) => {
      gd.__rnnvizPending = false;
      const latest = gd.__rnnviz;
      const fig = latest.data.figure;
      const layout = Object.assign({}, fig.layout, {template: streamlitTemplate(parentElement)});
      const drawn = Plotly.react(gd, fig.data, layout, latest.data.config);
      showNote(parentElement, 'loading', null);
      showNote(parentElement, 'error', null);
      if (!gd.__rnnvizBound) {
        gd.__rnnvizBound = true;
        bindClicks(gd, (name, value) => gd.__rnnviz.setTriggerValue(name, value));
      }
      return drawn;
    })
    .catch((err) => {
      gd.__rnnvizPending = false;
      showNote(parentElement, 'loading', null);
      showNote(parentElement, 'error', 'This chart could not be drawn (' + err.message + '). Reload the page to try again.');
    });
}
