'use strict';
// The operator page: polls the admin JSON API with the admin key held in session storage.
(() => {
  const KEY = 'imageorleans.adminKey';
  const REFRESH_MS = 2000;
  const USAGE_MS = 30000;
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let usage = new Map();
  let usageAt = 0;

  const usd = (v) => (v === null || v === undefined) ? '—' : '$' + Number(v).toFixed(Math.abs(v) < 10 ? 4 : 2);
  const int = (v) => (v === null || v === undefined) ? '—' : Number(v).toLocaleString('en-US');
  const ms = (v) => (v === null || v === undefined) ? '—' : Number(v).toLocaleString('en-US', { maximumFractionDigits: 0 }) + ' ms';
  const pct = (v) => (v === null || v === undefined || !isFinite(v)) ? '—' : (v * 100).toFixed(1) + ' %';
  const tokens = (left, cap) => (left === undefined) ? '—' : Math.floor(left).toLocaleString('en-US') + ' / ' + int(cap);
  const until = (t) => {
    if (!t) return '—';
    const s = Math.max(0, Math.round((Date.parse(t) - Date.now()) / 1000));
    return s > 0 ? s + ' s left' : '—';
  };

  async function api(method, path) {
    const key = sessionStorage.getItem(KEY);
    const response = await fetch(path, { method, headers: { Authorization: 'Bearer ' + key }, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      signOut('The admin key was refused.');
      throw new Error('unauthorized');
    }
    if (!response.ok) throw new Error(method + ' ' + path + ': ' + response.status);
    return response.json();
  }

  function health(account) {
    const s = account.status;
    if (!account.enabled) return ['disabled', 'off'];
    if (!s) return ['unknown', 'off'];
    if (s.draining) return ['draining', 'off'];
    if (s.breaker === 'Open') return ['breaker open', 'bad'];
    if (s.breaker === 'HalfOpen') return ['probing', 'warn'];
    if (s.cooldown_until && Date.parse(s.cooldown_until) > Date.now()) return ['cooling down', 'warn'];
    if (s.blocked && s.blocked !== 'None' && s.blocked !== 'Busy' && s.blocked !== 'NoTokens') return [s.blocked.toLowerCase(), 'warn'];
    return ['healthy', 'ok'];
  }

  // Rows are kept and updated in place, keyed by id, so a refresh never moves what is on screen.
  function sync(table, items, id, cells, actions) {
    const body = table.tBodies[0];
    const seen = new Set();
    for (const item of items) {
      const key = id(item);
      seen.add(key);
      let row = body.querySelector(`tr[data-id="${CSS.escape(key)}"]`);
      const values = cells(item);
      if (!row) {
        row = body.insertRow();
        row.dataset.id = key;
        values.forEach((v) => {
          const cell = row.insertCell();
          cell.className = v.cls || 'text';
        });
        if (actions) row.insertCell().className = 'text actions';
      }
      values.forEach((v, i) => {
        const cell = row.cells[i];
        if (v.badge) {
          let badge = cell.firstElementChild;
          if (!badge) { badge = document.createElement('span'); cell.appendChild(badge); }
          badge.className = 'badge health-' + v.badge;
          badge.textContent = v.text;
        } else if (cell.textContent !== v.text) {
          cell.textContent = v.text;
        }
        if (v.title) cell.title = v.title;
      });
      if (actions) syncButtons(row.cells[values.length], actions(item));
    }
    for (const row of [...body.rows]) if (!seen.has(row.dataset.id)) row.remove();
  }

  function syncButtons(cell, buttons) {
    const wanted = buttons.map((b) => b.label).join('|');
    if (cell.dataset.buttons === wanted) return;
    cell.dataset.buttons = wanted;
    cell.replaceChildren(...buttons.map((b) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.label;
      button.dataset.action = b.action;
      if (b.danger) button.className = 'danger';
      button.addEventListener('click', () => act(b));
      return button;
    }));
  }

  async function act(b) {
    if (!window.confirm(b.confirm)) return;
    try {
      await api('POST', b.path);
      await refresh();
    } catch (e) {
      $('status').textContent = 'Action failed: ' + e.message;
    }
  }

  function renderAccounts(accounts) {
    sync($('accounts'), accounts, (a) => a.id, (a) => {
      const s = a.status || {};
      const [text, level] = health(a);
      return [
        { text: a.id, title: a.kind + (a.group ? ' · ' + a.group : '') },
        { text, badge: level },
        { text: s.breaker ? s.breaker.replace('HalfOpen', 'half-open').toLowerCase() : '—' },
        { text: s.in_flight === undefined ? '—' : s.in_flight + ' / ' + a.max_concurrency, cls: 'num' },
        { text: tokens(s.request_tokens, s.request_capacity), cls: 'num' },
        { text: tokens(s.image_tokens, s.image_capacity), cls: 'num' },
        { text: s.paced_requests_per_minute === undefined ? '—' : int(Math.round(s.paced_requests_per_minute)) + ' rpm · ' + pct(s.learned_rate_factor), cls: 'num' },
        { text: ms(s.ewma_latency_ms), cls: 'num' },
        { text: pct(s.success_rate), cls: 'num' },
        { text: int(s.rate_limited), cls: 'num' },
        { text: until(s.cooldown_until) },
        { text: usd(s.spend_today_usd), cls: 'num' },
      ];
    }, (a) => [
      a.status && a.status.draining
        ? { label: 'Resume', action: 'resume', path: `/admin/accounts/${encodeURIComponent(a.id)}/resume`, confirm: `Resume account ${a.id}? It takes new requests again.` }
        : { label: 'Drain', action: 'drain', danger: true, path: `/admin/accounts/${encodeURIComponent(a.id)}/drain`, confirm: `Drain account ${a.id}? It takes no new requests; those in flight finish.` },
      { label: 'Reset health', action: 'reset-health', path: `/admin/accounts/${encodeURIComponent(a.id)}/reset-health`, confirm: `Reset the health of account ${a.id}? Its breaker closes and its cool-down and learned limits are cleared.` },
    ]);
    const healthy = accounts.filter((a) => health(a)[1] === 'ok').length;
    $('tile-healthy').textContent = healthy + ' / ' + accounts.length;
    $('tile-inflight').textContent = int(accounts.reduce((n, a) => n + ((a.status && a.status.in_flight) || 0), 0));
    $('tile-spend').textContent = usd(accounts.reduce((n, a) => n + ((a.status && a.status.spend_today_usd) || 0), 0));
  }

  function renderKeys(keys) {
    sync($('keys'), keys, (k) => k.id, (k) => {
      const spend = k.spend || {};
      const used = k.daily_budget_usd ? (spend.today_usd + spend.reserved_usd) / k.daily_budget_usd : null;
      const u = usage.get(k.id);
      return [
        { text: k.id },
        { text: k.name || '—' },
        { text: k.revoked ? 'revoked' : (used !== null && used >= 1 ? 'over budget' : 'active'), badge: k.revoked ? 'off' : (used !== null && used >= 1 ? 'bad' : (used !== null && used >= 0.8 ? 'warn' : 'ok')) },
        { text: usd(spend.today_usd), cls: 'num' },
        { text: k.daily_budget_usd ? usd(k.daily_budget_usd) : 'none', cls: 'num' },
        { text: used === null ? '—' : pct(used), cls: 'num' },
        { text: usd(spend.month_usd), cls: 'num' },
        { text: u ? int(u) : '—', cls: 'num' },
        { text: (k.requests_per_minute ? int(k.requests_per_minute) + ' req/min' : 'no limit'), cls: 'num' },
        { text: int(spend.in_flight), cls: 'num' },
      ];
    }, (k) => k.revoked ? [] : [
      { label: 'Revoke', action: 'revoke', danger: true, path: `/admin/keys/${encodeURIComponent(k.id)}/revoke`, confirm: `Revoke key ${k.id}${k.name ? ' (' + k.name + ')' : ''}? Its clients are refused from now on.` },
    ]);
  }

  function renderSummary(summary) {
    const order = ['high', 'normal', 'low'];
    const queue = order.map((p) => ({ p, waiting: (summary.queue || {})[p] || 0, wait: (summary.waits || {})[p] }));
    sync($('queue'), queue, (q) => q.p, (q) => [
      { text: q.p },
      { text: int(q.waiting), cls: 'num' },
      { text: q.wait ? int(q.wait.requests) : '0', cls: 'num' },
      { text: q.wait ? ms(q.wait.mean_ms) : '—', cls: 'num' },
      { text: q.wait ? ms(q.wait.max_ms) : '—', cls: 'num' },
    ]);
    $('tile-queue').textContent = int(queue.reduce((n, q) => n + q.waiting, 0));
    const errors = Object.entries(summary.errors || {}).map(([code, count]) => ({ code, count }));
    if (!errors.length) errors.push({ code: 'no errors', count: 0 });
    sync($('errors'), errors, (e) => e.code, (e) => [{ text: e.code }, { text: int(e.count), cls: 'num' }]);
    $('tile-errors').textContent = int(errors.reduce((n, e) => n + e.count, 0));
    const cache = Object.entries(summary.cache || {}).map(([outcome, count]) => ({ outcome, count }));
    const total = cache.reduce((n, c) => n + c.count, 0);
    sync($('cache'), cache, (c) => c.outcome, (c) => [{ text: c.outcome }, { text: int(c.count), cls: 'num' }, { text: pct(c.count / total), cls: 'num' }]);
    const served = cache.filter((c) => c.outcome === 'hit' || c.outcome === 'coalesced').reduce((n, c) => n + c.count, 0);
    $('tile-cache').textContent = total ? pct(served / total) : '—';
  }

  async function refreshUsage() {
    if (Date.now() - usageAt < USAGE_MS) return;
    usageAt = Date.now();
    try {
      const report = await api('GET', '/admin/usage');
      const images = new Map();
      for (const row of report.data || []) {
        const id = row.key_id;
        if (id) images.set(id, (images.get(id) || 0) + (row.images || 0));
      }
      usage = images;
    } catch (e) {
      usageAt = 0;
    }
  }

  async function refresh() {
    try {
      const [accounts, keys, summary] = await Promise.all([api('GET', '/admin/accounts'), api('GET', '/admin/keys'), api('GET', '/admin/summary')]);
      renderAccounts(accounts.data || []);
      renderSummary(summary);
      await refreshUsage();
      renderKeys(keys.data || []);
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString('en-GB');
      document.body.dataset.refreshed = String(Date.now());
    } catch (e) {
      if (e.message !== 'unauthorized') $('status').textContent = 'refresh failed: ' + e.message;
    }
  }

  function start() {
    $('login').hidden = true;
    $('main').hidden = false;
    $('sign-out').hidden = false;
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    if (timer) clearInterval(timer);
    timer = null;
    $('main').hidden = true;
    $('sign-out').hidden = true;
    $('login').hidden = false;
    $('status').textContent = 'signed out';
    $('login-error').textContent = message || '';
  }

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('admin-key');
    sessionStorage.setItem(KEY, input.value.trim());
    input.value = '';
    $('login-error').textContent = '';
    start();
  });
  $('sign-out').addEventListener('click', () => signOut());
  if (sessionStorage.getItem(KEY)) start();
})();
