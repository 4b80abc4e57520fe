// The Visualizer page. Every text it shows is set with textContent (never
// innerHTML), every API call carries the token in a header (never in a URL),
// and one event stream per page brings jobs, the gallery, pills and state
// changes. Images load by URL (`/images/KEY.EXT`: a random key per image, no
// token), always through <img>: an SVG a model wrote is never inlined.
'use strict';

const TOKEN_KEY = 'visual-host-token';
const MIB = 1024 * 1024;
const LIMITS = { reference: 50 * MIB, mask: 4 * MIB, analyze: 20 * MIB, option: 50 * MIB };
const OTHER_MODEL = '(another model id)';

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
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Builds an element: attributes by name, `text` as textContent, children appended. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'value') node.value = value;
    else if (name === 'checked' || name === 'disabled' || name === 'selected' || name === 'hidden') node[name] = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Text with `backtick` spans shown as code, built as text nodes (never markup). */
function richText(text) {
  return String(text ?? '').split('`').map((part, i) => (i % 2 ? el('code', { text: part }) : document.createTextNode(part)));
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

// What each error kind is called on the page.
const LABELS = {
  'invalid-input': 'Invalid input', unsupported: 'Not supported', authentication: 'Authentication failed',
  'permission-denied': 'Permission denied', 'not-found': 'Not found', 'content-policy': 'Refused by the content policy',
  'rate-limited': 'Rate limited', 'quota-exceeded': 'Quota exceeded', timeout: 'Timed out', network: 'Network error',
  upstream: 'Service error', 'malformed-response': 'Malformed response', cancelled: 'Cancelled',
  settings: 'Settings needed', host: 'Host error', forbidden: 'Forbidden', unauthorized: 'Not authorized',
};
const errorLabel = kind => LABELS[kind] || (kind ? kind.charAt(0).toUpperCase() + kind.slice(1).replace(/-/g, ' ') : 'Error');
const sentence = text => { const t = String(text || '').trim(); return t && !/[.!?]$/.test(t) ? `${t}.` : t; };
const errorText = e => `${errorLabel(e.kind)}: ${sentence(e.message)}`;

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const formatBytes = n => n >= MIB ? `${(n / MIB).toFixed(n >= 100 * MIB ? 0 : 2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
const formatMs = ms => ms >= 10000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
const formatUsd = usd => `$${usd.toFixed(4)}`;
const formatSeconds = s => `${Number.isInteger(s) ? s : Number(s.toFixed(3))}`;
const TYPE_NAMES = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'image/gif': 'GIF', 'image/svg+xml': 'SVG' };
const typeName = mime => TYPE_NAMES[mime] || mime;
/** `$0.0321`, `at least $0.0321` (part of the usage had no price), `—` (no price known). */
function costText(cost) {
  if (!cost || typeof cost.usd !== 'number') return '—';
  return cost.complete === false ? `at least ${formatUsd(cost.usd)}` : formatUsd(cost.usd);
}
function costTitle(cost) {
  if (!cost) return 'No estimate: the model\'s prices are unknown, or the service reported no usage';
  const items = (cost.items || []).map(i => `${i.what}: ${i.tokens} tokens × $${i.usd_per_million}/M = ${formatUsd(i.usd)}`);
  return ['Estimated from the usage the service reported and the model\'s prices', ...items,
    cost.complete === false ? 'Part of the usage had no known price: this is a lower bound' : null].filter(Boolean).join('\n');
}

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
  banner(`Could not read the server's state: ${errorText(e)}`);
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
  renderSpent();
  // The gallery's own list (kept current by its events) says how many; the state names the cap.
  if (state.gallery && !gallery.cap) gallery.cap = state.gallery.cap;
  renderGallerySummary(gallery);
}

function renderSpent() {
  const total = state.cost_total;
  if (!total) return;
  const node = $('#spent');
  const unpriced = total.unpriced ? `; ${total.unpriced} result${total.unpriced > 1 ? 's' : ''} had no price` : '';
  node.textContent = total.priced || total.unpriced
    ? `Spent since start: ${total.complete ? '' : 'at least '}${formatUsd(total.usd)}${unpriced}`
    : 'Spent since start: $0.0000';
  node.dataset.usd = total.usd;
}

function renderPills(pills) {
  if (state) state.pills = pills;
  const box = $('#pills');
  box.replaceChildren(...pills.map(p => {
    const title = [p.label, p.backend_label, p.model, p.problem && errorLabel(p.problem), p.message].filter(Boolean).join(' · ');
    const refs = p.references !== null && p.references !== undefined
      ? el('span', { class: 'refs', text: `up to ${p.references} reference image${p.references === 1 ? '' : 's'}`,
        title: `The chosen model takes up to ${p.references} reference image${p.references === 1 ? '' : 's'} in one edit` })
      : null;
    return el('div', {
      class: `pill${p.checking ? ' checking' : ''}`,
      'data-capability': p.capability,
      'data-light': p.light,
      'data-verified': p.verified ? 'true' : null,
      title,
    },
    el('span', { class: 'head' }, el('span', { class: 'dot' }), el('span', { class: 'name', text: p.label }), refs),
    el('span', { class: 'msg' }, p.checking ? 'checking…' : richText(sentence(p.message))));
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

/** Replaces a select's options only when they changed (a focused select keeps its focus), then sets its value. */
function setOptions(select, options, value) {
  const signature = JSON.stringify(options.map(o => [o.value, o.text, Boolean(o.disabled)]));
  if (select.dataset.options !== signature) {
    select.dataset.options = signature;
    select.replaceChildren(...options.map(o => el('option', { value: o.value, text: o.text, disabled: o.disabled })));
  }
  select.value = value;
}

// One row per capability, built once and updated in place: a select keeps
// its focus (and a keyboard user's place) while the page redraws it.
const rows = new Map();

function capabilityRow(cap) {
  const row = { capability: cap.capability, seq: 0, cap };
  row.backend = el('select', { name: 'backend', 'aria-label': `${cap.label} backend` });
  row.model = el('select', { name: 'model', 'aria-label': `${cap.label} model` });
  row.otherInput = el('input', { type: 'text', name: 'model-id', spellcheck: 'false', 'aria-label': `${cap.label}: another model id`,
    placeholder: 'a model id, e.g. gpt-image-2.7-nova' });
  row.otherButton = el('button', { type: 'button', text: 'Use' });
  row.other = el('div', { class: 'other-model', hidden: true }, row.otherInput, row.otherButton);
  row.note = el('p', { class: 'model-note' });
  row.notice = el('p', { class: 'notice', role: 'status', hidden: true });
  row.refs = el('span', { class: 'refs hint' });
  row.node = el('div', { class: 'capability', 'data-capability': cap.capability },
    el('h3', {}, el('span', { class: 'dot', 'data-light': 'grey' }), cap.label, row.refs),
    el('label', {}, 'Backend', row.backend),
    row.notice,
    el('label', {}, 'Model', row.model),
    row.other,
    row.note);
  row.backend.addEventListener('change', () => {
    // The model list is the old backend's until the new one arrives: nothing in it can be picked.
    row.seq++;
    setOptions(row.model, [{ value: '', text: 'loading the models…' }], '');
    row.model.disabled = true;
    row.other.hidden = true;
    choose(row.capability, row.backend.value, null);
  });
  row.model.addEventListener('change', () => {
    if (row.model.value === OTHER_MODEL) {
      row.other.hidden = false;
      row.otherInput.focus();
      return;
    }
    row.other.hidden = true;
    // The backend is the one this row shows now, never one remembered from an older drawing.
    choose(row.capability, row.backend.value, row.model.value);
  });
  const useOther = () => {
    const id = row.otherInput.value.trim();
    if (!id) return;
    // Back to the list, which shows the id once the choice is made.
    row.other.hidden = true;
    row.otherInput.value = '';
    row.model.focus();
    choose(row.capability, row.backend.value, id);
  };
  row.otherButton.addEventListener('click', useOther);
  row.otherInput.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); useOther(); } });
  rows.set(cap.capability, row);
  return row;
}

