// Learning-rate explorer (lesson 05): draws the runs that linreg.explorer computed at build time.
// The page holds the data in <div class="linreg-explorer" data-explorer="{json}" hidden>;
// this script builds the controls and three SVG panels when the container nears the screen.
// Until then the page holds one empty <div>: loading the page costs no parsing, DOM or styles for it.
// Nothing here computes gradient descent: every value drawn or printed comes from the data.
(() => {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const STYLE_ID = "linreg-explorer-style";
  const STYLE = `
.linreg-explorer { --lx-path: #c2410c; --lx-fit: #1d4ed8; --lx-line: var(--md-default-fg-color--lighter);
  margin: 1.5em 0; padding: 0.8em; border: 1px solid var(--md-default-fg-color--lightest); border-radius: 6px; }
[data-md-color-scheme="slate"] .linreg-explorer { --lx-path: #fb923c; --lx-fit: #93b4ff; }
.linreg-explorer .lx-controls { display: flex; flex-wrap: wrap; gap: 0.6em 1.6em; align-items: flex-end; }
.linreg-explorer .lx-rate { flex: 1 1 14em; min-width: 0; }
.linreg-explorer .lx-rate label, .linreg-explorer legend, .linreg-explorer .lx-step label { font-weight: 700; }
.linreg-explorer .lx-value { font-family: var(--md-code-font-family); margin-left: 0.5em; }
.linreg-explorer input[type="range"] { width: 100%; min-height: 2.2em; margin: 0; accent-color: var(--md-accent-fg-color); }
.linreg-explorer fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
.linreg-explorer legend { padding: 0; margin-bottom: 0.2em; }
.linreg-explorer .lx-choices { display: flex; flex-wrap: wrap; gap: 0.2em 0.9em; }
.linreg-explorer .lx-choices label { display: inline-flex; align-items: center; gap: 0.3em; min-height: 2.2em; cursor: pointer; }
.linreg-explorer .lx-result, .linreg-explorer .lx-frame { margin: 0.6em 0; }
.linreg-explorer code { white-space: pre-wrap; overflow-wrap: anywhere; }
.linreg-explorer .lx-panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 0.8em; }
.linreg-explorer .lx-panel { margin: 0; }
.linreg-explorer svg { display: block; width: 100%; height: auto; overflow: visible; }
.linreg-explorer .lx-caption { font-size: 0.8em; line-height: 1.5; color: var(--md-default-fg-color--light); margin: 0.2em 0 0; }
.linreg-explorer svg text { fill: var(--md-default-fg-color--light); font-size: 11px; font-family: var(--md-text-font-family); }
.linreg-explorer .lx-axis { stroke: var(--md-default-fg-color--light); fill: none; }
.linreg-explorer .lx-grid { stroke: var(--md-default-fg-color--lightest); fill: none; }
.linreg-explorer .lx-contour { stroke: var(--lx-line); fill: none; }
.linreg-explorer .lx-path { stroke: var(--lx-path); fill: none; stroke-width: 1.6; stroke-linejoin: round; }
.linreg-explorer .lx-dot { fill: var(--lx-path); }
.linreg-explorer .lx-start { fill: var(--md-default-bg-color); stroke: var(--lx-path); stroke-width: 1.6; }
.linreg-explorer .lx-best { fill: var(--md-default-fg-color); }
.linreg-explorer .lx-best-line { stroke: var(--md-default-fg-color--light); stroke-dasharray: 5 4; fill: none; }
.linreg-explorer .lx-fit { stroke: var(--lx-fit); stroke-width: 2; fill: none; }
.linreg-explorer .lx-data { fill: var(--md-default-fg-color); }
.linreg-explorer .lx-note { fill: var(--lx-path); font-weight: 700; paint-order: stroke; stroke: var(--md-default-bg-color); stroke-width: 4px; }
.linreg-explorer .lx-player { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4em 1em; margin-top: 0.6em; }
.linreg-explorer .lx-step { flex: 1 1 12em; min-width: 0; }
.linreg-explorer button { font: inherit; cursor: pointer; min-height: 2.4em; min-width: 7em; padding: 0.3em 0.9em;
  color: var(--md-primary-bg-color); background: var(--md-primary-fg-color); border: 0; border-radius: 4px; }
.linreg-explorer button:focus-visible, .linreg-explorer input:focus-visible { outline: 2px solid var(--md-accent-fg-color); outline-offset: 2px; }
`;

  // Python's f"{x:.{d}f}" for the values shipped (linreg.explorer.js_fixed mirrors this).
  function fixed(x, d) {
    if (x < 0 || Object.is(x, -0)) return "-" + fixed(-x, d);
    if (x >= 1e21) return BigInt(x).toString() + (d ? "." + "0".repeat(d) : "");
    return x.toFixed(d);
  }

  // linreg.train.LOG_FORMAT: "Epoch {:4d}/{} W: {:.3f}, b: {:.3f} Cost: {:.6f}"
  function logLine(epoch, total, W, b, cost) {
    return `Epoch ${String(epoch).padStart(4)}/${total} W: ${fixed(W, 3)}, b: ${fixed(b, 3)} Cost: ${fixed(cost, 6)}`;
  }

  function el(name, attrs = {}, parent = null, svg = false) {
    const node = svg ? document.createElementNS(SVG, name) : document.createElement(name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }
  const s = (name, attrs, parent) => el(name, attrs, parent, true);

  // Ticks at 1, 2 or 5 times a power of ten, about `count` of them across [lo, hi].
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((v) => v >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }

  // 10 to the power k, the exponent raised in a <tspan> (Unicode superscripts are missing from many fonts)
  const power10 = (k) => ({ base: "10", exponent: String(k).replace("-", "\u2212") });

  function label(text, value) {
    if (typeof value !== "object") { text.textContent = value; return; }
    text.textContent = value.base;
    const up = s("tspan", { dy: "-0.45em", "font-size": "75%" }, text);
    up.textContent = value.exponent;
  }

  // Clip the segment (x0, y0)-(x1, y1) to a box (Liang-Barsky); null when it lies outside.
  function clip(x0, y0, x1, y1, box) {
    let t0 = 0, t1 = 1;
    const dx = x1 - x0, dy = y1 - y0;
    for (const [p, q] of [[-dx, x0 - box.x0], [dx, box.x1 - x0], [-dy, y0 - box.y0], [dy, box.y1 - y0]]) {
      if (p === 0) { if (q < 0) return null; continue; }
      const t = q / p;
      if (p < 0) { if (t > t1) return null; if (t > t0) t0 = t; }
      else { if (t < t0) return null; if (t < t1) t1 = t; }
    }
    return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
  }

  // A panel: an SVG with a plot area mapped from data coordinates, axes and tick labels.
  class Panel {
    constructor(parent, { width, height, margin, label, caption }) {
      // a div, not a <figure>: the page numbers its figures, and these three are one explorer
      const box = el("div", { class: "lx-panel" }, parent);
      this.svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label }, box);
      el("p", { class: "lx-caption" }, box).textContent = caption;
      this.area = { left: margin[3], right: width - margin[1], top: margin[0], bottom: height - margin[2] };
      this.axes = s("g", {}, this.svg);
      this.layer = s("g", {}, this.svg);
    }
    scale(x0, x1, y0, y1) {
      const a = this.area;
      this.box = { x0, x1, y0, y1 };
      this.x = (v) => a.left + ((v - x0) / (x1 - x0)) * (a.right - a.left);
      this.y = (v) => a.bottom - ((v - y0) / (y1 - y0)) * (a.bottom - a.top);
    }
    drawAxes(xTicks, yTicks, xLabel, yLabel, xText = String, yText = String) {
      const a = this.area, g = this.axes;
      g.replaceChildren();
      for (const v of xTicks) {
        s("line", { class: "lx-grid", x1: this.x(v), x2: this.x(v), y1: a.top, y2: a.bottom }, g);
        const atEdge = this.x(v) > a.right - 12;  // the last label ends at the axis instead of past the edge
        label(s("text", { x: this.x(v), y: a.bottom + 13, "text-anchor": atEdge ? "end" : "middle" }, g), xText(v));
      }
      for (const v of yTicks) {
        s("line", { class: "lx-grid", x1: a.left, x2: a.right, y1: this.y(v), y2: this.y(v) }, g);
        label(s("text", { x: a.left - 4, y: this.y(v) + 4, "text-anchor": "end" }, g), yText(v));
      }
      s("path", { class: "lx-axis", d: `M${a.left} ${a.top}V${a.bottom}H${a.right}` }, g);
      s("text", { x: (a.left + a.right) / 2, y: a.bottom + 27, "text-anchor": "middle" }, g).textContent = xLabel;
      s("text", { x: 10, y: (a.top + a.bottom) / 2, "text-anchor": "middle",
        transform: `rotate(-90 10 ${(a.top + a.bottom) / 2})` }, g).textContent = yLabel;
    }
    // Path data through points [[x, y], ...], clipped to the plot box (far points stay finite).
    line(points) {
      let d = "", pen = null;
      for (let i = 1; i < points.length; i++) {
        const c = clip(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], this.box);
        if (!c) { pen = null; continue; }
        const [ax, ay, bx, by] = [this.x(c[0]), this.y(c[1]), this.x(c[2]), this.y(c[3])].map((v) => +v.toFixed(2));
        if (!pen || pen[0] !== ax || pen[1] !== ay) d += `M${ax} ${ay}`;
        d += `L${bx} ${by}`;
        pen = [bx, by];
      }
      return d;
    }
    inside(x, y) {
      const b = this.box;
      return x >= Math.min(b.x0, b.x1) && x <= Math.max(b.x0, b.x1) && y >= Math.min(b.y0, b.y1) && y <= Math.max(b.y0, b.y1);
    }
  }

  let count = 0;

  function mount(root) {
    const data = JSON.parse(root.dataset.explorer);
    // each run's drawn epochs: the first n shared ones, then its own tail (a divergent run's last)
    for (const r of data.runs) r.e = data.frames.slice(0, r.n).concat(r.tail);
    const id = `lx${++count}`;
    const state = { rate: data.default[0], epochs: data.default[1], frame: 0, playing: false };
    root.dataset.ready = "1";

    // Controls: learning rate slider, epoch choice.
    const controls = el("div", { class: "lx-controls" }, root);
    const rateBox = el("div", { class: "lx-rate" }, controls);
    const rateLabel = el("label", { for: `${id}-rate` }, rateBox);
    rateLabel.textContent = "학습률";
    const rateValue = el("span", { class: "lx-value", "aria-hidden": "true" }, rateLabel);
    const rate = el("input", { type: "range", id: `${id}-rate`, min: 0, max: data.lrs.length - 1, step: 1,
      value: state.rate }, rateBox);
    const epochBox = el("fieldset", {}, controls);
    el("legend", {}, epochBox).textContent = "에폭 수";
    const choices = el("div", { class: "lx-choices" }, epochBox);
    const radios = data.epochs.map((n, i) => {
      const label = el("label", {}, choices);
      const radio = el("input", { type: "radio", name: `${id}-epochs`, value: i }, label);
      radio.checked = i === state.epochs;
      label.append(String(n));
      return radio;
    });

    // The result, read out when the setting changes: the run's last log line, or its divergence.
    const result = el("p", { class: "lx-result", "aria-live": "polite", "aria-atomic": "true" }, root);

    // Panels.
    const panels = el("div", { class: "lx-panels" }, root);
    const [W0, W1, b0, b1] = data.window;
    const plotWidth = 280, plotHeight = Math.round((plotWidth * (b1 - b0)) / (W1 - W0));
    const surface = new Panel(panels, { width: 330, height: plotHeight + 42, margin: [8, 10, 34, 40],
      label: "비용 등고선 위에 그린 W와 b의 이동 경로",
      caption: "(W, b)의 경로. 선은 비용이 같은 점을 잇는 등고선, ★는 비용이 가장 작은 점(최소 제곱 해), "
        + "○는 시작점입니다." });
    surface.scale(W0, W1, b0, b1);
    surface.drawAxes(ticks(W0, W1, 4), ticks(b0, b1, 5), "W (가중치)", "b (편향)");
    for (const [, lines] of data.contours) {
      for (const flat of lines) {
        const points = [];
        for (let i = 0; i < flat.length; i += 2) points.push([flat[i], flat[i + 1]]);
        s("path", { class: "lx-contour", d: surface.line(points) }, surface.axes);
      }
    }
    s("text", { x: surface.x(data.minimum[0]), y: surface.y(data.minimum[1]) + 5, "text-anchor": "middle",
      class: "lx-best", style: "font-size: 15px" }, surface.axes).textContent = "★";
    const path = s("path", { class: "lx-path" }, surface.layer);
    s("circle", { class: "lx-start", cx: surface.x(data.start[0]), cy: surface.y(data.start[1]), r: 4 }, surface.layer);
    const dot = s("circle", { class: "lx-dot", r: 4 }, surface.layer);
    const away = s("text", { class: "lx-note", x: surface.area.right - 4, y: surface.area.top + 14,
      "text-anchor": "end" }, surface.layer);

    const costs = new Panel(panels, { width: 330, height: 200, margin: [8, 10, 34, 48],
      label: "에폭에 따른 비용의 변화, 세로축은 로그 눈금",
      caption: "에폭에 따른 비용(로그 눈금). ×는 발산하기 전 마지막 유한한 비용입니다." });
    const costPath = s("path", { class: "lx-path" }, costs.layer);
    const costDot = s("circle", { class: "lx-dot", r: 3.5 }, costs.layer);
    const cross = s("text", { class: "lx-note", "text-anchor": "middle", style: "font-size: 16px" }, costs.layer);

    const fit = new Panel(panels, { width: 330, height: 200, margin: [8, 10, 34, 40],
      label: "학습 데이터와 현재 W, b로 그린 직선",
      caption: "학습 데이터(점)와 지금의 W, b로 그린 직선 H(x) = Wx + b. 점선은 최소 제곱 해입니다." });
    const xMax = Math.max(...data.x) + 1, yMin = Math.min(0, ...data.y) - 1, yMax = Math.max(...data.y) + 2;
    fit.scale(0, xMax, yMin, yMax);
    fit.drawAxes(ticks(0, xMax, 4), ticks(yMin, yMax, 4), "x", "y");
    const [Wbest, bbest] = data.minimum;
    s("path", { class: "lx-best-line", d: fit.line([[0, bbest], [xMax, Wbest * xMax + bbest]]) }, fit.axes);
    const fitLine = s("path", { class: "lx-fit" }, fit.layer);
    data.x.forEach((x, i) => s("circle", { class: "lx-data", cx: fit.x(x), cy: fit.y(data.y[i]), r: 4 }, fit.layer));

    // Playback: a button and a slider over the drawn epochs.
    const player = el("div", { class: "lx-player" }, root);
    const play = el("button", { type: "button" }, player);
    const stepBox = el("div", { class: "lx-step" }, player);
    el("label", { for: `${id}-step` }, stepBox).textContent = "진행";
    const step = el("input", { type: "range", id: `${id}-step`, min: 0, step: 1 }, stepBox);
    const frameLine = el("p", { class: "lx-frame" }, root);
    frameLine.append("진행 막대가 가리키는 에폭의 로그: ");
    const frameText = el("code", {}, frameLine);

    const run = () => data.runs[state.rate];
    const total = () => data.epochs[state.epochs];
    // Indices of the drawn epochs within the chosen number of epochs.
    const frames = () => { const r = run(); let n = 0; while (n < r.e.length && r.e[n] <= total()) n++; return n; };

    function setting() {
      const r = run(), n = total(), lr = String(r.lr);
      rate.value = state.rate;
      rate.setAttribute("aria-valuetext", `학습률 ${lr}`);
      rateValue.textContent = lr;
      const head = `학습을 마친 뒤의 마지막 로그(학습률 ${lr}, ${n} 에폭): `;
      const line = r.finals[String(n)];  // null: the run diverged within n epochs
      const said = el(line === null ? "strong" : "code");
      said.textContent = line === null ? `에폭 ${r.diverged}에서 발산했습니다. 비용이 무한대(inf)가 되었습니다.` : line;
      result.replaceChildren(head, said);
      // the cost axis: the decades this run's finite costs span up to the chosen epoch
      const last = frames() - 1;
      const finite = r.cost.slice(0, last + 1).filter((c) => c > 0);
      if (!finite.length) finite.push(1);
      let lo = Math.floor(Math.log10(Math.min(...finite))), hi = Math.ceil(Math.log10(Math.max(...finite)));
      if (hi - lo < 2) { lo -= 1; hi += 1; }
      costs.scale(0, n, lo, hi);
      const every = Math.ceil((hi - lo) / 5);
      const decades = [];
      for (let k = hi; k >= lo; k -= every) decades.push(k);
      costs.drawAxes(ticks(0, n, 4), decades, "에폭", "비용", String, power10);
      step.max = Math.max(last, 0);
      show(last);
    }

    function show(index) {
      const r = run(), n = total();
      state.frame = Math.max(0, Math.min(index, frames() - 1));
      const i = state.frame;
      if (frames() === 0) return;
      const W = r.W[i], b = r.b[i];  // after the update of epoch r.e[i]
      const trail = [[data.start[0], data.start[1]]];
      for (let k = 0; k <= i; k++) trail.push([r.W[k], r.b[k]]);
      path.setAttribute("d", surface.line(trail));
      const seen = surface.inside(W, b);
      dot.setAttribute("visibility", seen ? "visible" : "hidden");
      if (seen) { dot.setAttribute("cx", surface.x(W)); dot.setAttribute("cy", surface.y(b)); }
      away.textContent = seen ? "" : "(W, b)가 그림 밖으로 나갔습니다";
      const floor = 10 ** costs.box.y0;  // a cost of exactly 0 sits on the axis
      const curve = [];
      for (let k = 0; k <= i; k++) curve.push([r.e[k], Math.log10(Math.max(r.cost[k], floor))]);
      costPath.setAttribute("d", costs.line(curve));
      const [cx, cy] = curve[i];
      costDot.setAttribute("cx", costs.x(cx)); costDot.setAttribute("cy", costs.y(cy));
      const ended = r.diverged !== null && r.diverged <= n && i === frames() - 1;
      cross.textContent = ended ? "×" : "";
      cross.setAttribute("x", costs.x(cx)); cross.setAttribute("y", costs.y(cy) - 6);
      fitLine.setAttribute("d", fit.line([[0, b], [xMax, W * xMax + b]]));
      step.value = i;
      step.setAttribute("aria-valuetext", `에폭 ${r.e[i]} / ${n}`);
      frameText.textContent = logLine(r.e[i], n, W, r.b[i], r.cost[i]);
    }

    // Play through the epochs in a few seconds, whatever their number.
    let clock = null;
    function setPlaying(on) {
      state.playing = on;
      play.replaceChildren(el("span", { "aria-hidden": "true" }), on ? " 일시 정지" : " 재생");
      play.firstChild.textContent = on ? "❚❚" : "▶";
      if (!on) { clock = null; return; }
      if (state.frame >= frames() - 1) show(0);
      const r = run(), last = r.e[frames() - 1];
      const seconds = Math.min(6, Math.max(2.5, last * 0.1));
      const from = r.e[state.frame];
      clock = { t0: null, from, rate: Math.max(last, 1) / (seconds * 1000) };
      const tick = (now) => {
        if (!state.playing || !root.isConnected) return;
        if (clock.t0 === null) clock.t0 = now;
        const epoch = clock.from + (now - clock.t0) * clock.rate;
        let i = state.frame;
        while (i + 1 < frames() && r.e[i + 1] <= epoch) i++;
        if (i !== state.frame) show(i);
        if (i >= frames() - 1) setPlaying(false);
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }

    play.addEventListener("click", () => setPlaying(!state.playing));
    step.addEventListener("input", () => { setPlaying(false); show(Number(step.value)); });
    rate.addEventListener("input", () => { setPlaying(false); state.rate = Number(rate.value); setting(); });
    radios.forEach((radio, i) => radio.addEventListener("change", () => {
      if (!radio.checked) return;
      setPlaying(false);
      state.epochs = i;
      setting();
    }));

    setPlaying(false);
    setting();
    root.hidden = false;
  }

  // Build when the container comes within a screen's height of the viewport (already in view: at once).
  // A hidden element has no box to watch, so it is shown empty, holding about the room it will take
  // (measured: 57-60rem on a phone, where the panels stack, 38-41rem from 800 px wide).
  const NEAR = "100% 0px";
  const reserve = () => (matchMedia("(max-width: 37.5em)").matches ? "58rem" : "38rem");
  let watcher = null;

  function build(root) {
    watcher?.unobserve(root);
    if (!root.isConnected || root.dataset.ready) return;
    if (!document.getElementById(STYLE_ID)) el("style", { id: STYLE_ID }, document.head).textContent = STYLE;
    mount(root);
    root.style.minHeight = "";
  }

  function start() {
    const boxes = document.querySelectorAll(".linreg-explorer[data-explorer]:not([data-ready])");
    if (!("IntersectionObserver" in window)) { boxes.forEach(build); return; }
    watcher ??= new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) build(entry.target);
    }, { rootMargin: NEAR });
    for (const box of boxes) {
      box.style.minHeight = reserve();
      box.hidden = false;
      watcher.observe(box);
    }
  }

  // Run once the page is parsed (start() skips explorers already built, should the script run again).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
