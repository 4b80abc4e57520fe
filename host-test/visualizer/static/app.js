// The Visualizer page. Every text it shows is set with textContent (never
// innerHTML), every API call carries the token in a header (never in a URL),
// and one event stream per page brings jobs, pills and state changes.
'use strict';

const TOKEN_KEY = 'visual-host-token';
const MIB = 1024 * 1024;
const LIMITS = { reference: 50 * MIB, mask: 4 * MIB, analyze: 20 * MIB };

// The token arrives once in the URL; keep it for this tab and take it out of the address bar.
const token = (() => {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY) || '';
})();

const $ = (selector, root = document) => root.querySelector(selector);

/** Builds an element: attributes by name, `text` as textContent, children appended. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'value') node.value = value;
    else if (name === 'checked' || name === 'disabled' || name === 'selected') node[name] = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(kind, message, status) { super(message); this.kind = kind; this.status = status; }
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError('network', `the server could not be reached (${e.message})`, 0);
  }
  const type = response.headers.get('content-type') || '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const error = (data && data.error) || {};
    if (response.status === 413 && !error.message) error.message = 'the upload is larger than the server takes';
    throw new ApiError(error.kind || `http-${response.status}`, error.message || response.statusText, response.status);
  }
  return data;
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const formatBytes = n => n >= MIB ? `${(n / MIB).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
const formatMs = ms => ms >= 10000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;

function banner(text) {
  const node = $('#banner');
  node.textContent = text || '';
  node.hidden = !text;
}

// ---- state: plugins, choices, settings, pills ----

let state = null;
let settingsSignature = '';
const modelLists = new Map(); // `${backend}|${capability}` -> list

async function loadState() {
  state = await api('GET', '/api/state');
  render();
}

let stateTimer = null;
function reloadStateSoon() {
  clearTimeout(stateTimer);
  stateTimer = setTimeout(() => loadState().catch(showLoadError), 120);
}

function showLoadError(e) {
  banner(`Could not read the server's state: ${e.kind}: ${e.message}`);
}

function render() {
  renderPills(state.pills);
  renderCapabilities();
  renderTimeout();
  renderPlugins();
  const signature = JSON.stringify(state.plugins.map(p => [p.id, p.revision, p.error]));
  if (signature !== settingsSignature) {
    settingsSignature = signature;
    renderSettings();
  } else {
    refreshSecretStates();
  }
  renderUses();
}

function renderPills(pills) {
  if (state) state.pills = pills;
  const box = $('#pills');
  box.replaceChildren(...pills.map(p => {
    const title = [p.label, p.backend_label, p.model, p.problem, p.message].filter(Boolean).join(' · ');
    return el('div', {
      class: `pill${p.checking ? ' checking' : ''}`,
      'data-capability': p.capability,
      'data-light': p.light,
      title,
    },
    el('span', { class: 'dot' }),
    el('span', { class: 'name', text: p.label }),
    p.references !== null && p.references !== undefined ? el('span', { class: 'refs', text: `References ${p.references}` }) : null,
    el('span', { class: 'msg', text: p.checking ? 'checking…' : p.message }));
  }));
  for (const p of pills) {
    const dot = $(`.capability[data-capability="${p.capability}"] h3 .dot`);
    if (dot) dot.dataset.light = p.light;
  }
}

function lifecycleText(model) {
  const l = model.lifecycle;
  if (!l) return '';
  if (l.state === 'deprecated') return `deprecated: shuts down ${l.shutdown_date || 'soon'}${l.replacement ? `; use ${l.replacement}` : ''}`;
  if (l.state === 'retired') return `retired${l.shutdown_date ? ` on ${l.shutdown_date}` : ''}${l.replacement ? `; use ${l.replacement}` : ''}`;
  return '';
}

function renderCapabilities() {
  const box = $('#capabilities');
  const focused = document.activeElement && box.contains(document.activeElement);
  if (focused) return;
  box.replaceChildren(...state.capabilities.map(cap => {
    const pill = state.pills.find(p => p.capability === cap.capability) || {};
    const backendSelect = el('select', { name: 'backend', 'aria-label': `${cap.label} backend`,
      onchange: e => choose(cap.capability, e.target.value, null) },
    cap.backends.length ? null : el('option', { value: '', text: 'no backend offers this' }),
    cap.backends.map(b => el('option', { value: b.id, text: `${b.label} (${b.file_name})`, selected: b.id === cap.backend })));
    const modelSelect = el('select', { name: 'model', 'aria-label': `${cap.label} model`,
      onchange: e => choose(cap.capability, cap.backend, e.target.value) },
    cap.model ? el('option', { value: cap.model, text: cap.model, selected: true }) : null);
    const note = el('p', { class: 'model-note' });
    const row = el('div', { class: 'capability', 'data-capability': cap.capability },
      el('h3', {}, el('span', { class: 'dot', 'data-light': pill.light || 'grey' }), cap.label,
        cap.capability === 'image-edit' && pill.references !== null && pill.references !== undefined
          ? el('span', { class: 'refs hint', text: `· References ${pill.references}` }) : null),
      el('label', {}, 'Backend', backendSelect),
      el('label', {}, 'Model', modelSelect),
      note);
    if (cap.backend) fillModels(cap, modelSelect, note);
    return row;
  }));
}

async function fillModels(cap, select, note) {
  let list;
  try {
    list = await api('GET', `/api/models?backend=${encodeURIComponent(cap.backend)}&capability=${cap.capability}`);
  } catch (e) {
    note.textContent = `models unavailable: ${e.message}`;
    return;
  }
  modelLists.set(`${cap.backend}|${cap.capability}`, list);
  const models = list.models.slice();
  if (cap.model && !models.some(m => m.id === cap.model)) models.unshift({ id: cap.model, label: cap.model, selectable: true, listed: true });
  select.replaceChildren(...models.map(m => {
    const extra = [lifecycleText(m), m.listed === false && m.lifecycle?.state !== 'retired' ? 'not offered to this key' : '']
      .filter(Boolean).join('; ');
    const label = m.label && m.label !== m.id ? `${m.label} (${m.id})` : m.id;
    return el('option', { value: m.id, text: extra ? `${label} — ${extra}` : label, disabled: !m.selectable, selected: m.id === cap.model });
  }));
  const chosen = models.find(m => m.id === cap.model);
  const parts = [];
  if (chosen?.note) parts.push(chosen.note);
  if (chosen && lifecycleText(chosen)) parts.push(lifecycleText(chosen));
  parts.push(list.source === 'live' ? 'Models as the service lists them for this key.' : (list.note || 'Models the backend knows.'));
  note.textContent = parts.join(' ');
  note.className = `model-note${chosen?.lifecycle?.state === 'deprecated' ? ' warn' : ''}${chosen?.lifecycle?.state === 'retired' ? ' bad' : ''}`;
  if (cap.capability === 'text-to-image') fillQualities(chosen);
}

function fillQualities(model) {
  const select = $('#form-generate select[name="quality"]');
  const current = select.value;
  const qualities = model?.qualities || [];
  select.replaceChildren(el('option', { value: '', text: model?.default_quality ? `model default (${model.default_quality})` : 'model default' }),
    ...qualities.map(q => el('option', { value: q, text: q, selected: q === current })));
  const partials = $('#form-generate select[name="partial_images"]');
  partials.disabled = model && model.streams_partial_images === false;
}

async function choose(capability, backend, model) {
  try {
    state = await api('PUT', '/api/selection', { capability, backend, model });
    render();
  } catch (e) {
    banner(`${e.kind}: ${e.message}`);
    await loadState();
  }
}

function renderUses() {
  const uses = capability => {
    const cap = state.capabilities.find(c => c.capability === capability);
    const backend = cap && cap.backends.find(b => b.id === cap.backend);
    return backend ? `with ${backend.label}${cap.model ? ` · ${cap.model}` : ''}` : 'no backend chosen';
  };
  $('#form-generate .uses').textContent = uses('text-to-image');
  $('#form-edit .uses').textContent = uses('image-edit');
  $('#form-analyze .uses').textContent = uses('image-analysis');
}

let timeoutTimer = null;
function renderTimeout() {
  const number = $('#timeout-number');
  const range = $('#timeout-range');
  if (document.activeElement === number || document.activeElement === range) return;
  number.value = Math.round(state.timeout_secs);
  range.value = Math.min(900, Math.round(state.timeout_secs));
}

function setTimeoutSoon(seconds) {
  clearTimeout(timeoutTimer);
  timeoutTimer = setTimeout(async () => {
    try {
      state = await api('PUT', '/api/timeout', { seconds: Number(seconds) });
      banner('');
    } catch (e) {
      banner(`${e.kind}: ${e.message}`);
    }
  }, 400);
}

function renderPlugins() {
  $('#plugins-dir').textContent = state.plugins_dir;
  const empty = $('#plugins-empty');
  empty.hidden = !state.empty_hint;
  empty.textContent = state.empty_hint || '';
  const previous = new Map([...document.querySelectorAll('#plugins li')].map(li => [li.dataset.file, li.dataset.revision]));
  $('#plugins').replaceChildren(...state.plugins.map(p => {
    const info = p.info;
    const when = p.loaded_at_ms ? new Date(p.loaded_at_ms).toLocaleTimeString() : '';
    const fresh = previous.size && previous.get(p.file_name) !== String(p.revision ?? '');
    return el('li', { 'data-file': p.file_name, 'data-revision': p.revision ?? '', 'data-contract': p.contract || '', class: fresh ? 'fresh' : null },
      el('div', {}, el('span', { class: 'label', text: info ? `${info.label} ${info.version}` : 'not loaded' }), ' ',
        el('span', { class: 'file', text: p.file_name })),
      info ? el('div', { class: 'meta', text: `contract ${p.contract} · revision ${p.revision} · loaded ${when} (${p.cached ? 'from the compile cache' : 'compiled'} in ${p.load_ms} ms) · prompts: ${info.prompt_style}` }) : null,
      info ? el('div', { class: 'meta', text: info.description }) : null,
      p.error ? el('div', { class: 'error', text: p.loaded ? `The new file was not loaded; still serving the previous one: ${p.error}` : p.error }) : null);
  }));
}

// ---- settings forms, from each backend's declared settings ----

function settingField(plugin, spec, values, secrets) {
  const kind = spec.kind.name;
  const id = `s-${plugin.id}-${spec.name}`;
  const given = values[spec.name];
  const placeholder = spec.default === null || spec.default === undefined ? '' : `default: ${Array.isArray(spec.default) ? JSON.stringify(spec.default) : spec.default}`;
  const help = spec.help ? el('span', { class: 'hint', text: spec.help }) : null;
  const label = `${spec.label}${spec.required ? ' *' : ''}`;
  let input;
  switch (kind) {
    case 'secret': {
      const secret = secrets[spec.name] || {};
      input = el('input', { id, type: 'password', name: spec.name, 'data-kind': kind, autocomplete: 'new-password', spellcheck: 'false',
        placeholder: secret.set ? 'type a new value to replace it' : 'not set' });
      const status = el('span', { class: `secret-state${secret.set ? ' set' : ''}`, 'data-secret': spec.name });
      describeSecret(status, secret);
      const parts = [el('label', { for: id }, label, input), status];
      if (spec.name === 'api-key') {
        parts.push(el('label', { class: 'check' },
          el('input', { type: 'checkbox', name: 'remember', checked: secret.saved, disabled: !state.can_save_keys }),
          state.can_save_keys ? 'Save the key on this computer (readable by you only)' : 'Saving keys is not available'));
      }
      if (secret.source === 'typed' || secret.source === 'saved') {
        parts.push(el('button', { type: 'button', class: 'danger', text: 'Forget this key', 'data-forget': spec.name }));
      }
      parts.push(help);
      return el('div', { class: 'field' }, ...parts);
    }
    case 'flag':
      input = el('input', { id, type: 'checkbox', name: spec.name, 'data-kind': kind, checked: given ?? spec.default ?? false });
      return el('div', { class: 'field' }, el('label', { class: 'check', for: id }, input, label), help);
    case 'choice':
      input = el('select', { id, name: spec.name, 'data-kind': kind },
        el('option', { value: '', text: placeholder || 'default' }),
        spec.kind.choices.map(c => el('option', { value: c, text: c, selected: c === given })));
      break;
    case 'number':
      input = el('input', { id, type: 'number', name: spec.name, 'data-kind': kind, value: given ?? '', placeholder,
        min: spec.kind.min ?? undefined, max: spec.kind.max ?? undefined, step: spec.kind.integer ? 1 : 'any' });
      break;
    case 'duration':
      input = el('input', { id, type: 'number', name: spec.name, 'data-kind': kind, min: 0, step: 'any',
        value: given === undefined ? '' : given / 1000,
        placeholder: spec.default === null ? '' : `default: ${spec.default / 1000} s` });
      return el('div', { class: 'field' }, el('label', { for: id }, `${label} (seconds)`, input), help);
    case 'text-list':
      input = el('textarea', { id, name: spec.name, 'data-kind': kind, rows: 2, placeholder: 'one per line', value: (given || []).join('\n') });
      break;
    case 'pairs':
      input = el('textarea', { id, name: spec.name, 'data-kind': kind, rows: 2, placeholder: 'Name: value, one per line',
        value: (given || []).map(([n, v]) => `${n}: ${v}`).join('\n') });
      break;
    default:
      input = el('input', { id, type: kind === 'url' ? 'url' : 'text', name: spec.name, 'data-kind': kind, value: given ?? '', placeholder, spellcheck: 'false' });
  }
  return el('div', { class: 'field' }, el('label', { for: id }, label, input), help);
}

function describeSecret(node, secret) {
  const from = { typed: 'typed in', saved: 'saved on this computer', environment: 'from OPENAI_API_KEY', mock: 'the embedded mock\'s key' };
  node.textContent = secret.set ? `Set: ${secret.masked} (${from[secret.source] || secret.source}). It stays on the server.` : 'Not set.';
  node.className = `secret-state${secret.set ? ' set' : ''}`;
}

function refreshSecretStates() {
  for (const plugin of state.plugins) {
    const settings = state.settings[plugin.id];
    if (!settings) continue;
    for (const node of document.querySelectorAll(`details.backend[data-backend="${plugin.id}"] [data-secret]`)) {
      describeSecret(node, settings.secrets[node.dataset.secret] || {});
    }
    const reach = $(`details.backend[data-backend="${plugin.id}"] .reach`);
    if (reach) reach.textContent = reachText(settings);
  }
}

function reachText(settings) {
  const hosts = settings.allowed_hosts;
  return `This backend may reach: ${hosts && hosts.length ? hosts.join(', ') : 'nothing (no network)'}.`;
}

function renderSettings() {
  const chosen = new Set(state.capabilities.map(c => c.backend));
  const open = new Set([...document.querySelectorAll('details.backend[open]')].map(d => d.dataset.backend));
  const box = $('#backend-settings');
  const loaded = state.plugins.filter(p => p.info);
  if (!loaded.length) {
    box.replaceChildren(el('p', { class: 'empty', text: 'No backend is loaded.' }));
    return;
  }
  box.replaceChildren(...loaded.map(plugin => {
    const settings = state.settings[plugin.id] || { values: {}, secrets: {} };
    const specs = plugin.info.settings.filter(s => s.name !== 'generation-timeout');
    // The key, where the service is, and what is required first; the rest folded away.
    const main = specs.filter(s => s.required || s.name === 'api-key' || s.name === 'base-url');
    const more = specs.filter(s => !main.includes(s));
    const field = spec => settingField(plugin, spec, settings.values, settings.secrets);
    const message = el('span', { role: 'status' });
    const form = el('form', { 'data-backend': plugin.id, autocomplete: 'off', onsubmit: e => { e.preventDefault(); saveSettings(plugin, form, message); } },
      specs.length ? main.map(field) : el('p', { class: 'hint', text: 'This backend takes no settings.' }),
      more.length ? el('details', { class: 'more' }, el('summary', { text: `More settings (${more.length})` }), more.map(field)) : null,
      el('p', { class: 'reach', text: reachText(settings) }),
      el('div', { class: 'settings-actions' }, specs.length ? el('button', { type: 'submit', class: 'primary', text: 'Save' }) : null, message));
    form.addEventListener('click', e => {
      const name = e.target.dataset && e.target.dataset.forget;
      if (name) forgetSecret(plugin, name, message);
    });
    const isOpen = open.size ? open.has(plugin.id) : chosen.has(plugin.id) && plugin.info.settings.length > 0;
    return el('details', { class: 'backend', 'data-backend': plugin.id, open: isOpen },
      el('summary', {}, plugin.info.label, ' ', el('span', { class: 'file', text: plugin.file_name })),
      form);
  }));
}

function collect(form) {
  const values = {};
  const secrets = {};
  for (const input of form.querySelectorAll('[data-kind]')) {
    const kind = input.dataset.kind;
    const raw = input.value;
    switch (kind) {
      case 'secret':
        if (raw.trim()) secrets[input.name] = raw.trim();
        break;
      case 'flag': values[input.name] = input.checked; break;
      case 'number': values[input.name] = raw === '' ? null : Number(raw); break;
      case 'duration': values[input.name] = raw === '' ? null : Math.round(Number(raw) * 1000); break;
      case 'text-list': values[input.name] = raw.trim() ? raw.split('\n').map(s => s.trim()).filter(Boolean) : null; break;
      case 'pairs':
        values[input.name] = raw.trim() ? raw.split('\n').filter(l => l.trim()).map(line => {
          const at = line.indexOf(':');
          return at < 0 ? [line.trim(), ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
        }) : null;
        break;
      default: values[input.name] = raw.trim() === '' ? null : raw.trim();
    }
  }
  const remember = form.querySelector('input[name="remember"]');
  return { values, secrets, remember: remember && !remember.disabled ? remember.checked : null };
}

async function saveSettings(plugin, form, message) {
  const body = collect(form);
  const settings = state.settings[plugin.id] || { secrets: {} };
  const wasSaved = Boolean(settings.secrets['api-key'] && settings.secrets['api-key'].saved);
  if (body.remember === wasSaved && !body.secrets['api-key']) body.remember = null;
  message.className = '';
  message.textContent = 'saving…';
  try {
    state = await api('PUT', `/api/settings/${encodeURIComponent(plugin.id)}`, body);
    for (const input of form.querySelectorAll('input[type="password"]')) input.value = '';
    settingsSignature = '';
    render();
    const again = $(`details.backend[data-backend="${plugin.id}"] [role="status"]`);
    if (again) { again.className = 'settings-ok'; again.textContent = 'Saved; checking again.'; }
  } catch (e) {
    message.className = 'settings-error';
    message.textContent = `${e.kind}: ${e.message}`;
  }
}

async function forgetSecret(plugin, name, message) {
  try {
    state = await api('PUT', `/api/settings/${encodeURIComponent(plugin.id)}`, { clear: [name] });
    settingsSignature = '';
    render();
  } catch (e) {
    message.className = 'settings-error';
    message.textContent = `${e.kind}: ${e.message}`;
  }
}

// ---- jobs ----

const jobs = new Map(); // id -> { job, node, received }
const blobs = new Map(); // image url -> Promise<object URL>

function imageUrl(url) {
  if (!blobs.has(url)) {
    blobs.set(url, fetch(url, { headers: { Authorization: `Bearer ${token}` } })
      .then(r => { if (!r.ok) throw new Error(`HTTP ${r.status}`); return r.blob(); })
      .then(blob => URL.createObjectURL(blob)));
  }
  return blobs.get(url);
}

function showImage(img, url) {
  imageUrl(url).then(src => { img.src = src; }, e => { img.alt = `could not load: ${e.message}`; });
}

const KIND = { generate: 'Generate', edit: 'Edit', analyze: 'Analyze' };

function renderJob(entry) {
  const { job } = entry;
  const node = entry.node || el('article', { class: 'job' });
  entry.node = node;
  node.dataset.id = job.id;
  node.dataset.state = job.state;
  node.dataset.backend = job.backend;
  const meta = [job.backend_label, job.model, job.format, job.references && job.kind === 'edit' ? `${job.references} reference${job.references > 1 ? 's' : ''}${job.mask ? ' + mask' : ''}` : null]
    .filter(Boolean).join(' · ');
  const elapsed = el('span', { class: 'elapsed' });
  const header = el('header', {},
    el('span', { class: 'kind', text: KIND[job.kind] || job.kind }),
    el('span', { class: 'state', text: job.state }),
    el('span', { class: 'meta', text: `${meta} · ${job.backend_file} (rev ${job.revision})` }),
    elapsed,
    job.state === 'running' ? el('button', { type: 'button', class: 'cancel danger', text: 'Cancel', onclick: e => cancelJob(job.id, e.target) }) : null);
  entry.elapsedNode = elapsed;
  tick(entry);

  const keepPartials = node.querySelector('.partials');
  const partials = keepPartials && keepPartials.childElementCount === job.partials.length ? keepPartials
    : el('div', { class: 'partials' }, job.partials.map(p => {
      const img = el('img', { class: 'partial', alt: `partial image ${p.partial_index + 1}`, 'data-partial-index': p.partial_index });
      showImage(img, p.url);
      return el('figure', {}, img, el('figcaption', { text: `partial ${p.partial_index + 1}` }));
    }));

  const keepImages = node.querySelector('.images');
  const images = keepImages && keepImages.childElementCount === job.images.length ? keepImages
    : el('div', { class: 'images' }, job.images.map(image => {
      const img = el('img', { class: 'result', alt: job.prompt });
      const link = el('a', { href: '#', download: image.file_name, text: 'Download', class: 'download' });
      imageUrl(image.url).then(src => { img.src = src; link.href = src; }, e => { img.alt = `could not load: ${e.message}`; });
      return el('figure', {}, img, el('figcaption', {},
        el('span', { class: 'described', text: `${image.mime_type} · ${image.width}×${image.height} · ${formatBytes(image.bytes)}` }), link));
    }));

  const parts = [header,
    el('p', { class: 'prompt', text: job.prompt }),
    job.revised_prompt ? el('p', { class: 'hint', text: `Revised prompt: ${job.revised_prompt}` }) : null,
    partials,
    images,
    job.analysis ? el('div', { class: 'analysis', text: job.analysis.text || '(an empty answer)' }) : null,
    job.analysis && job.analysis.truncated ? el('p', { class: 'hint', text: 'The answer was cut short by the token limit.' }) : null,
    job.error ? el('div', { class: 'error' }, el('span', { class: 'kind', text: job.error.kind }), el('span', { class: 'message', text: job.error.message })) : null];
  node.replaceChildren(...parts.filter(Boolean));
  return node;
}

function tick(entry) {
  if (!entry.elapsedNode) return;
  const { job } = entry;
  const ms = job.state === 'running' ? job.elapsed_ms + (performance.now() - entry.received) : job.elapsed_ms;
  entry.elapsedNode.textContent = formatMs(ms);
}

function upsertJob(job) {
  let entry = jobs.get(job.id);
  if (entry && entry.job.state !== 'running' && job.state === 'running') return; // an older event
  if (!entry) {
    entry = { job, node: null, received: performance.now() };
    jobs.set(job.id, entry);
    renderJob(entry);
    const list = $('#jobs');
    const newer = [...list.children].find(n => Number(n.dataset.id) < job.id);
    list.insertBefore(entry.node, newer || null);
  } else {
    entry.job = job;
    entry.received = performance.now();
    renderJob(entry);
  }
  $('#jobs-empty').hidden = jobs.size > 0;
}

async function loadJobs() {
  const list = await api('GET', '/api/jobs');
  for (const job of list.slice().reverse()) upsertJob(job);
}

async function cancelJob(id, button) {
  button.disabled = true;
  button.textContent = 'Cancelling…';
  try {
    const answer = await api('POST', `/api/jobs/${id}/cancel`);
    if (answer.job) upsertJob(answer.job);
  } catch (e) {
    banner(`${e.kind}: ${e.message}`);
  }
}

function formError(text) {
  const node = $('#form-error');
  node.hidden = !text;
  node.textContent = text || '';
}

async function submitJob(form, path, body) {
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  formError('');
  try {
    const job = await api('POST', path, body);
    upsertJob(job);
  } catch (e) {
    formError(`${e.kind}: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function checkFiles(files, limit, what) {
  for (const file of files) {
    if (file.size > limit) return `${what} ${JSON.stringify(file.name)} is ${formatBytes(file.size)}: larger than ${limit / MIB} MB, the most this takes`;
  }
  return null;
}

function wireForms() {
  const generate = $('#form-generate');
  generate.addEventListener('submit', e => {
    e.preventDefault();
    const data = new FormData(generate);
    submitJob(generate, '/api/generate', {
      prompt: data.get('prompt'),
      format: data.get('format'),
      quality: data.get('quality') || null,
      partial_images: Number(data.get('partial_images') || 0),
    });
  });

  const edit = $('#form-edit');
  edit.addEventListener('submit', e => {
    e.preventDefault();
    const data = new FormData(edit);
    const references = data.getAll('image').filter(f => f.size > 0 || f.name);
    const mask = data.get('mask');
    const problem = !references.length ? 'add at least one reference image (PNG, JPEG or WebP)'
      : checkFiles(references, LIMITS.reference, 'the reference image')
        || (mask && mask.size ? checkFiles([mask], LIMITS.mask, 'the mask') : null);
    if (problem) { formError(`invalid-input: ${problem}`); return; }
    if (!mask || !mask.size) data.delete('mask');
    submitJob(edit, '/api/edit', data);
  });

  const analyze = $('#form-analyze');
  analyze.addEventListener('submit', e => {
    e.preventDefault();
    const data = new FormData(analyze);
    const image = data.get('image');
    const problem = !image || !image.size ? 'add the image to analyze' : checkFiles([image], LIMITS.analyze, 'the image');
    if (problem) { formError(`invalid-input: ${problem}`); return; }
    submitJob(analyze, '/api/analyze', data);
  });

  for (const tab of document.querySelectorAll('.tabs button')) {
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll('.tabs button')) other.setAttribute('aria-selected', String(other === tab));
      for (const form of document.querySelectorAll('.job-form')) form.hidden = form.dataset.tab !== tab.dataset.tab;
      formError('');
    });
  }

  const number = $('#timeout-number');
  const range = $('#timeout-range');
  range.addEventListener('input', () => { number.value = range.value; setTimeoutSoon(range.value); });
  number.addEventListener('change', () => { range.value = Math.min(900, Number(number.value)); setTimeoutSoon(number.value); });

  $('#refresh-status').addEventListener('click', async () => {
    try { renderPills(await api('POST', '/api/status/refresh')); } catch (e) { banner(`${e.kind}: ${e.message}`); }
  });
}

// ---- the event stream: one per page ----

function setConnection(text) {
  const node = $('#conn');
  node.dataset.state = text;
  node.textContent = text;
}

function dispatch(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    let value = at < 0 ? '' : line.slice(at + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join('\n'));
  if (name === 'job') upsertJob(payload);
  else if (name === 'pills') renderPills(payload);
  else if (name === 'state') reloadStateSoon();
}

async function listen() {
  for (let first = true; ; first = false) {
    try {
      if (!first) await Promise.all([loadState(), loadJobs()]);
      const response = await fetch('/api/events', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (response.status === 401) {
        banner('This page needs the access token: open the URL that `visual-host serve` printed.');
        setConnection('locked');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setConnection('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (e) {
      // fall through: reconnect
    }
    setConnection('reconnecting');
    await sleep(1000);
  }
}

async function start() {
  wireForms();
  setInterval(() => { for (const entry of jobs.values()) if (entry.job.state === 'running') tick(entry); }, 250);
  if (!token) {
    banner('This page needs the access token: open the URL that `visual-host serve` printed (it ends in ?token=...).');
    setConnection('locked');
    return;
  }
  try {
    await Promise.all([loadState(), loadJobs()]);
  } catch (e) {
    if (e.status === 401) {
      banner('The access token was not accepted: open the URL that `visual-host serve` printed this time.');
      setConnection('locked');
      return;
    }
    showLoadError(e);
  }
  listen();
}

start();