function renderCapabilities() {
  const box = $('#capabilities');
  for (const cap of state.capabilities) {
    const row = rows.get(cap.capability) || capabilityRow(cap);
    if (row.node.parentNode !== box) box.append(row.node);
    updateRow(row, cap);
  }
}

function updateRow(row, cap) {
  const pill = state.pills.find(p => p.capability === cap.capability) || {};
  $('h3 .dot', row.node).dataset.light = pill.light || 'grey';
  row.refs.textContent = cap.capability === 'image-edit' && pill.references !== null && pill.references !== undefined
    ? ` · up to ${pill.references} reference image${pill.references === 1 ? '' : 's'}` : '';
  const backends = cap.backends.length
    ? cap.backends.map(b => ({ value: b.id, text: `${b.label} (${b.file_name})` }))
    : [{ value: '', text: 'no backend offers this' }];
  setOptions(row.backend, backends, cap.backend || '');
  row.backend.disabled = !cap.backends.length;
  row.notice.hidden = !cap.notice;
  row.notice.replaceChildren(...richText(cap.notice || ''));
  row.cap = cap;
  if (!cap.backend) {
    setOptions(row.model, [{ value: '', text: 'no model' }], '');
    row.model.disabled = true;
    row.note.textContent = '';
    modelChosen(cap, null, null);
    return;
  }
  fillModels(row, cap);
}

async function fillModels(row, cap) {
  const seq = ++row.seq;
  let list;
  try {
    list = await api('GET', `/api/models?backend=${encodeURIComponent(cap.backend)}&capability=${cap.capability}`);
  } catch (e) {
    if (seq === row.seq) row.note.textContent = `Models unavailable: ${errorText(e)}`;
    return;
  }
  if (seq !== row.seq) return; // a newer drawing asked since
  modelLists.set(`${cap.backend}|${cap.capability}`, list);
  const models = list.models.slice();
  const typed = cap.model && !models.some(m => m.id === cap.model);
  if (typed) models.unshift({ id: cap.model, label: cap.model, selectable: true, listed: true, known: false, typed: true });
  const options = models.map(m => {
    const extra = [m.typed ? 'typed in' : '', lifecycleText(m), m.listed === false && m.lifecycle?.state !== 'retired' ? 'not offered to this key' : '']
      .filter(Boolean).join('; ');
    const label = m.label && m.label !== m.id ? `${m.label} (${m.id})` : m.id;
    return { value: m.id, text: extra ? `${label} — ${extra}` : label, disabled: !m.selectable };
  });
  if (list.accepts_unknown_models) options.push({ value: OTHER_MODEL, text: 'Another model id…' });
  const otherOpen = !row.other.hidden && document.activeElement && row.other.contains(document.activeElement);
  setOptions(row.model, options, otherOpen ? OTHER_MODEL : cap.model || '');
  row.model.disabled = false;
  if (!otherOpen) row.other.hidden = true;
  const chosen = models.find(m => m.id === cap.model);
  const parts = [];
  if (chosen?.note) parts.push(sentence(chosen.note));
  if (chosen && lifecycleText(chosen)) parts.push(sentence(lifecycleText(chosen)));
  if (chosen && chosen.known === false) parts.push(`${list.backend_label} does not know this model: it passes the request on as given, and the service decides.`);
  if (list.source === 'live') {
    parts.push(list.service ? 'Models as the service lists them for this key.' : `Models as ${list.backend_label} lists them.`);
  } else {
    parts.push(sentence(list.note) || 'Models the backend knows.');
  }
  row.note.replaceChildren(...richText(parts.join(' ')));
  row.note.className = `model-note${chosen?.lifecycle?.state === 'deprecated' ? ' warn' : ''}${chosen?.lifecycle?.state === 'retired' ? ' bad' : ''}`;
  modelChosen(cap, chosen || (cap.model ? { id: cap.model, known: false } : null), list);
}

async function choose(capability, backend, model) {
  try {
    state = await api('PUT', '/api/selection', { capability, backend, model });
    banner('');
    render();
  } catch (e) {
    banner(errorText(e));
    await loadState();
  }
}

function renderUses() {
  const uses = capability => {
    const cap = state.capabilities.find(c => c.capability === capability);
    const backend = cap && cap.backends.find(b => b.id === cap.backend);
    return backend ? `with ${backend.label}${cap.model ? ` · ${cap.model}` : ''}` : 'no backend chosen';
  };
  for (const form of $$('.job-form')) $('.uses', form).textContent = uses(form.dataset.capability);
}

// ---- the job forms' model fields, from the chosen model's declaration ----

const chosenModels = new Map(); // capability -> { model, list }

function formOf(capability) {
  return $(`.job-form[data-capability="${capability}"]`);
}

function modelChosen(cap, model, list) {
  chosenModels.set(cap.capability, { model, list, backend: cap.backend });
  const form = formOf(cap.capability);
  if (!form) return;
  const signature = JSON.stringify([cap.backend, model && model.id, model && model.known, list && list.source,
    model && [model.qualities, model.output_formats, model.options, model.sizes, model.max_images, model.streams_partial_images]]);
  if (form.dataset.signature !== signature) {
    form.dataset.signature = signature;
    renderModelFields(form, cap.capability, model);
  }
  updateCounter(form);
  renderUses();
}

const makesImages = capability => capability !== 'image-analysis';

