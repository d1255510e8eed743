// The kiosk screen: draws the screen states lockerd sends (GET /events, server-sent events) and
// sends taps and USB-keypad keys as keypad keys (POST /key). It keeps no state of its own beyond
// what it draws: whatever the daemon says last is the truth, and a reconnect resyncs it.
import { t } from './strings.js';
import { drawPanel } from './panel.js';

const $ = (id) => document.getElementById(id);

/** Silence longer than this (the daemon sends a heartbeat every 10 s) counts as a dead stream. */
const STALE_MS = 25_000;
const RECONNECT_MS = 1_000;

const view = {
  language: 'en',
  lastSeq: 0,
  state: null,
  locker: null,
  countdownTimer: 0,
};

// --- Input: taps and a USB keypad in keyboard mode ----------------------------------------------

async function press(key) {
  try {
    await fetch('/key', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }), cache: 'no-store' });
  } catch {
    // The stream's error shows the offline state; a lost tap is retyped by the person.
  }
}

/** A choice that is several keys (a size: its digit, then #) presses them in order, as a person would. */
async function pressAll(keys) {
  for (const key of keys) await press(key);
}

document.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button') : null;
  if (!button) return;
  // A tap leaves no focus behind, so a USB keypad's Enter is "#" and not a second tap of that button.
  if (e.detail > 0) button.blur();
  if (button.dataset.key) press(button.dataset.key);
  else if (button.dataset.choiceKey) pressAll((button.dataset.sequence ?? button.dataset.choiceKey).split(' '));
});

/** What a USB keypad in keyboard mode types, as keypad keys. */
const KEYBOARD = { Enter: '#', Backspace: '*', Escape: '*', Delete: '*', '#': '#', '*': '*', a: 'A', b: 'B', c: 'C', d: 'D', A: 'A', B: 'B', C: 'C', D: 'D' };

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
  // Enter or Space on a button reached with Tab is that button's click.
  if ((e.key === 'Enter' || e.key === ' ') && document.activeElement instanceof HTMLButtonElement) return;
  const key = /^[0-9]$/.test(e.key) ? e.key : KEYBOARD[e.key];
  if (!key) return;
  e.preventDefault();
  press(key);
});

$('contrast').addEventListener('click', () => setContrast(!document.body.classList.contains('hc')));

// The language is a choice of the screen model (the welcome screen's `choice.language`, key A):
// the button shows and sends it while the model offers it, and is hidden otherwise.
$('language').addEventListener('click', () => {
  const choice = view.state?.choices.find((c) => c.labelId === 'choice.language');
  if (choice) press(choice.key);
});

function setContrast(on) {
  document.body.classList.toggle('hc', on);
  $('contrast').setAttribute('aria-pressed', String(on));
}

// --- The stream ----------------------------------------------------------------------------------

let source = null;
let staleTimer = 0;

function connect() {
  source?.close();
  source = new EventSource('/events');
  source.addEventListener('locker', (e) => {
    // A new connection (maybe a restarted daemon, whose seq starts again): take whatever comes.
    view.lastSeq = 0;
    view.locker = JSON.parse(e.data);
    drawLocker();
    alive();
  });
  source.addEventListener('screen', (e) => {
    const { state } = JSON.parse(e.data);
    alive();
    if (state.seq <= view.lastSeq) return;
    view.lastSeq = state.seq;
    draw(state);
  });
  source.addEventListener('heartbeat', alive);
  source.addEventListener('error', () => {
    offline(true);
    // EventSource retries a dropped connection itself, but gives up on an HTTP error: start again.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
  });
}

function alive() {
  offline(false);
  clearTimeout(staleTimer);
  staleTimer = setTimeout(() => {
    offline(true);
    connect();
  }, STALE_MS);
}

function offline(on) {
  $('offline').hidden = !on;
  document.body.classList.toggle('is-offline', on);
}

// --- Drawing -------------------------------------------------------------------------------------

