/**
 * What the page remembers. Per tab (sessionStorage): the user and their rooms, so a reload enters them
 * again. Per browser (localStorage): the last name and room, to fill in the login form.
 */

export interface SavedSession {
  username: string;
  rooms: string[];
  current: string;
}

export interface SavedLogin {
  username: string;
  rid: string;
}

const SESSION_KEY = 'chat.session';
const LOGIN_KEY = 'chat.login';

export function savedSession(): SavedSession | undefined {
  const session = read<Partial<SavedSession>>(sessionStorage, SESSION_KEY);
  if (typeof session?.username !== 'string' || !Array.isArray(session.rooms) || session.rooms.length === 0) return undefined;
  const rooms = session.rooms.filter((rid): rid is string => typeof rid === 'string');
  const current = typeof session.current === 'string' && rooms.includes(session.current) ? session.current : rooms[0]!;
  return { username: session.username, rooms, current };
}

export function saveSession(session: SavedSession | undefined): void {
  write(sessionStorage, SESSION_KEY, session);
}

export function savedLogin(): SavedLogin | undefined {
  const login = read<Partial<SavedLogin>>(localStorage, LOGIN_KEY);
  return typeof login?.username === 'string' && typeof login.rid === 'string' ? { username: login.username, rid: login.rid } : undefined;
}

export function saveLogin(login: SavedLogin): void {
  write(localStorage, LOGIN_KEY, login);
}

function read<T>(storage: Storage, key: string): T | undefined {
  try {
    return (JSON.parse(storage.getItem(key) ?? 'null') as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or storage full: a reload shows the login form instead.
  }
}