function renderModelFields(form, capability, model) {
  const box = $('.model-fields', form);
  // Keep what the user set in fields that stay.
  const kept = new Map();
  for (const input of $$('[name]', box)) {
    if (input.type === 'file') continue;
    if (input.type === 'radio') { if (input.checked) kept.set(input.name, input.value); continue; }
    kept.set(input.name, input.type === 'checkbox' ? input.checked : input.value);
  }
  const known = Boolean(model && model.known);
  const id = `${form.id}-f`;
  const parts = [];
  if (makesImages(capability)) parts.push(sizeField(id, model, known));
  const row = [];
  if (makesImages(capability)) {
    row.push(qualityField(id, model, known));
    row.push(outputFormatField(id, model, known));
    row.push(countField(id, model, known));
    row.push(partialsField(id, model, known));
  } else {
    row.push(el('label', {}, 'Answer token limit', el('input', { type: 'number', name: 'max_tokens', min: 1, step: 1, placeholder: 'the backend\'s default' })));
  }
  parts.push(el('div', { class: 'row' }, row.filter(Boolean)));
  const options = (model && model.options) || [];
  if (options.length) {
    // Folded: every option has a default; the summary names the ones set.
    const open = Boolean($('details.options[open]', box));
    parts.push(el('details', { class: 'options', open },
      el('summary', {}, `${model.id} options (${options.length}): ${options.map(o => o.label).join(', ')}`, el('span', { class: 'set' })),
      el('div', { class: 'row' }, options.map(spec => optionField(id, spec)))));
  }
  box.replaceChildren(...parts.filter(Boolean));
  for (const input of $$('[name]', box)) {
    if (!kept.has(input.name) || input.type === 'file') continue;
    const value = kept.get(input.name);
    if (input.type === 'radio') input.checked = input.value === value;
    else if (input.type === 'checkbox') input.checked = value;
    else if (input.tagName === 'SELECT') { if ([...input.options].some(o => o.value === value && !o.disabled)) input.value = value; }
    else input.value = value;
  }
  const formats = $$('input[name="format"]', box);
  if (formats.length && !formats.some(r => r.checked)) formats[0].checked = true;
  syncFields(form);
}

function sizeField(id, model, known) {
  const sizes = (model && model.sizes) || { formats: {}, free: null };
  const free = known ? sizes.free : null;
  const custom = !known || Boolean(free);
  const name = format => format.charAt(0).toUpperCase() + format.slice(1);
  const radios = ['landscape', 'portrait', 'square'].map(format => {
    const size = sizes.formats && sizes.formats[format];
    return el('label', {}, el('input', { type: 'radio', name: 'format', value: format, checked: format === 'landscape' }),
      ` ${name(format)}`, size ? el('span', { class: 'dim', text: ` ${size.replace('x', '×')}` }) : null);
  });
  if (custom) radios.push(el('label', {}, el('input', { type: 'radio', name: 'format', value: 'custom' }), ' Custom size'));
  const rule = free
    ? `Both sides multiples of ${free.step}; the shorter side from ${free.min_side} to ${free.max_short_side}, the longer at most ${free.max_long_side} and at most ${free.max_aspect_ratio} times the shorter.`
    : 'The backend does not know this model: any size is passed on, and the service decides.';
  const attrs = free ? { min: free.min_side, max: free.max_long_side, step: free.step } : { min: 1, step: 1 };
  const customBox = el('div', { class: 'custom-size', hidden: true },
    el('label', {}, 'Width', el('input', { type: 'number', name: 'width', id: `${id}-width`, ...attrs, value: 1536 })),
    el('span', { class: 'times', text: '×' }),
    el('label', {}, 'Height', el('input', { type: 'number', name: 'height', id: `${id}-height`, ...attrs, value: 1024 })),
    el('p', { class: 'hint rule', text: rule }),
    el('p', { class: 'field-error size-error', role: 'alert', hidden: true }));
  customBox.dataset.free = free ? JSON.stringify(free) : '';
  return el('div', { class: 'size-field' }, el('fieldset', { class: 'formats' }, el('legend', { text: 'Size' }), radios), customBox);
}

function qualityField(id, model, known) {
  if (known) {
    const qualities = model.qualities || [];
    if (!qualities.length) return null;
    const def = model.default_quality;
    const options = qualities.includes(def)
      ? qualities.map(q => el('option', { value: q === def ? '' : q, text: q === def ? `${q} (model default)` : q, selected: q === def }))
      : [el('option', { value: '', text: def ? `model default (${def})` : 'model default' }), ...qualities.map(q => el('option', { value: q, text: q }))];
    return el('label', {}, 'Quality', el('select', { name: 'quality' }, options));
  }
  return el('label', {}, 'Quality', comboInput(`${id}-quality`, 'quality', ['low', 'medium', 'high', 'auto'], 'model default'));
}

function outputFormatField(id, model, known) {
  if (known) {
    const formats = model.output_formats || [];
    if (formats.length < 2) return null;
    const def = model.default_output_format || formats[0];
    return el('label', {}, 'Output format', el('select', { name: 'output_format' },
      formats.map(f => el('option', { value: f === def ? '' : f, text: f === def ? `${f} (default)` : f, 'data-format': f, selected: f === def }))));
  }
  return el('label', {}, 'Output format', comboInput(`${id}-output`, 'output_format', ['png', 'jpeg', 'webp', 'gif', 'svg'], 'the model\'s own'));
}

function countField(id, model, known) {
  const most = known ? model.max_images : null;
  if (known && !(most > 1)) return null;
  return el('label', {}, 'Images', el('input', { type: 'number', name: 'n', min: 1, max: most || undefined, step: 1, value: 1 }));
}

function partialsField(id, model, known) {
  const streams = !known || model.streams_partial_images;
  return el('label', { class: 'partials-field' }, 'Partial images',
    el('select', { name: 'partial_images', 'data-streams': streams ? 'true' : 'false' },
      [0, 1, 2, 3].map(n => el('option', { value: n, text: n ? String(n) : 'none', selected: streams ? n === 2 : n === 0 }))),
    el('span', { class: 'hint why', hidden: true }));
}

/** A text field with suggestions: a list and free text (for a model the backend does not know). */
function comboInput(id, name, suggestions, placeholder) {
  const list = el('datalist', { id: `${id}-list` }, suggestions.map(s => el('option', { value: s })));
  return el('span', { class: 'combo' }, el('input', { type: 'text', name, list: `${id}-list`, placeholder, spellcheck: 'false' }), list);
}

