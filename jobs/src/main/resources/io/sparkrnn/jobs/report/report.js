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
      sets.push(line(v.replace(/_/g, ' '), points(x, col[v]), colours[(i + 1) % colours.length], name,
        {pointRadius: 3}));
      axes[name] = axis(v.replace(/_/g, ' '), 'right', false);
    });
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
    new Chart(canvas, {type: 'bar', data: {labels: tps.map(p => p.x), datasets: [{
      label: 'tokens/s', data: tps.map(p => p.y), backgroundColor: colours[3]}]},
      options: {scales: {x: {title: {display: true, text: 'round'}},
                         y: {title: {display: true, text: 'tokens/s'}, beginAtZero: true}},
                plugins: {legend: {display: false}}}});
  }
})();
