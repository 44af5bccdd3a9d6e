// Draws report.html's charts with Chart.js from the JSON block #report-data (see ReportPage).
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const col = data.columns;
  const n = (col.round || col.time_s || []).length;
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  // Console numbering: round 1 is the first.
  const roundNo = (col.round || Array.from({length: n}, (_, i) => i)).map(r => r === null ? null : r + 1);

  function points(xs, ys) {
    const out = [];
    if (!xs || !ys) return out;
    for (let i = 0; i < ys.length; i++) {
      if (ys[i] !== null && xs[i] !== null) out.push({x: xs[i], y: ys[i]});
    }
    return out;
  }

  function line(label, pts, colour, axis, extra) {
    return Object.assign({
      label: label, data: pts, borderColor: colour, backgroundColor: colour, yAxisID: axis,
      showLine: true, borderWidth: 1.5, pointRadius: pts.length <= 60 ? 2 : 0, tension: 0
    }, extra || {});
  }

  function draw(id, datasets, xTitle, yAxes) {
    const canvas = document.getElementById(id);
    // Event series stay in the legend with their count even when empty.
    const kept = datasets.filter(d => d.data.length > 0 || d.always);
    if (!kept.some(d => d.data.length > 0)) {
      canvas.parentNode.innerHTML = '<p class="none">not measured in this run</p>';
      return;
    }
    const scales = {x: {type: 'linear', title: {display: true, text: xTitle}}};
    for (const [name, axis] of Object.entries(yAxes)) {
      if (kept.some(d => d.yAxisID === name)) scales[name] = axis;
    }
    new Chart(canvas, {type: 'scatter', data: {datasets: kept}, options: {
      scales: scales, plugins: {legend: {position: 'bottom'}}
    }});
    drawn(canvas, kept);
  }

  // Records on the chart's box what it drew (series and their points), for tests and for the curious.
  function drawn(el, datasets) {
    const box = el.closest('.chart') || el.parentNode;
    box.dataset.series = JSON.stringify(datasets.map(d => ({
      label: d.label, points: d.data.filter(v => v !== null && !(typeof v === 'object' && v.y === null)).length})));
  }

  function axis(title, position, grid) {
    return {type: 'linear', position: position, title: {display: true, text: title}, grid: {drawOnChartArea: grid}};
  }

  // Loss against tokens and time: training loss on the left, each validation metric on its own right axis.
  for (const [id, x, xTitle] of [['loss-tokens', col.tokens_seen, 'tokens trained on'],
                                 ['loss-time', col.time_s, 'training time (s)']]) {
    const sets = [line('training loss (nats/token)', points(x, col.train_loss), colours[0], 'y')];
    const axes = {y: axis('training loss (nats/token)', 'left', true)};
    data.valid.forEach((v, i) => {
      const name = 'y_' + v;
      const label = (data.labels || {})[v] || v.replace(/_/g, ' ');
      sets.push(line(label, points(x, col[v]), colours[(i + 1) % colours.length], name, {pointRadius: 3}));
      axes[name] = axis(label, 'right', false);
    });
    // The best validated round (eval.json's best_round by best_metric), whose model the run wrote unless
    // train.final-model = last.
    const best = data.eval || {};
    const bestAt = (col.round || []).indexOf(best.best_round - 1);
    if (bestAt >= 0 && data.valid.includes(best.best_metric) && x && x[bestAt] !== null) {
      sets.push(line('best round (' + best.best_round + ')', [{x: x[bestAt], y: col[best.best_metric][bestAt]}], '#000',
        'y_' + best.best_metric, {showLine: false, pointRadius: 7, pointStyle: 'star', borderWidth: 2}));
    }
    draw(id, sets, xTitle, axes);
  }

  // Learning rate: the configured inner lr (one number, or by round when scheduled) times the back-off scale
  // (the scale alone when lr is unknown).
  const scale = col.lr_scale || [];
  const base = i => Array.isArray(data.lr) ? data.lr[roundNo[i] - 1] : data.lr;
  const lr = scale.map((s, i) => s === null ? null : (data.lr === null ? s : s * base(i)));
  draw('lr', [line(data.lr === null ? 'lr scale' : 'learning rate', points(roundNo, lr), colours[2], 'y',
    {stepped: true})], 'round', {y: axis(data.lr === null ? 'lr scale' : 'learning rate', 'left', true)});

  // Delta norm before and after the global clip; clipped rounds marked on the unclipped norm, rejected
  // rounds (non-finite average, norm null) marked along the top of the plot.
  const rejected = (data.events.rejected || []);
  const before = col.delta_norm || [];
  // A rejected round applied no delta: its "after" value (0) is not a norm.
  const after = (col.delta_norm_clipped || []).map((v, i) =>
    col.round && rejected.includes(col.round[i]) ? null : v);
  const finite = before.concat(after).filter(v => v !== null);
  const top = finite.length ? Math.max.apply(null, finite) : 1;
  const at = (rounds, ys) => rounds.map(r => {
    const i = (col.round || []).indexOf(r);
    return {x: r + 1, y: ys === null ? top : (i >= 0 && ys[i] !== null ? ys[i] : top)};
  });
  const clipped = (data.events.clipped || []);
  draw('norm', [
    line('|delta| before clipping', points(roundNo, before), colours[0], 'y'),
    line('|delta| after clipping', points(roundNo, after), colours[4], 'y', {borderDash: [4, 3]}),
    line('clipped (' + clipped.length + ')', at(clipped, before), colours[1], 'y',
      {showLine: false, pointRadius: 5, pointStyle: 'triangle', always: true}),
    line('rejected (' + rejected.length + ')', at(rejected, null), '#000', 'y',
      {showLine: false, pointRadius: 6, pointStyle: 'crossRot', borderWidth: 2, always: true})
  ], 'round', {y: axis('L2 norm', 'left', true)});

  // Throughput.
  const tps = points(roundNo, col.tokens_per_sec);
  const canvas = document.getElementById('throughput');
  if (tps.length === 0) {
    canvas.parentNode.innerHTML = '<p class="none">not measured in this run</p>';
  } else {
    const sets = [{label: 'tokens/s', data: tps.map(p => p.y), backgroundColor: colours[3]}];
    new Chart(canvas, {type: 'bar', data: {labels: tps.map(p => p.x), datasets: sets},
      options: {scales: {x: {title: {display: true, text: 'round'}},
                         y: {title: {display: true, text: 'tokens/s'}, beginAtZero: true}},
                plugins: {legend: {display: false}}}});
    drawn(canvas, sets);
  }

  const ev = data.eval || {};

  function bars(id, labels, sets, yTitle) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    if (labels.length === 0) {
      canvas.parentNode.innerHTML = '<p class="none">not in eval.json</p>';
      return;
    }
    new Chart(canvas, {type: 'bar', data: {labels: labels, datasets: sets}, options: {
      scales: {y: {min: 0, max: 1, title: {display: true, text: yTitle}},
               x: {ticks: {autoSkip: false, maxRotation: 90}}},
      plugins: {legend: {position: 'bottom'}}}});
    drawn(canvas, sets);
  }

  // Classifier: per-class precision, recall and F1, labels in the confusion matrix's order.
  const perClass = ev.valid_per_class || {};
  const classNames = ((ev.valid_confusion || {}).labels || Object.keys(perClass)).filter(c => perClass[c]);
  bars('per-class', classNames, ['precision', 'recall', 'f1'].map((m, i) => ({
    label: m === 'f1' ? 'F1' : m, data: classNames.map(c => perClass[c][m]), backgroundColor: colours[i]})),
    'score');

  // Tagger: F1 per tag, the most frequent tags (by support) first, at most 60.
  const perTag = ev.valid_per_class || {};
  const tags = Object.keys(perTag).filter(t => perTag[t].support > 0)
    .sort((a, b) => perTag[b].support - perTag[a].support || (a < b ? -1 : 1)).slice(0, 60);
  bars('per-tag', tags, [{label: 'F1', data: tags.map(t => perTag[t].f1), backgroundColor: colours[0]}], 'F1');

  // Classifier: the confusion matrix as a heat map in SVG, each cell shaded by its share of the row (the true
  // label's texts), its count written in it.
  const heat = document.getElementById('confusion');
  const conf = ev.valid_confusion;
  if (heat && conf && conf.labels && conf.matrix) {
    const esc = t => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
    const attrs = a => Object.entries(a).map(([k, v]) => k + '="' + esc(v) + '"').join(' ');
    const el = (name, a, text) => '<' + name + ' ' + attrs(a) + '>' + (text === undefined ? '' : esc(text)) +
      '</' + name + '>';
    const labels = conf.labels;
    const k = labels.length;
    const w = heat.clientWidth || 500;
    const h = heat.clientHeight || 400;
    const margin = Math.min(140, 8 + 7 * Math.max.apply(null, labels.map(l => l.length)));
    const cell = Math.max(4, Math.min((w - margin) / k, (h - margin) / k));
    const parts = [];
    labels.forEach((l, i) => {
      parts.push(el('text', {x: margin - 4, y: margin + (i + 0.5) * cell, 'text-anchor': 'end',
        'dominant-baseline': 'middle'}, l));
      parts.push(el('text', {x: 0, y: 0, 'text-anchor': 'start', 'dominant-baseline': 'middle',
        transform: 'translate(' + (margin + (i + 0.5) * cell) + ',' + (margin - 4) + ') rotate(-60)'}, l));
    });
    let cells = 0;
    conf.matrix.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((v, j) => {
        const share = total > 0 ? v / total : 0;
        const shade = Math.round(255 - 200 * share);
        const fill = i === j ? 'rgb(' + shade + ',' + Math.round(255 - 120 * share) + ',' + shade + ')'
                             : 'rgb(255,' + shade + ',' + shade + ')';
        parts.push(el('rect', {x: margin + j * cell, y: margin + i * cell, width: cell - 1, height: cell - 1,
          fill: fill, 'data-count': v}));
        if (cell >= 18) {
          parts.push(el('text', {x: margin + (j + 0.5) * cell, y: margin + (i + 0.5) * cell,
            'text-anchor': 'middle', 'dominant-baseline': 'middle', fill: share > 0.6 ? '#fff' : '#222'}, v));
        }
        cells++;
      });
    });
    // The HTML parser puts <svg> and its children in the SVG namespace.
    heat.innerHTML = '<svg width="' + w + '" height="' + h + '" font-size="11" font-family="sans-serif">' +
      parts.join('') + '</svg>';
    heat.closest('.chart').dataset.series = JSON.stringify([{label: 'confusion', points: cells}]);
  }

  // Forecaster: actual, forecast, seasonal-naive and persistence values one step ahead over the validation and test rows.
  const fc = document.getElementById('forecast');
  if (fc) {
    const parts = [ev.valid_series, ev.test_series].filter(p => p && p.row && p.row.length);
    const series = (key) => {
      const out = [];
      parts.forEach((p, i) => {
        if (i > 0) out.push({x: p.row[0] - 0.5, y: null});
        p.row.forEach((r, j) => out.push({x: r, y: p[key][j]}));
      });
      return out;
    };
    if (parts.length === 0) {
      fc.parentNode.innerHTML = '<p class="none">not in eval.json</p>';
    } else {
      const target = parts[0].target;
      const sets = [
        line('actual ' + target, series('actual'), '#222', 'y', {pointRadius: 0, borderWidth: 1}),
        line('forecast', series('forecast'), colours[0], 'y', {pointRadius: 0}),
        line('seasonal naive', series('seasonal_naive'), colours[4], 'y', {pointRadius: 0, borderWidth: 1,
          borderDash: [4, 3]})];
      // eval.json written before persistence was plotted has no such series
      if (parts.every(p => p.persistence)) {
        sets.push(line('persistence', series('persistence'), colours[2], 'y', {pointRadius: 0, borderWidth: 1,
          borderDash: [1, 2]}));
      }
      const split = ev.test_series && ev.test_series.row && ev.test_series.row.length
        ? ' (test from row ' + ev.test_series.row[0] + ')' : '';
      new Chart(fc, {type: 'scatter', data: {datasets: sets}, options: {
        scales: {x: {type: 'linear', min: parts[0].row[0], max: parts[parts.length - 1].row.slice(-1)[0],
                     title: {display: true, text: 'row of the series' + split}},
                 y: {title: {display: true, text: target}}},
        plugins: {legend: {position: 'bottom'}}}});
      drawn(fc, sets);
    }
  }

  // Ink per canvas once the charts have painted: the number of pixels that are not transparent.
  setTimeout(() => {
    document.querySelectorAll('.chart canvas').forEach(c => {
      let ink = 0;
      try {
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
      } catch (e) {
        ink = -1;
      }
      (c.closest('.chart') || c.parentNode).dataset.ink = ink;
    });
    document.body.dataset.drawn = 'true';
  }, 0);
})();