function optionField(id, spec) {
  const kind = spec.kind.name;
  const name = `option:${spec.name}`;
  const help = spec.help ? el('span', { class: 'hint', text: spec.help }) : null;
  const label = `${spec.label}${spec.required ? ' *' : ''}`;
  const def = spec.default;
  let input;
  switch (kind) {
    case 'choice':
      input = el('select', { name, 'data-kind': kind },
        el('option', { value: '', text: def !== null && def !== undefined ? `${def} (default)` : 'default' }),
        spec.kind.choices.filter(c => c !== def).map(c => el('option', { value: c, text: c })));
      break;
    case 'number':
      input = el('input', { type: 'number', name, 'data-kind': kind, min: spec.kind.min ?? undefined, max: spec.kind.max ?? undefined,
        step: spec.kind.step || (spec.kind.integer ? 1 : 'any'), placeholder: def !== null && def !== undefined ? `default: ${def}` : '' });
      break;
    case 'flag':
      input = el('input', { type: 'checkbox', name, 'data-kind': kind, checked: Boolean(def), 'data-default': def ? 'true' : 'false' });
      return el('div', { class: 'option' }, el('label', { class: 'check' }, input, label), help);
    case 'image': {
      const types = spec.kind.types && spec.kind.types.length ? spec.kind.types : ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
      input = el('input', { type: 'file', name, 'data-kind': kind, accept: types.join(','), 'data-types': types.join(',') });
      return el('div', { class: 'option' }, el('label', {}, `${label} (${types.map(typeName).join(', ')})`, input), help);
    }
    case 'json':
      input = el('textarea', { name, 'data-kind': kind, rows: 2, placeholder: def ? `default: ${def}` : 'JSON' });
      break;
    default:
      input = el('input', { type: 'text', name, 'data-kind': kind, placeholder: def ? `default: ${def}` : '' });
  }
  return el('div', { class: 'option' }, el('label', {}, label, input), help);
}

/** What depends on another field: the custom size box, partial images with a format that does not stream. */
function syncFields(form) {
  const box = $('.model-fields', form);
  const format = $('input[name="format"]:checked', box);
  const custom = $('.custom-size', box);
  if (custom) custom.hidden = !format || format.value !== 'custom';
  const partials = $('select[name="partial_images"]', box);
  if (partials) {
    const output = $('[name="output_format"]', box);
    const chosen = output ? (output.tagName === 'SELECT' ? output.selectedOptions[0]?.dataset.format || '' : output.value.trim().toLowerCase()) : '';
    const streams = partials.dataset.streams === 'true';
    const still = chosen === 'gif' || chosen === 'svg';
    partials.disabled = !streams || still;
    const why = $('.why', partials.parentNode);
    why.hidden = !partials.disabled;
    why.textContent = !streams ? 'This model does not stream.' : still ? `A ${chosen.toUpperCase()} arrives whole.` : '';
  }
  if (custom && !custom.hidden) sizeProblem(form);
  const options = $('details.options', box);
  if (options) {
    const set = $$('[data-kind]', options).filter(i => i.type === 'file' ? i.files.length
      : i.type === 'checkbox' ? i.checked !== (i.dataset.default === 'true') : i.value.trim())
      .map(i => i.type === 'file' ? `${i.name.slice(7)}: ${i.files[0].name}` : `${i.name.slice(7)}: ${i.type === 'checkbox' ? i.checked : i.value.trim()}`);
    $('.set', options).textContent = set.length ? ` · set: ${set.join(', ')}` : '';
  }
}

/** Why the custom size is not one the model makes, or null. */
function sizeProblem(form) {
  const box = $('.custom-size', form);
  if (!box || box.hidden) return null;
  const width = Number($('input[name="width"]', box).value);
  const height = Number($('input[name="height"]', box).value);
  const free = box.dataset.free ? JSON.parse(box.dataset.free) : null;
  let problem = null;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) problem = 'Width and height are whole numbers of pixels.';
  else if (free) {
    const long = Math.max(width, height); const short = Math.min(width, height);
    if (width % free.step || height % free.step) problem = `${width}×${height}: both sides must be multiples of ${free.step}.`;
    else if (short < free.min_side || short > free.max_short_side) problem = `${width}×${height}: the shorter side must be from ${free.min_side} to ${free.max_short_side}.`;
    else if (long > free.max_long_side) problem = `${width}×${height}: the longer side must be at most ${free.max_long_side}.`;
    else if (long > free.max_aspect_ratio * short) problem = `${width}×${height}: the longer side must be at most ${free.max_aspect_ratio} times the shorter.`;
  }
  const node = $('.size-error', box);
  node.hidden = !problem;
  node.textContent = problem || '';
  return problem;
}

/** The prompt's length against the model's longest. */
function updateCounter(form) {
  const chosen = chosenModels.get(form.dataset.capability);
  const most = (chosen && chosen.model && chosen.model.known && chosen.model.max_prompt_chars) || (state && state.limits && state.limits.prompt_chars) || 0;
  const prompt = $('textarea[name="prompt"]', form);
  const length = [...prompt.value].length;
  const counter = $('.counter', form);
  const over = most && length > most;
  counter.textContent = most ? `${length.toLocaleString('en-US')} / ${most.toLocaleString('en-US')} characters${over ? `: ${(length - most).toLocaleString('en-US')} too many` : ''}` : '';
  counter.classList.toggle('over', Boolean(over));
  prompt.setAttribute('aria-invalid', over ? 'true' : 'false');
  return over ? `The prompt is ${length.toLocaleString('en-US')} characters long; ${chosen?.model?.known ? chosen.model.id : 'this host'} takes at most ${most.toLocaleString('en-US')}: shorten it.` : null;
}

/** The form's model fields as the API takes them; throws a sentence when one is wrong. */
function collectModelFields(form, data) {
  const box = $('.model-fields', form);
  const format = $('input[name="format"]:checked', box);
  if (format && format.value === 'custom') {
    const problem = sizeProblem(form);
    if (problem) throw new ApiError('invalid-input', problem);
    const width = Number($('input[name="width"]', box).value);
    const height = Number($('input[name="height"]', box).value);
    data.set('size', `${width}x${height}`);
    data.set('format', width > height ? 'landscape' : width < height ? 'portrait' : 'square');
  } else if (format) {
    data.set('format', format.value);
  }
  for (const name of ['quality', 'output_format', 'n', 'max_tokens']) {
    const input = $(`[name="${name}"]`, box);
    if (input && input.value.trim()) data.set(name, input.value.trim());
  }
  const partials = $('select[name="partial_images"]', box);
  data.set('partial_images', partials && !partials.disabled ? partials.value : '0');
  const options = {};
  for (const input of $$('[data-kind]', box)) {
    const optionName = input.name.slice('option:'.length);
    const kind = input.dataset.kind;
    const label = input.closest('label')?.firstChild?.textContent || optionName;
    if (kind === 'image') {
      const file = input.files && input.files[0];
      if (!file) continue;
      const types = (input.dataset.types || '').split(',');
      if (file.size > LIMITS.option) throw new ApiError('invalid-input', `${label}: ${JSON.stringify(file.name)} is larger than 50 MB`);
      if (file.type && !types.includes(file.type)) throw new ApiError('invalid-input', `${label} takes ${types.map(typeName).join(' or ')}, not ${file.type}`);
      data.append(input.name, file, file.name);
      continue;
    }
    if (kind === 'flag') {
      if (input.checked !== (input.dataset.default === 'true')) options[optionName] = input.checked;
      continue;
    }
    const raw = input.value.trim();
    if (!raw) continue;
    if (kind === 'number') {
      const n = Number(raw);
      const min = input.min === '' ? null : Number(input.min);
      const max = input.max === '' ? null : Number(input.max);
      if (!Number.isFinite(n) || (min !== null && n < min) || (max !== null && n > max) || !input.checkValidity()) {
        const range = [min !== null ? `from ${min}` : '', max !== null ? `to ${max}` : '', input.step && input.step !== 'any' && input.step !== '1' ? `in steps of ${input.step}` : ''].filter(Boolean).join(' ');
        throw new ApiError('invalid-input', `${label} is ${range || 'a number'}, not ${raw}`);
      }
      options[optionName] = n;
    } else if (kind === 'json') {
      try { options[optionName] = JSON.parse(raw); } catch (e) { throw new ApiError('invalid-input', `${label} is not JSON`); }
    } else {
      options[optionName] = raw;
    }
  }
  if (Object.keys(options).length) data.set('options', JSON.stringify(options));
}