function text(id, value) {
  const el = $(id);
  if (el.textContent !== value) el.textContent = value;
}

function drawWords() {
  const l = view.language;
  document.documentElement.lang = l;
  text('contrast', t(l, 'contrast'));
  text('offline-title', t(l, 'offlineTitle'));
  text('offline-text', t(l, 'offlineText'));
  text('deliver-title', t(l, 'deliverTitle'));
  text('deliver-text', t(l, 'deliverText'));
  text('collect-title', t(l, 'collectTitle'));
  text('collect-text', t(l, 'collectText'));
  text('map-title', t(l, 'mapTitle'));
  text('legend-low', t(l, 'legendLow'));
  text('cap-back', t(l, 'back'));
  text('cap-ok', t(l, 'ok'));
  $('keypad').setAttribute('aria-label', t(l, 'keypad'));
  document.querySelector('[data-key="*"]').setAttribute('aria-label', `* ${t(l, 'back')}`);
  document.querySelector('[data-key="#"]').setAttribute('aria-label', `# ${t(l, 'ok')}`);
  text('support', view.locker?.support ? t(l, 'support', { support: view.locker.support }) : '');
  text('storage-count', storageCountLine(l, view.locker?.storage));
  for (const cell of $('map').children) {
    if (cell.dataset.low === 'true') cell.querySelector('.low-mark').setAttribute('aria-label', t(l, 'low'));
  }
}

// One count per kind of storage: rooms and desks are counted as what they are, never drawn as doors.
function storageCountLine(l, s) {
  if (!s || (s.rooms.length === 0 && s.desks.length === 0)) return '';
  return [
    ...(s.lockers > 0 && s.station === 'lockers' ? [t(l, 'countLockers', { n: s.lockers })] : []),
    ...s.rooms.map((r) => t(l, 'countRoom', { name: r.name, n: r.places })),
    ...s.desks.map((d) => t(l, 'countDesk', { name: d.name })),
  ].join(' · ');
}

function drawLocker() {
  const locker = view.locker;
  // A package room's or front desk's screen has no doors to find.
  document.querySelector('section.doors').hidden = locker.map.cells.length === 0;
  text('locker-name', locker.name);
  document.title = locker.name;
  const map = $('map');
  map.replaceChildren();
  // A front desk has no doors: no empty map with a legend.
  document.body.classList.toggle('no-doors', locker.map.cells.length === 0);
  map.style.gridTemplateColumns = `repeat(${locker.map.columns}, minmax(0, 1fr))`;
  // Rows share the height, but a map of a few doors (a package room's one) keeps them door-sized.
  map.style.gridTemplateRows = `repeat(${locker.map.rows}, minmax(0, 4.5rem))`;
  document.querySelector('section.doors .legend').hidden = !locker.map.cells.some((c) => c.accessible);
  for (const c of locker.map.cells) {
    const cell = document.createElement('div');
    cell.className = 'door';
    cell.dataset.compartment = c.id;
    cell.dataset.size = c.size;
    cell.dataset.low = String(c.accessible);
    cell.style.gridColumn = String(c.column);
    cell.style.gridRow = String(c.row);
    const id = document.createElement('span');
    id.className = 'door-id';
    id.textContent = c.id;
    const state = document.createElement('span');
    state.className = 'door-state';
    cell.append(id, state);
    if (c.accessible) {
      const low = document.createElement('span');
      low.className = 'low-mark';
      low.textContent = '▼';
      low.setAttribute('role', 'img');
      cell.append(low);
    }
    map.append(cell);
  }
  drawWords();
  if (view.state) drawDoors(view.state);
}

