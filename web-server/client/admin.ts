/**
 * The admin page (/admin): asks for the server API key (kept in this tab only: sessionStorage), then
 * polls `GET /api/cluster` every second: servers with state, pid, uptime, connections, rooms; rooms
 * with their members and a kick button each; messages per second per server as a live chart. Every
 * text from the cluster (room ids, names) goes in as text, never as HTML.
 */
import type { ApiError, ClusterView, ModerationResult, ServerView } from '../../app/protocol';
import { formatRate, RateChart } from './rate-chart';

const POLL_MS = 1000;
const KEY_STORAGE = 'admin.apiKey';

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from admin.html`);
  return found as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const keyView = byId<HTMLElement>('key-view');
const keyForm = byId<HTMLFormElement>('key-form');
const keyInput = byId<HTMLInputElement>('api-key');
const keyButton = byId<HTMLButtonElement>('key-button');
const keyError = byId<HTMLElement>('key-error');
const adminView = byId<HTMLElement>('admin-view');
const banner = byId<HTMLElement>('admin-banner');
const summary = byId<HTMLElement>('summary');
const updated = byId<HTMLElement>('updated');
const serversBody = byId<HTMLTableElement>('servers').tBodies[0]!;
const roomsList = byId<HTMLUListElement>('rooms');
const roomCount = byId<HTMLElement>('room-count');
const kickResult = byId<HTMLElement>('kick-result');
const legend = byId<HTMLUListElement>('rate-legend');
const canvas = byId<HTMLCanvasElement>('rate-chart');

let apiKey: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let chart = new RateChart(canvas);
/** The previous sample of each server's message counter, for the rate. */
let previous: { at: number; counters: Map<string, number> } | undefined;
/** Bumped when the key changes: answers to an older poll are dropped. */
let generation = 0;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Storage off: the key lives in this page only.
  }
}

async function callApi<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      cache: 'no-store',
      headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${apiKey ?? ''}` },
    });
  } catch {
    throw new HttpFailure(0, 'Cannot reach the web server.');
  }
  const body = (await response.json().catch(() => ({}))) as T & Partial<ApiError>;
  if (!response.ok) throw new HttpFailure(response.status, body.error ?? `HTTP ${response.status}`);
  return body;
}

function showKeyForm(error = ''): void {
  clearTimeout(timer);
  adminView.hidden = true;
  keyView.hidden = false;
  keyError.textContent = error;
  keyError.hidden = !error;
  keyButton.disabled = false;
  keyInput.focus();
}

function start(key: string): void {
  apiKey = key;
  generation++;
  chart = new RateChart(canvas);
  previous = undefined;
  keyButton.disabled = true;
  void poll(generation);
}

async function poll(mine: number): Promise<void> {
  try {
    const view = await callApi<ClusterView>('api/cluster');
    if (mine !== generation) return;
    storeKey(apiKey);
    keyView.hidden = true;
    adminView.hidden = false;
    banner.hidden = true;
    render(view);
  } catch (err) {
    if (mine !== generation) return;
    const failure = err instanceof HttpFailure ? err : new HttpFailure(0, String(err));
    if (failure.status === 401) {
      apiKey = undefined;
      storeKey(undefined);
      showKeyForm('The API key was refused.');
      return;
    }
    if (failure.status === 404) {
      showKeyForm("The server API is off: set API_KEY in the web server's .env.");
      return;
    }
    if (adminView.hidden) {
      showKeyForm(failure.message);
      return;
    }
    banner.textContent = `${failure.message} Trying again…`;
    banner.hidden = false;
    updated.textContent = 'stale';
    updated.className = 'status offline';
  }
  timer = setTimeout(() => void poll(mine), POLL_MS);
}

/** Messages per second per server since the previous sample (a counter that went back: the server restarted). */
function rates(view: ClusterView): Map<string, number> {
  const counters = new Map<string, number>();
  for (const s of view.servers) if (s.state === 'up' && s.messages !== undefined && s.type !== 'gate') counters.set(s.id, s.messages);
  const out = new Map<string, number>();
  if (previous) {
    const seconds = Math.max(0.001, (view.at - previous.at) / 1000);
    for (const [id, value] of counters) {
      const before = previous.counters.get(id);
      out.set(id, before === undefined || value < before ? 0 : (value - before) / seconds);
    }
  }
  previous = { at: view.at, counters };
  return out;
}