let timeoutTimer = null;
function renderTimeout() {
  const number = $('#timeout-number');
  const range = $('#timeout-range');
  if (document.activeElement === number || document.activeElement === range) return;
  number.value = formatSeconds(state.timeout_secs);
  range.value = Math.min(900, Math.max(10, Math.round(state.timeout_secs)));
}

function timeoutProblem(text) {
  const [min, max] = (state && state.limits && state.limits.timeout_secs) || [1, 3600];
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < min || seconds > max) {
    return `The generation timeout is from ${min} to ${max} seconds${text.trim() ? `, not ${text.trim()}` : ''}.`;
  }
  return null;
}

function setTimeoutSoon(text) {
  clearTimeout(timeoutTimer);
  const error = $('#timeout-error');
  const problem = timeoutProblem(String(text));
  error.hidden = !problem;
  error.textContent = problem || '';
  $('#timeout-number').setAttribute('aria-invalid', problem ? 'true' : 'false');
  if (problem) return;
  timeoutTimer = setTimeout(async () => {
    try {
      state = await api('PUT', '/api/timeout', { seconds: Number(text) });
      banner('');
    } catch (e) {
      error.hidden = false;
      error.textContent = errorText(e);
    }
  }, 400);
}

const PROMPT_STYLES = {
  descriptive: 'write prompts as natural-language sentences',
  keywords: 'write prompts as comma-separated tags',
};

function renderPlugins() {
  $('#plugins-dir').textContent = state.plugins_dir;
  const empty = $('#plugins-empty');
  empty.hidden = !state.empty_hint;
  empty.replaceChildren(...richText(state.empty_hint || ''));
  const previous = new Map($$('#plugins li').map(li => [li.dataset.file, li.dataset.revision]));
  $('#plugins').replaceChildren(...state.plugins.map(p => {
    const info = p.info;
    const when = p.loaded_at_ms ? new Date(p.loaded_at_ms).toLocaleTimeString() : '';
    const fresh = previous.size && previous.get(p.file_name) !== String(p.revision ?? '');
    const style = info && PROMPT_STYLES[info.prompt_style];
    return el('li', { 'data-file': p.file_name, 'data-revision': p.revision ?? '', 'data-contract': p.contract || '', class: fresh ? 'fresh' : null },
      el('div', {}, el('span', { class: 'label', text: info ? `${info.label} ${info.version}` : 'not loaded' }), ' ',
        el('span', { class: 'file', text: p.file_name })),
      info ? el('div', { class: 'meta', text: `contract ${p.contract} · revision ${p.revision} · loaded ${when} (${p.cached ? 'from the compile cache' : 'compiled'} in ${p.load_ms} ms)` }) : null,
      info ? el('div', { class: 'meta', title: 'How this backend wants prompts phrased', text: `Prompt style: ${info.prompt_style}${style ? ` (${style})` : ''}` }) : null,
      info ? el('div', { class: 'meta' }, richText(info.description)) : null,
      p.error ? el('div', { class: 'error' }, richText(p.loaded ? `The new file was not loaded; still serving the previous one: ${p.error}` : p.error)) : null);
  }));
}

// ---- settings forms, from each backend's declared settings ----

/** Durations are typed in seconds here; a backend's help says what the contract carries (milliseconds). */
const inSeconds = help => help ? help.replace(/,? in milliseconds/gi, '') : help;
const BYTES = /\bin bytes\b/i;
function byteSize(n) {
  if (!Number.isFinite(n)) return '';
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', MIB], ['KiB', 1024]]) {
    if (n >= size) return `${Number((n / size).toFixed(2))} ${unit}`;
  }
  return `${n} bytes`;
}

function settingField(plugin, spec, values, secrets) {
  const kind = spec.kind.name;
  const id = `s-${plugin.id}-${spec.name}`;
  const given = values[spec.name];
  const bytes = kind === 'number' && BYTES.test(spec.help || '');
  const shown = v => bytes && typeof v === 'number' ? `${byteSize(v)} (${v} bytes)` : Array.isArray(v) ? JSON.stringify(v) : v;
  const placeholder = spec.default === null || spec.default === undefined ? '' : `default: ${shown(spec.default)}`;
  const help = spec.help ? el('span', { class: 'hint' }, richText(kind === 'duration' ? inSeconds(spec.help) : spec.help)) : null;
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
    case 'number': {
      input = el('input', { id, type: 'number', name: spec.name, 'data-kind': kind, value: given ?? '', placeholder,
        min: spec.kind.min ?? undefined, max: spec.kind.max ?? undefined, step: spec.kind.step || (spec.kind.integer ? 1 : 'any') });
      if (bytes) {
        const size = el('span', { class: 'hint size-hint' });
        const update = () => { size.textContent = input.value ? `= ${byteSize(Number(input.value))}` : ''; };
        input.addEventListener('input', update);
        update();
        return el('div', { class: 'field' }, el('label', { for: id }, `${label} (bytes)`, input), size, help);
      }
      break;
    }
    case 'duration':
      input = el('input', { id, type: 'number', name: spec.name, 'data-kind': kind, min: 0, step: 'any',
        value: given === undefined ? '' : given / 1000,
        placeholder: spec.default === null || spec.default === undefined ? '' : `default: ${spec.default / 1000} s` });
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
  node.textContent = secret.set ? `Set (${from[secret.source] || secret.source}): ${secret.masked}. It stays on the server.` : 'Not set.';
  node.className = `secret-state${secret.set ? ' set' : ''}`;
}

