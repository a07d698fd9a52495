// The live fleet dashboard: hosts and their GPUs as tiles coloured by one metric, painted at load
// from the newest stored samples (/api/v1/latest) and then updated over the WebSocket feed; a
// click shows the GPU's recent history from the REST API on a canvas chart (downsampled with step
// for windows too long to chart sample by sample).
// Plain browser JavaScript, no libraries: everything it loads comes from this gateway.
(function () {
  'use strict';

  const DEFAULT_METRIC = 'DCGM_FI_DEV_GPU_UTIL';
  // windows up to this long are charted sample by sample; longer ones in at most MAX_POINTS buckets
  const RAW_WINDOW_SECONDS = 300;
  const MAX_POINTS = 500;
  const COLOURS = [[0x1b, 0x2b, 0x3c], [0x1f, 0x6f, 0x8b], [0x2c, 0xa5, 0x8d], [0xf2, 0xc1, 0x4e], [0xe4, 0x57, 0x2e]];
  const $ = (id) => document.getElementById(id);

  const state = {
    metric: DEFAULT_METRIC,
    gpus: new Map(),      // uuid -> {gpu, tile, value, ts, updates}
    hosts: new Map(),     // hostname -> tiles container
    selected: null,       // uuid shown in the detail panel
    windowSeconds: 300,
    series: [],           // [[epochMillis, value]] of the selected GPU
    received: 0,
    socket: null,
    backoff: 1000,
    dirty: false,
  };

  // ---- authentication: a token given as #token=... is kept for this tab only
  const hashToken = new URLSearchParams(location.hash.slice(1)).get('token');
  if (hashToken) {
    sessionStorage.setItem('telemetry-token', hashToken);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem('telemetry-token');

  function api(path) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(path, { headers }).then((r) => {
      if (!r.ok) {
        throw new Error(path + ': HTTP ' + r.status);
      }
      return r.json();
    });
  }

  // ---- tiles
  function hostBox(hostname) {
    let box = state.hosts.get(hostname);
    if (!box) {
      const section = document.createElement('section');
      section.className = 'host';
      section.dataset.hostname = hostname;
      section.innerHTML = '<h3></h3><div class="tiles"></div>';
      section.querySelector('h3').textContent = hostname;
      box = section.querySelector('.tiles');
      state.hosts.set(hostname, box);
      // keep hosts sorted by name
      const after = [...$('fleet').children].find((s) => s.dataset.hostname > hostname);
      $('fleet').insertBefore(section, after || null);
    }
    return box;
  }

  function addGpu(gpu) {
    if (state.gpus.has(gpu.uuid)) {
      return state.gpus.get(gpu.uuid);
    }
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.dataset.uuid = gpu.uuid;
    tile.dataset.updates = '0';
    tile.innerHTML = '<span class="idx"></span><span class="val">·</span>';
    tile.querySelector('.idx').textContent = gpu.gpu_index == null ? '?' : 'GPU ' + gpu.gpu_index;
    tile.title = gpu.uuid + (gpu.model_name ? '\n' + gpu.model_name : '');
    tile.addEventListener('click', () => select(gpu.uuid));
    const entry = { gpu, tile, value: null, ts: gpu.last_seen ? Date.parse(gpu.last_seen) : 0, updates: 0 };
    state.gpus.set(gpu.uuid, entry);
    const box = hostBox(gpu.hostname || 'unknown host');
    const after = [...box.children].find((t) => {
      const other = state.gpus.get(t.dataset.uuid).gpu;
      return (other.gpu_index ?? 1e9) > (gpu.gpu_index ?? 1e9);
    });
    box.insertBefore(tile, after || null);
    updateCounts();
    return entry;
  }

  function updateCounts() {
    $('gpu-count').textContent = state.gpus.size;
    $('host-count').textContent = state.hosts.size;
  }

  function loadCatalogue() {
    return api('api/v1/gpus').then((body) => body.gpus.forEach(addGpu));
  }

  /** Paints every tile from the newest stored sample of the metric: the feed only carries what comes next. */
  function loadLatest() {
    const metric = state.metric;
    return api('api/v1/latest?metric=' + encodeURIComponent(metric)).then((body) => {
      if (metric !== state.metric) {
        return;
      }
      body.samples.forEach((s) => applySample(s));
      document.body.dataset.latest = String(body.samples.length);
      scheduleRender();
    });
  }

  function loadMetrics() {
    return api('api/v1/metrics').then((body) => {
      const select = $('metric');
      const names = body.metrics.length ? body.metrics : [DEFAULT_METRIC];
      select.innerHTML = '';
      names.forEach((m) => {
        const o = document.createElement('option');
        o.value = m;
        o.textContent = m.replace(/^DCGM_FI_(DEV_)?/, '');
        select.appendChild(o);
      });
      state.metric = names.includes(DEFAULT_METRIC) ? DEFAULT_METRIC : names[0];
      select.value = state.metric;
    });
  }

  // ---- colours
  function range() {
    if (/UTIL/.test(state.metric)) {
      return [0, 100];
    }
    let lo = Infinity;
    let hi = -Infinity;
    state.gpus.forEach((e) => {
      if (e.value != null) {
        lo = Math.min(lo, e.value);
        hi = Math.max(hi, e.value);
      }
    });
    if (lo === Infinity) {
      return [0, 1];
    }
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  }

  function colour(t) {
    const x = Math.max(0, Math.min(1, t)) * (COLOURS.length - 1);
    const i = Math.min(COLOURS.length - 2, Math.floor(x));
    const f = x - i;
    const c = COLOURS[i].map((a, k) => Math.round(a + (COLOURS[i + 1][k] - a) * f));
    return { css: 'rgb(' + c.join(',') + ')', dark: (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) > 150 };
  }

  function format(v) {
    const a = Math.abs(v);
    if (Number.isInteger(v) && a < 10000) {
      return String(v);
    }
    return a >= 10000 ? (v / 1000).toFixed(0) + 'k' : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }

  function render() {
    state.dirty = false;
    const [lo, hi] = range();
    $('legend-min').textContent = format(lo);
    $('legend-max').textContent = format(hi);
    state.gpus.forEach((e) => {
      if (e.value == null) {
        return;
      }
      const c = colour((e.value - lo) / (hi - lo));
      e.tile.style.backgroundColor = c.css;
      e.tile.classList.toggle('dark', c.dark);
      e.tile.querySelector('.val').textContent = format(e.value);
      e.tile.dataset.value = String(e.value);
      e.tile.dataset.updates = String(e.updates);
    });
  }

  function scheduleRender() {
    if (!state.dirty) {
      state.dirty = true;
      setTimeout(() => requestAnimationFrame(render), 250);
    }
  }

  // ---- live feed
  function connect() {
    const url = new URL('ws/telemetry', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (token) {
      url.searchParams.set('access_token', token);
    }
    const ws = new WebSocket(url);
    state.socket = ws;
    ws.onopen = () => {
      state.backoff = 1000;
      subscribe();
    };
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (Array.isArray(msg)) {
        msg.forEach(onSample);
      } else if (msg.type === 'subscribed') {
        setLink(true, 'live');
      } else if (msg.type === 'dropped') {
        setLink(true, 'live (' + msg.count + ' samples skipped)');
      }
    };
    ws.onclose = () => {
      setLink(false, 'reconnecting…');
      setTimeout(connect, state.backoff);
      state.backoff = Math.min(10000, state.backoff * 2);
    };
  }

  /** The feed carries the colouring metric only (which is also what the chart shows). */
  function subscribe() {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify({ type: 'subscribe', metric: state.metric }));
    }
  }

  function setLink(up, text) {
    $('link').className = 'link ' + (up ? 'up' : 'down');
    $('link').textContent = text;
  }

  function onSample(s) {
    state.received++;
    if (s.metric !== state.metric) {
      return;
    }
    const entry = applySample(s);
    const ts = Date.parse(s.timestamp);
    entry.updates++;
    scheduleRender();
    if (s.uuid === state.selected) {
      state.series.push([ts, s.value]);
      const start = ts - state.windowSeconds * 1000;
      while (state.series.length && state.series[0][0] < start) {
        state.series.shift();
      }
      drawChart();
    }
  }

  /** Takes {@code s} as its tile's value unless the tile already shows a newer one. */
  function applySample(s) {
    const entry = state.gpus.get(s.uuid) || addGpu({ uuid: s.uuid, hostname: s.hostname, gpu_index: null });
    const ts = Date.parse(s.timestamp);
    if (ts >= entry.ts || entry.value == null) {
      entry.value = s.value;
      entry.ts = ts;
    }
    return entry;
  }

  setInterval(() => {
    $('rate').textContent = state.received;
    state.received = 0;
  }, 1000);
  setInterval(() => loadCatalogue().catch(() => {}), 30000);

  // ---- detail panel and chart
  function select(uuid) {
    const entry = state.gpus.get(uuid);
    state.gpus.forEach((e) => e.tile.classList.toggle('selected', e.gpu.uuid === uuid));
    state.selected = uuid;
    $('detail').hidden = false;
    $('detail-title').textContent = uuid;
    $('detail-sub').textContent = [entry.gpu.hostname, entry.gpu.gpu_index == null ? null : 'GPU ' + entry.gpu.gpu_index,
      entry.gpu.model_name, state.metric].filter(Boolean).join(' · ');
    loadHistory();
  }

  function loadHistory() {
    const uuid = state.selected;
    const entry = state.gpus.get(uuid);
    // the window ends at the GPU's newest sample, so replays of old files show their history too
    const end = Math.max(entry.ts || 0, 0) || Date.now();
    const start = new Date(end - state.windowSeconds * 1000).toISOString();
    const base = 'api/v1/gpus/' + encodeURIComponent(uuid) + '/telemetry?metric=' + encodeURIComponent(state.metric)
      + '&start_time=' + encodeURIComponent(start) + '&end_time=' + encodeURIComponent(new Date(end).toISOString());
    // long windows: whole-second buckets, at most MAX_POINTS of them (one more where the window straddles one)
    const step = state.windowSeconds > RAW_WINDOW_SECONDS ? Math.ceil(state.windowSeconds / (MAX_POINTS - 1)) + 's' : null;
    const points = [];
    const page = (cursor, n) => api(base + (step ? '&step=' + step + '&agg=avg' : '&limit=10000')
        + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '')).then((body) => {
      body.samples.forEach((s) => points.push([Date.parse(s.timestamp), s.value]));
      return body.next_cursor && n < 5 ? page(body.next_cursor, n + 1) : points;
    });
    $('chart-note').textContent = 'loading…';
    page(null, 0).then((pts) => {
      if (state.selected !== uuid) {
        return;
      }
      state.series = pts;
      $('chart').dataset.step = step || '';
      $('chart-note').textContent = pts.length + (step ? ' averages of ' + step : ' samples') + ' in the last '
        + label(state.windowSeconds) + ', live';
      drawChart();
    }).catch((e) => {
      $('chart-note').textContent = 'cannot load history: ' + e.message;
    });
  }

  function label(seconds) {
    return seconds >= 3600 ? seconds / 3600 + ' h' : seconds / 60 + ' min';
  }

  function drawChart() {
    const canvas = $('chart');
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 640;
    const h = canvas.clientHeight || 260;
    canvas.width = w * ratio;
    canvas.height = h * ratio;
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const pts = state.series;
    canvas.dataset.points = String(pts.length);
    const pad = { l: 48, r: 12, t: 10, b: 24 };
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#8193a5';
    if (!pts.length) {
      g.fillText('no samples in this window', pad.l, h / 2);
      return;
    }
    const t1 = Math.max(pts[pts.length - 1][0], pts[0][0] + 1000);
    const t0 = Math.min(pts[0][0], t1 - state.windowSeconds * 1000);
    let lo = Math.min(...pts.map((p) => p[1]));
    let hi = Math.max(...pts.map((p) => p[1]));
    if (/UTIL/.test(state.metric)) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 100);
    }
    if (lo === hi) {
      lo -= 1;
      hi += 1;
    }
    const x = (t) => pad.l + (t - t0) / (t1 - t0) * (w - pad.l - pad.r);
    const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    g.strokeStyle = '#26313d';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = lo + (hi - lo) * i / 4;
      g.beginPath();
      g.moveTo(pad.l, Math.round(y(v)) + 0.5);
      g.lineTo(w - pad.r, Math.round(y(v)) + 0.5);
      g.stroke();
      g.fillText(format(v), 4, y(v) + 4);
    }
    [t0, (t0 + t1) / 2, t1].forEach((t, i) => {
      const text = new Date(t).toISOString().slice(11, 19);
      const tw = g.measureText(text).width;
      g.fillText(text, Math.min(w - pad.r - tw, Math.max(pad.l, x(t) - (i === 1 ? tw / 2 : i === 2 ? tw : 0))), h - 6);
    });
    g.beginPath();
    pts.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[1])) : g.moveTo(x(p[0]), y(p[1]))));
    g.strokeStyle = '#4fb3d9';
    g.lineWidth = 2;
    g.stroke();
    g.lineTo(x(pts[pts.length - 1][0]), y(lo));
    g.lineTo(x(pts[0][0]), y(lo));
    g.closePath();
    g.fillStyle = 'rgba(79, 179, 217, 0.15)';
    g.fill();
    if (pts.length < 60) {
      g.fillStyle = '#4fb3d9';
      pts.forEach((p) => g.fillRect(x(p[0]) - 1.5, y(p[1]) - 1.5, 3, 3));
    }
  }

  $('windows').addEventListener('click', (e) => {
    const seconds = Number(e.target.dataset.seconds);
    if (!seconds) {
      return;
    }
    [...$('windows').children].forEach((b) => b.classList.toggle('on', b === e.target));
    state.windowSeconds = seconds;
    if (state.selected) {
      loadHistory();
    }
  });
  $('detail-close').addEventListener('click', () => {
    $('detail').hidden = true;
    state.selected = null;
    state.gpus.forEach((e) => e.tile.classList.remove('selected'));
  });
  $('metric').addEventListener('change', (e) => {
    state.metric = e.target.value;
    state.gpus.forEach((g) => {
      g.value = null;
      g.tile.style.backgroundColor = '';
      g.tile.querySelector('.val').textContent = '·';
    });
    subscribe();
    loadLatest().catch(() => {});
    if (state.selected) {
      select(state.selected);
    }
  });

  Promise.all([loadMetrics(), loadCatalogue()])
    .then(loadLatest)
    .catch((e) => setLink(false, e.message))
    .then(connect);
})();