function render(view: ClusterView): void {
  const rate = rates(view);
  if (previous && rate.size > 0) chart.add(rate);
  canvas.dataset.samples = String(chart.sampleCount);

  const up = view.servers.filter((s) => s.state === 'up').length;
  const members = view.rooms.reduce((n, r) => n + r.users.length, 0);
  summary.textContent = `${up} of ${view.servers.length} servers up · ${view.rooms.length} rooms · ${members} members`;
  updated.textContent = `live · ${new Date(view.at).toLocaleTimeString()}`;
  updated.className = 'status online';

  serversBody.replaceChildren(...view.servers.map((s) => serverRow(s, rate.get(s.id))));
  renderLegend();

  roomCount.textContent = String(view.rooms.length);
  roomsList.replaceChildren(
    ...view.rooms.map((room) => {
      const item = el('li', 'room');
      item.dataset.rid = room.rid;
      const title = el('h3', undefined, room.rid);
      title.append(el('span', 'where', room.server));
      const users = el('ul');
      for (const user of room.users) {
        const line = el('li', 'member');
        line.dataset.user = user;
        const kick = el('button', 'kick', 'Kick');
        kick.type = 'button';
        kick.dataset.rid = room.rid;
        kick.dataset.user = user;
        kick.title = `Disconnect ${user} from ${room.rid}`;
        line.append(el('span', 'name', user), kick);
        users.append(line);
      }
      item.append(title, users);
      return item;
    }),
  );
}

function serverRow(s: ServerView, rate: number | undefined): HTMLTableRowElement {
  const row = el('tr');
  row.dataset.server = s.id;
  row.dataset.state = s.state;
  const cell = (text: string, className?: string): HTMLTableCellElement => el('td', className, text);
  const count = (value: number | undefined): string => (value === undefined ? '–' : String(value));
  const state = cell(s.state, `state-${s.state}`);
  if (s.error) state.title = s.error;
  row.append(
    cell(s.id),
    cell(s.type),
    state,
    cell(count(s.pid), 'num'),
    cell(s.uptimeSeconds === undefined ? '–' : formatUptime(s.uptimeSeconds), 'num'),
    cell(count(s.connections), 'num'),
    cell(count(s.rooms), 'num'),
    cell(count(s.members), 'num'),
    cell(rate === undefined ? '–' : formatRate(rate), 'num rate'),
  );
  return row;
}

function renderLegend(): void {
  legend.replaceChildren(
    ...[...chart.latest()].map(([id, value]) => {
      const item = el('li');
      const swatch = el('span', 'swatch');
      // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
      swatch.style.background = chart.color(id) ?? '#999';
      item.append(swatch, document.createTextNode(`${id}: ${formatRate(value)}/s`));
      return item;
    }),
  );
}

function formatUptime(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.floor(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}

roomsList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.kick');
  const { rid, user } = button?.dataset ?? {};
  if (!button || rid === undefined || user === undefined) return;
  button.disabled = true;
  kickResult.textContent = `Kicking ${user} from ${rid}…`;
  callApi<ModerationResult>(`api/rooms/${encodeURIComponent(rid)}/kick`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, reason: 'removed by an administrator' }),
  }).then(
    () => {
      kickResult.textContent = `Kicked ${user} from ${rid}.`;
    },
    (err: unknown) => {
      button.disabled = false;
      kickResult.textContent = `Could not kick ${user} from ${rid}: ${err instanceof Error ? err.message : String(err)}`;
    },
  );
});

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    showKeyForm('Enter the API key.');
    return;
  }
  keyInput.value = '';
  start(key);
});

byId<HTMLButtonElement>('forget-button').addEventListener('click', () => {
  generation++;
  apiKey = undefined;
  storeKey(undefined);
  showKeyForm();
});

const remembered = storedKey();
if (remembered) start(remembered);
else showKeyForm();