function refreshSecretStates() {
  for (const plugin of state.plugins) {
    const settings = state.settings[plugin.id];
    if (!settings) continue;
    for (const node of $$(`details.backend[data-backend="${plugin.id}"] [data-secret]`)) {
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
  const open = new Set($$('details.backend[open]').map(d => d.dataset.backend));
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
  for (const input of $$('[data-kind]', form)) {
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
  const remember = $('input[name="remember"]', form);
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
    for (const input of $$('input[type="password"]', form)) input.value = '';
    settingsSignature = '';
    render();
    const again = $(`details.backend[data-backend="${plugin.id}"] [role="status"]`);
    if (again) { again.className = 'settings-ok'; again.textContent = 'Saved; checking again.'; }
  } catch (e) {
    message.className = 'settings-error';
    message.textContent = errorText(e);
  }
}

async function forgetSecret(plugin, name, message) {
  try {
    state = await api('PUT', `/api/settings/${encodeURIComponent(plugin.id)}`, { clear: [name] });
    settingsSignature = '';
    render();
  } catch (e) {
    message.className = 'settings-error';
    message.textContent = errorText(e);
  }
}

// ---- jobs ----

const jobs = new Map(); // id -> { job, node, received }

const KIND = { generate: 'Generate', edit: 'Edit', analyze: 'Analyze' };
const STATE = { running: 'running', done: 'done', failed: 'failed' };

/** A small picture that opens the viewer. */
function thumb(item, cls, alt) {
  const img = el('img', { class: cls, src: item.url, alt, loading: 'lazy', decoding: 'async' });
  return el('button', { type: 'button', class: 'thumb', title: `Open ${alt}`, onclick: () => openViewer(item) }, img);
}

function jobMeta(job) {
  const size = job.size ? job.size.replace('x', '×') : job.format;
  const refs = job.kind === 'edit' && job.references ? `${job.references} reference${job.references > 1 ? 's' : ''}${job.mask ? ' + mask' : ''}` : null;
  return [job.backend_label, job.model, job.quality ? `quality ${job.quality}` : null, size,
    job.output_format, job.n > 1 ? `${job.n} images` : null, refs, ...(job.options || [])].filter(Boolean).join(' · ');
}

/** A job's image as the viewer shows it. */
function viewerItem(job, image) {
  return { ...image, prompt: job.prompt, prompt_chars: job.prompt_chars, revised_prompt: job.revised_prompt,
    model: job.model, backend_label: job.backend_label, quality: job.quality, format: job.format, size: job.size,
    output_format: job.output_format, created_ms: job.created_ms, elapsed_ms: job.elapsed_ms, kind: job.kind, job: job.id,
    cost: job.cost && job.images.length ? { usd: job.cost.usd / job.images.length, complete: job.cost.complete } : null,
    call_cost: job.cost, images_in_call: job.images.length };
}

function renderJob(entry) {
  const { job } = entry;
  const node = entry.node || el('article', { class: 'job' });
  entry.node = node;
  node.dataset.id = job.id;
  node.dataset.state = job.state;
  node.dataset.backend = job.backend;
  node.classList.toggle('has-images', job.images.length > 0);
  const elapsed = el('span', { class: 'elapsed' });
  const cost = job.state === 'running' ? null
    : el('span', { class: 'cost', text: costText(job.cost), title: costTitle(job.cost) });
  const header = el('header', {},
    el('span', { class: 'kind', text: KIND[job.kind] || job.kind }),
    // A cancelled or failed job says what happened once, in its error line.
    STATE[job.state] && job.state !== 'failed' ? el('span', { class: 'state', text: STATE[job.state] }) : null,
    el('span', { class: 'meta', text: `${jobMeta(job)} · ${job.backend_file} (rev ${job.revision})` }),
    elapsed,
    cost,
    job.state === 'running' ? el('button', { type: 'button', class: 'cancel danger', text: 'Cancel', onclick: e => cancelJob(job.id, e.target) }) : null);
  entry.elapsedNode = elapsed;
  tick(entry);

  const wasOpen = node.querySelector('.prompt.open');
  const prompt = el('p', { class: `prompt${wasOpen ? ' open' : ''}`, text: job.prompt });
  const long = job.prompt_chars > 280 || job.prompt.split('\n').length > 3;
  const shown = [...job.prompt].length.toLocaleString('en-US');
  const all = job.prompt_truncated ? `Show the first ${shown} of ${job.prompt_chars.toLocaleString('en-US')} characters`
    : `Show all ${job.prompt_chars.toLocaleString('en-US')} characters`;
  const more = long ? el('button', { type: 'button', class: 'link more', text: wasOpen ? 'Show less' : all,
    'aria-expanded': wasOpen ? 'true' : 'false',
    onclick: e => {
      const open = prompt.classList.toggle('open');
      e.target.textContent = open ? 'Show less' : all;
      e.target.setAttribute('aria-expanded', String(open));
    } }) : null;

  const inputs = (job.inputs || []).length ? el('div', { class: 'inputs' },
    el('span', { class: 'label', text: job.kind === 'analyze' ? 'Image' : 'In' }),
    job.inputs.map(input => el('figure', { 'data-role': input.role },
      input.preview ? el('img', { class: 'input', src: input.preview, alt: `${input.role}: ${typeName(input.mime_type)} ${input.width}×${input.height}`, loading: 'lazy' })
        : el('span', { class: 'no-preview', text: '…' }),
      el('figcaption', { text: `${input.role} · ${input.width}×${input.height}` })))) : null;

  const partials = job.partials.length ? el('div', { class: 'partials' }, job.partials.map(p => el('figure', {},
    el('img', { class: 'partial', src: p.url, alt: `partial image ${p.partial_index + 1}`, 'data-partial-index': p.partial_index }),
    el('figcaption', { text: `partial ${p.partial_index + 1}` })))) : null;

  const images = job.images.length ? el('div', { class: 'images' }, job.images.map(image => el('figure', {},
    thumb(viewerItem(job, image), 'result', job.prompt.slice(0, 200)),
    el('figcaption', {},
      el('span', { class: 'described', text: `${image.mime_type} · ${image.width}×${image.height} · ${formatBytes(image.bytes)}` }),
      el('a', { href: image.url, download: image.file_name, text: 'Download', class: 'download' }))))) : null;

  const error = job.error ? el('div', { class: 'error', 'data-kind': job.error.kind },
    el('span', { class: 'label', text: `${job.error.label || errorLabel(job.error.kind)}:` }), ' ',
    el('span', { class: 'message' }, richText(sentence(job.error.message)))) : null;

  const parts = [header,
    prompt, more,
    job.revised_prompt ? el('p', { class: 'hint', text: `Revised prompt: ${job.revised_prompt}` }) : null,
    inputs, partials, images,
    job.analysis ? el('div', { class: 'analysis', text: job.analysis.text || '(an empty answer)' }) : null,
    job.analysis && job.analysis.truncated ? el('p', { class: 'hint', text: 'The answer was cut short by the token limit.' }) : null,
    error];
  // Keep pictures that are already shown (no flicker while partial images arrive).
  const keep = (selector, fresh) => {
    const old = node.querySelector(selector);
    return old && fresh && old.dataset.sig === fresh.dataset.sig ? old : fresh;
  };
  if (partials) partials.dataset.sig = job.partials.map(p => p.url).join(' ');
  if (images) images.dataset.sig = job.images.map(p => p.url).join(' ');
  if (inputs) inputs.dataset.sig = job.inputs.map(i => i.preview || '').join(' ');
  const kept = parts.map(p => p === partials ? keep('.partials', partials) : p === images ? keep('.images', images) : p === inputs ? keep('.inputs', inputs) : p);
  node.replaceChildren(...kept.filter(Boolean));
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

function forgetJobs(ids) {
  for (const id of ids) {
    const entry = jobs.get(id);
    if (entry) { entry.node.remove(); jobs.delete(id); }
  }
  $('#jobs-empty').hidden = jobs.size > 0;
}

async function loadJobs() {
  const list = await api('GET', '/api/jobs');
  const ids = new Set(list.map(j => j.id));
  forgetJobs([...jobs.keys()].filter(id => !ids.has(id)));
  for (const job of list.slice().reverse()) upsertJob(job);
}

async function cancelJob(id, button) {
  button.disabled = true;
  button.textContent = 'Cancelling…';
  try {
    const answer = await api('POST', `/api/jobs/${id}/cancel`);
    if (answer.job) upsertJob(answer.job);
  } catch (e) {
    banner(errorText(e));
  }
}

function formError(text) {
  const node = $('#form-error');
  node.hidden = !text;
  node.replaceChildren(...richText(text || ''));
}

async function submitJob(form, path, body) {
  // The button stays enabled (and focused): a second press while this one is sent is ignored.
  const button = $('button[type="submit"]', form);
  if (form.dataset.busy === 'true') return;
  form.dataset.busy = 'true';
  button.setAttribute('aria-disabled', 'true');
  formError('');
  try {
    const job = await api('POST', path, body);
    upsertJob(job);
  } catch (e) {
    formError(errorText(e));
  } finally {
    form.dataset.busy = 'false';
    button.removeAttribute('aria-disabled');
  }
}

function checkFiles(files, limit, what) {
  for (const file of files) {
    if (file.size > limit) return `${what} ${JSON.stringify(file.name)} is ${formatBytes(file.size)}: larger than ${limit / MIB} MB, the most this takes`;
  }
  return null;
}

/** The job's form as the API takes it, or a sentence saying what is wrong. */
function jobData(form) {
  const data = new FormData();
  const prompt = $('textarea[name="prompt"]', form).value;
  if (!prompt.trim()) throw new ApiError('invalid-input', 'write a prompt first');
  const long = updateCounter(form);
  if (long) throw new ApiError('invalid-input', long);
  data.set('prompt', prompt);
  const cap = state && state.capabilities.find(c => c.capability === form.dataset.capability);
  if (cap && cap.backend) data.set('backend', cap.backend);
  if (cap && cap.model) data.set('model', cap.model);
  collectModelFields(form, data);
  return data;
}

function wireForms() {
  const generate = $('#form-generate');
  generate.addEventListener('submit', e => {
    e.preventDefault();
    try {
      submitJob(generate, '/api/generate', jobData(generate));
    } catch (problem) {
      formError(errorText(problem));
    }
  });

  const edit = $('#form-edit');
  edit.addEventListener('submit', e => {
    e.preventDefault();
    try {
      const data = jobData(edit);
      const references = [...$('input[name="image"]', edit).files];
      const mask = $('input[name="mask"]', edit).files[0];
      const problem = !references.length ? 'add at least one reference image (PNG, JPEG or WebP)'
        : checkFiles(references, LIMITS.reference, 'the reference image')
          || (mask ? checkFiles([mask], LIMITS.mask, 'the mask') : null);
      if (problem) throw new ApiError('invalid-input', problem);
      for (const file of references) data.append('image', file, file.name);
      if (mask) data.append('mask', mask, mask.name);
      submitJob(edit, '/api/edit', data);
    } catch (problem) {
      formError(errorText(problem));
    }
  });

  const analyze = $('#form-analyze');
  analyze.addEventListener('submit', e => {
    e.preventDefault();
    try {
      const data = jobData(analyze);
      const image = $('input[name="image"]', analyze).files[0];
      const problem = !image ? 'add the image to analyze' : checkFiles([image], LIMITS.analyze, 'the image');
      if (problem) throw new ApiError('invalid-input', problem);
      data.append('image', image, image.name);
      submitJob(analyze, '/api/analyze', data);
    } catch (problem) {
      formError(errorText(problem));
    }
  });

  for (const form of $$('.job-form')) {
    // Ctrl+Enter (Cmd+Enter on a Mac) sends the form from any of its fields.
    form.addEventListener('keydown', e => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('input', e => {
      if (e.target.name === 'prompt') updateCounter(form);
      if (['width', 'height'].includes(e.target.name)) sizeProblem(form);
    });
    form.addEventListener('change', () => syncFields(form));
  }

  // The tab strip: one tab stop; the arrow keys, Home and End move between tabs.
  const tabs = $$('.tabs [role="tab"]');
  const select = (tab, focus) => {
    for (const other of tabs) {
      other.setAttribute('aria-selected', String(other === tab));
      other.tabIndex = other === tab ? 0 : -1;
    }
    for (const form of $$('.job-form')) form.hidden = form.dataset.tab !== tab.dataset.tab;
    formError('');
    if (focus) tab.focus();
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', e => {
      const at = tabs.indexOf(tab);
      const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length], true);
    });
  }

  const number = $('#timeout-number');
  const range = $('#timeout-range');
  range.addEventListener('input', () => { number.value = range.value; setTimeoutSoon(range.value); });
  number.addEventListener('change', () => {
    if (!timeoutProblem(number.value)) range.value = Math.min(900, Math.max(10, Number(number.value)));
    setTimeoutSoon(number.value);
  });

  $('#refresh-status').addEventListener('click', async () => {
    try { renderPills(await api('POST', '/api/status/refresh')); } catch (e) { banner(errorText(e)); }
  });
  $('#clear-jobs').addEventListener('click', async () => {
    try { forgetJobs((await api('DELETE', '/api/jobs')).cleared); } catch (e) { banner(errorText(e)); }
  });
  wireGallery();
}