function draw(state) {
  const previous = view.state;
  view.state = state;
  if (state.language !== view.language) {
    view.language = state.language;
    drawWords();
  }
  // A session ended: the next person starts with the usual contrast.
  if (state.step === 'welcome' && previous && previous.step !== 'welcome') setContrast(false);
  document.body.dataset.step = state.step;
  document.body.dataset.tone = state.tone;
  // The two paths explain what to key; once someone is typing they are in the way of the keypad.
  // A front desk's welcome is for staff (prompt desk.welcome): the two paths are a locker's.
  $('welcome').hidden = state.step !== 'welcome' || state.entryLength > 0 || state.prompt.id === 'desk.welcome';
  text('prompt', state.prompt.text);
  drawEntry(state.entryLength);
  drawChoices(state.choices);
  drawDoors(state);
  drawAttention(state.attention);
  drawCountdown();
  drawPanel(state, view.language);
}

/** One dot per key typed: the page is never told the keys, so it cannot show them. */
function drawEntry(n) {
  const entry = $('entry');
  if (entry.childElementCount !== n) {
    entry.replaceChildren(...Array.from({ length: n }, () => {
      const dot = document.createElement('span');
      dot.className = 'dot';
      return dot;
    }));
  }
  entry.setAttribute('aria-label', n > 0 ? t(view.language, 'entry', { n }) : '');
  entry.hidden = n === 0;
}

function drawChoices(choices) {
  const language = choices.find((c) => c.labelId === 'choice.language');
  $('language').hidden = !language;
  if (language) {
    text('language', language.label);
    $('language').lang = view.language === 'en' ? 'es' : 'en';
  }
  const box = $('choices');
  box.replaceChildren();
  for (const c of choices) {
    if (c.labelId === 'choice.language') continue; // the language button in the corner sends it
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'choice';
    b.dataset.choiceKey = c.key;
    if (c.sequence) b.dataset.sequence = c.sequence.join(' ');
    const key = document.createElement('span');
    key.className = 'choice-key';
    key.textContent = c.key;
    key.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'choice-label';
    label.textContent = c.label;
    b.append(key, label);
    box.append(b);
  }
  box.hidden = box.childElementCount === 0;
  box.classList.toggle('many', box.childElementCount > 4);
}

function drawDoors(state) {
  const byId = new Map(state.doors.map((d) => [d.compartmentId, d.state]));
  for (const attention of state.attention) {
    if (attention.kind === 'door_left_open' && attention.compartmentId && !byId.has(attention.compartmentId)) byId.set(attention.compartmentId, 'open');
  }
  for (const cell of $('map').children) {
    const s = byId.get(cell.dataset.compartment);
    if (s) {
      cell.dataset.doorState = s;
      cell.querySelector('.door-state').textContent = t(view.language, `door_${s}`);
    } else if (cell.dataset.doorState) {
      delete cell.dataset.doorState;
      cell.querySelector('.door-state').textContent = '';
    }
  }
}

function drawAttention(items) {
  const everyone = items.filter((a) => a.audience === 'everyone');
  const box = $('attention');
  box.replaceChildren(...everyone.map((a) => {
    const p = document.createElement('p');
    p.className = `banner banner-${a.kind}`;
    p.setAttribute('role', 'alert');
    p.textContent = a.text;
    return p;
  }));
  // Staff banners (offline upstream...) are small and never alarm a resident.
  text('staff', items.filter((a) => a.audience === 'staff').map((a) => a.text).join(' · '));
}

function drawCountdown() {
  clearTimeout(view.countdownTimer);
  const c = view.state?.countdown;
  const box = $('countdown');
  if (!c) {
    box.hidden = true;
    return;
  }
  const s = Math.max(0, Math.ceil((c.endsAt - Date.now()) / 1000));
  text('countdown', t(view.language, c.kind === 'throttle' ? 'throttleWait' : 'sessionEnds', { s }));
  box.hidden = false;
  box.dataset.kind = c.kind;
  if (s > 0) view.countdownTimer = setTimeout(drawCountdown, 250);
}

if (new URLSearchParams(location.search).has('kiosk')) document.body.classList.add('kiosk-mode');
drawWords();
connect();
