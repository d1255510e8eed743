// A flow's panel beside the prompt (ScreenState.panel, src/kiosk/screen.ts): the front desk's
// places, a resident's parcels, and the signature pad. The pad keeps the strokes being drawn (in
// the pad's own units, whole numbers) until the resident presses Done, which sends them to
// POST /signature: the daemon checks them and the next screen state says what came of it.
import { t } from './strings.js';

const $ = (id) => document.getElementById(id);

const pad = {
  /** The pad's coordinate space, as the daemon sent it. */
  width: 1000,
  height: 300,
  strokes: [],
  current: null,
  /** The state seq that last cleared the pad: a refusal asks for a new signature. */
  clearedAt: 0,
};

function el(tag, className, textContent) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (textContent !== undefined) e.textContent = textContent;
  return e;
}

export function drawPanel(state, language) {
  const panel = state.panel;
  const box = $('panel');
  document.body.dataset.panel = panel ? panel.kind : '';
  box.hidden = !panel;
  if (!panel) {
    pad.strokes = [];
    box.replaceChildren();
    return;
  }
  if (panel.kind === 'signature') return drawSignature(state, panel, language);
  const list = el('ol', 'panel-list');
  list.id = 'panel-list';
  let title;
  if (panel.kind === 'places') {
    title = t(language, 'placesTitle');
    for (const p of panel.places) {
      const li = el('li', `panel-row${p.suggested ? ' suggested' : ''}${p.free === 0 ? ' full' : ''}`);
      li.dataset.place = p.id;
      li.append(el('span', 'row-number', String(p.number)), el('span', 'row-main', p.id), el('span', 'row-detail', t(language, 'placeFree', { free: p.free, size: p.size })));
      list.append(li);
    }
  } else {
    title = t(language, 'parcelsTitle', { unit: panel.unit });
    for (const p of panel.parcels) {
      const li = el('li', 'panel-row');
      li.append(el('span', 'row-main', p.placeId), el('span', 'row-detail', [p.carrier, p.tracking].filter(Boolean).join(' ')));
      list.append(li);
    }
    for (const c of panel.collectors) {
      const li = el('li', `panel-row collector${panel.collector === c.name ? ' suggested' : ''}`);
      li.append(el('span', 'row-number', String(c.number)), el('span', 'row-main', t(language, 'collectedBy', { name: c.name })));
      list.append(li);
    }
  }
  pad.strokes = [];
  box.replaceChildren(el('h2', 'panel-title', title), list);
}

function drawSignature(state, panel, language) {
  const box = $('panel');
  let canvas = $('signature-pad');
  const fresh = !canvas;
  if (fresh) {
    pad.strokes = [];
    canvas = el('canvas', 'signature-pad');
    canvas.id = 'signature-pad';
    canvas.setAttribute('aria-label', t(language, 'signHere'));
    canvas.addEventListener('pointerdown', onDown);
    canvas.addEventListener('pointermove', onMove);
    canvas.addEventListener('pointerup', onUp);
    canvas.addEventListener('pointercancel', onUp);
    const clear = el('button', 'tool-button', t(language, 'clearSignature'));
    clear.type = 'button';
    clear.id = 'signature-clear';
    clear.addEventListener('click', () => {
      pad.strokes = [];
      paint();
    });
    const done = el('button', 'tool-button ok', t(language, 'doneSignature'));
    done.type = 'button';
    done.id = 'signature-done';
    done.addEventListener('click', send);
    const parcels = el('ul', 'sign-parcels');
    const statement = el('p', 'statement');
    statement.id = 'statement';
    const who = el('p', 'sign-who');
    who.id = 'sign-who';
    const buttons = el('div', 'sign-buttons');
    buttons.append(clear, done);
    box.replaceChildren(el('h2', 'panel-title', t(language, 'signTitle')), who, parcels, statement, canvas, buttons);
  }
  pad.width = panel.pad.width;
  pad.height = panel.pad.height;
  canvas.width = panel.pad.width;
  canvas.height = panel.pad.height;
  $('statement').textContent = panel.statement;
  $('sign-who').textContent = panel.collector ? t(language, 'signCollector', { name: panel.collector, unit: panel.unit }) : t(language, 'signUnit', { unit: panel.unit });
  box.querySelector('.sign-parcels').replaceChildren(...panel.parcels.map((p) => el('li', '', [p.placeId, p.tracking].filter(Boolean).join(' '))));
  // A refused signature: the resident signs again on a clean pad.
  if (state.tone === 'error' && pad.clearedAt !== state.seq) {
    pad.clearedAt = state.seq;
    pad.strokes = [];
  }
  paint();
}

/** A pointer position in the pad's units, clamped to the pad. */
function point(e) {
  const canvas = $('signature-pad');
  const r = canvas.getBoundingClientRect();
  const x = Math.round(((e.clientX - r.left) / r.width) * pad.width);
  const y = Math.round(((e.clientY - r.top) / r.height) * pad.height);
  return [Math.min(pad.width, Math.max(0, x)), Math.min(pad.height, Math.max(0, y))];
}

function onDown(e) {
  e.preventDefault();
  e.currentTarget.setPointerCapture?.(e.pointerId);
  pad.current = [point(e)];
  pad.strokes.push(pad.current);
  paint();
}

function onMove(e) {
  if (!pad.current) return;
  const p = point(e);
  const last = pad.current[pad.current.length - 1];
  // Only moves of a whole unit or more: the path stays compact.
  if (last[0] === p[0] && last[1] === p[1]) return;
  pad.current.push(p);
  paint();
}

function onUp() {
  pad.current = null;
}

function paint() {
  const canvas = $('signature-pad');
  if (!canvas) return;
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.strokeStyle = '#1a1a1a';
  g.lineWidth = 4;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  for (const s of pad.strokes) {
    g.beginPath();
    g.moveTo(s[0][0], s[0][1]);
    for (const [x, y] of s.slice(1)) g.lineTo(x, y);
    if (s.length === 1) g.lineTo(s[0][0] + 0.5, s[0][1]);
    g.stroke();
  }
}

async function send() {
  const strokes = pad.strokes;
  try {
    await fetch('/signature', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ strokes }), cache: 'no-store' });
  } catch {
    // The stream's error shows the offline state; the resident presses Done again.
  }
}