// ---- the gallery: the images made since the server started ----

let gallery = { items: [], count: 0, bytes: 0, cap: null };
const GALLERY_EXCERPT_CHARS = 240; // as the server's list cuts prompts

async function loadGallery() {
  gallery = await api('GET', '/api/gallery');
  renderGallery();
}

function galleryEntry(item) {
  const alt = item.prompt;
  const caption = [`${item.width}×${item.height}`, typeName(item.mime_type), item.cost ? costText(item.cost) : null].filter(Boolean).join(' · ');
  return el('li', { 'data-id': item.id, 'data-mime': item.mime_type },
    el('button', { type: 'button', class: 'tile', 'aria-label': `Open image ${item.id}: ${alt.slice(0, 120)}`, onclick: () => openViewer(item) },
      el('img', { src: item.url, alt, loading: 'lazy', decoding: 'async', width: item.width, height: item.height })),
    el('span', { class: 'caption', text: caption, title: [item.model, item.prompt].filter(Boolean).join(' · ') }));
}

function renderGallery() {
  const list = $('#gallery');
  const have = new Map($$('#gallery > li').map(li => [Number(li.dataset.id), li]));
  const nodes = gallery.items.map(item => have.get(item.id) || galleryEntry(item));
  // Newest first; unchanged entries keep their images.
  nodes.forEach((node, i) => { if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null); });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
  renderGallerySummary(gallery);
}

function renderGallerySummary(summary) {
  const count = summary.count ?? gallery.items.length;
  $('#gallery-count').textContent = count ? `${count} image${count === 1 ? '' : 's'} · ${formatBytes(summary.bytes || 0)}` : '';
  $('#gallery-empty').hidden = count > 0;
  const cap = summary.cap || gallery.cap;
  if (cap) {
    $('#gallery-cap').textContent = `Kept in the server's memory until it stops: the newest ${cap.images} images, at most ${formatBytes(cap.bytes)} of them; the oldest go first.`;
  }
  const clear = $('#clear-gallery');
  clear.disabled = !count;
}

function galleryEvent(data) {
  if (data.cleared) gallery.items = [];
  if (data.removed) gallery.items = gallery.items.filter(i => !data.removed.includes(i.id));
  if (data.added) {
    const ids = new Set(gallery.items.map(i => i.id));
    gallery.items = [...data.added.filter(i => !ids.has(i.id)), ...gallery.items].sort((a, b) => b.id - a.id);
  }
  if (data.summary) {
    Object.assign(gallery, data.summary);
    // The server dropped the oldest beyond its cap.
    gallery.items = gallery.items.slice(0, data.summary.count);
  }
  renderGallery();
}

let clearArmed = null;
function wireGallery() {
  const clear = $('#clear-gallery');
  clear.addEventListener('click', async () => {
    if (!clearArmed) {
      // A second press within 4 s clears: nothing is lost to one stray click.
      clear.textContent = `Clear ${gallery.items.length} image${gallery.items.length === 1 ? '' : 's'}? Press again`;
      clearArmed = setTimeout(() => { clearArmed = null; clear.textContent = 'Clear gallery'; }, 4000);
      return;
    }
    clearTimeout(clearArmed);
    clearArmed = null;
    clear.textContent = 'Clear gallery';
    try { galleryEvent(await api('DELETE', '/api/gallery')); } catch (e) { banner(errorText(e)); }
  });

  const viewer = $('#viewer');
  $('#viewer-close').addEventListener('click', () => viewer.close());
  viewer.addEventListener('click', e => { if (e.target === viewer) viewer.close(); });
  $('#viewer-prev').addEventListener('click', () => stepViewer(-1));
  $('#viewer-next').addEventListener('click', () => stepViewer(1));
  viewer.addEventListener('keydown', e => {
    if (e.target.closest('a, button') && e.key === 'Enter') return;
    if (e.key === 'ArrowLeft') { e.preventDefault(); stepViewer(-1); }
    if (e.key === 'ArrowRight') { e.preventDefault(); stepViewer(1); }
  });
  $('#viewer-remove').addEventListener('click', async () => {
    const item = viewerState.item;
    if (!item || !item.gallery) return;
    try {
      galleryEvent(await api('DELETE', `/api/gallery/${item.id}`));
      viewer.close();
    } catch (e) { banner(errorText(e)); }
  });
  viewer.addEventListener('close', () => { $('#viewer-image').removeAttribute('src'); });
}

const viewerState = { item: null };

function stepViewer(by) {
  const item = viewerState.item;
  if (!item || !item.gallery) return;
  const at = gallery.items.findIndex(i => i.id === item.id);
  const next = gallery.items[at + by];
  if (at >= 0 && next) openViewer(next);
}

/** The image full size, with what made it. */
async function openViewer(item) {
  const fromGallery = gallery.items.some(i => i.id === item.id && i.url === item.url);
  viewerState.item = { ...item, gallery: fromGallery };
  const viewer = $('#viewer');
  const img = $('#viewer-image');
  img.src = item.url;
  img.alt = item.prompt || '';
  $('#viewer-title').textContent = `${KIND[item.kind] || 'Image'} ${item.job ? `· job ${item.job}` : ''}`;
  $('#viewer-download').href = item.url;
  $('#viewer-download').setAttribute('download', item.file_name || '');
  $('#viewer-open').href = item.url;
  $('#viewer-remove').hidden = !fromGallery;
  const at = fromGallery ? gallery.items.findIndex(i => i.id === item.id) : -1;
  $('#viewer-prev').disabled = at <= 0;
  $('#viewer-next').disabled = at < 0 || at >= gallery.items.length - 1;
  fillViewer(item);
  if (!viewer.open) viewer.showModal();
  // The list carries an excerpt of a long prompt: fetch the whole of it.
  if (fromGallery && item.prompt_chars > GALLERY_EXCERPT_CHARS) {
    try {
      const whole = await api('GET', `/api/gallery/${item.id}`);
      if (viewerState.item && viewerState.item.id === item.id) fillViewer(whole);
    } catch (e) { /* the excerpt stays */ }
  }
}

function fillViewer(item) {
  const rows = [
    ['Prompt', item.prompt],
    item.revised_prompt ? ['Revised prompt', item.revised_prompt] : null,
    ['Model', [item.model, item.backend_label].filter(Boolean).join(' · ')],
    ['Quality', item.quality || 'not given'],
    ['Size', `${item.width}×${item.height} px${item.size ? ' (asked for explicitly)' : item.format ? ` (${item.format})` : ''}`],
    ['Type', `${typeName(item.mime_type)} · ${formatBytes(item.bytes)}${item.output_format ? ` · output format ${item.output_format}` : ''}`],
    ['Made', `${new Date(item.created_ms).toLocaleString()} · took ${formatMs(item.elapsed_ms || 0)}`],
    ['Cost', item.images_in_call > 1 && item.call_cost
      ? `${costText(item.cost)} (a share of ${costText(item.call_cost)} for ${item.images_in_call} images)`
      : costText(item.cost || item.call_cost)],
  ].filter(Boolean);
  $('#viewer-details').replaceChildren(...rows.flatMap(([name, value]) => [el('dt', { text: name }), el('dd', { text: value, 'data-field': name.toLowerCase() })]));
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
  if (name === 'job') {
    upsertJob(payload);
    if (payload.state !== 'running') reloadStateSoon(); // the cost so far
  } else if (name === 'jobs') forgetJobs(payload.cleared || []);
  else if (name === 'gallery') galleryEvent(payload);
  else if (name === 'pills') renderPills(payload);
  else if (name === 'state') reloadStateSoon();
}

async function listen() {
  for (let first = true; ; first = false) {
    try {
      if (!first) await Promise.all([loadState(), loadJobs(), loadGallery()]);
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
    await Promise.all([loadState(), loadJobs(), loadGallery()]);
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
