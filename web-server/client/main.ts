/** The browser client's entry: the login form, then the chat screen for one room. */
import { ChatConnection, ChatError, EVERYONE } from './chat-connection';
import { ChatView } from './chat-view';

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

const loginView = byId<HTMLElement>('login-view');
const loginForm = byId<HTMLFormElement>('login-form');
const usernameInput = byId<HTMLInputElement>('username');
const roomInput = byId<HTMLInputElement>('room');
const loginButton = byId<HTMLButtonElement>('login-button');
const loginError = byId<HTMLElement>('login-error');

const chatView = byId<HTMLElement>('chat-view');
const sendForm = byId<HTMLFormElement>('send-form');
const messageInput = byId<HTMLInputElement>('message');
const sendButton = byId<HTMLButtonElement>('send-button');
const sendError = byId<HTMLElement>('send-error');
const leaveButton = byId<HTMLButtonElement>('leave-button');
const elements = {
  room: byId('room-name'),
  me: byId('my-name'),
  status: byId('status'),
  banner: byId('connection-banner'),
  users: byId<HTMLUListElement>('users'),
  userCount: byId('user-count'),
  messages: byId<HTMLOListElement>('messages'),
  target: byId<HTMLSelectElement>('target'),
};

const STORAGE_KEY = 'chat.login';
let connection: ChatConnection | undefined;
let view: ChatView | undefined;

function remembered(): { username: string; rid: string } | undefined {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { username: string; rid: string } | undefined;
  } catch {
    return undefined;
  }
}

function remember(username: string, rid: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ username, rid }));
  } catch {
    // Private mode or storage full: the form just starts empty next time.
  }
}

function showLogin(error = ''): void {
  chatView.hidden = true;
  loginView.hidden = false;
  loginError.textContent = error;
  loginError.hidden = !error;
  loginButton.disabled = false;
  loginButton.textContent = 'Enter';
  document.title = 'Chat';
  (usernameInput.value ? roomInput : usernameInput).focus();
}

function setSending(enabled: boolean): void {
  messageInput.disabled = !enabled;
  sendButton.disabled = !enabled;
  elements.target.disabled = !enabled;
}

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const username = usernameInput.value.trim();
  const rid = roomInput.value.trim();
  if (!username || !rid) {
    showLogin('Enter a name and a room.');
    return;
  }
  if (username.includes('*')) {
    showLogin('A name cannot contain "*".');
    return;
  }
  loginButton.disabled = true;
  loginButton.textContent = 'Entering…';
  loginError.hidden = true;
  void enter(username, rid);
});

async function enter(username: string, rid: string): Promise<void> {
  const roomView = new ChatView(elements, username, rid);
  const conn = new ChatConnection(username, rid, {
    entered(users, history, reentry) {
      roomView.setUsers(users);
      // After a re-entry the history may hold our own private messages again: only new ones count.
      const missed = history.filter((message) => roomView.addMessage(message)).length;
      if (reentry) {
        roomView.setOnline(true);
        roomView.notice(
          missed > 0
            ? `Reconnected. ${missed} message${missed === 1 ? '' : 's'} from while you were away ${missed === 1 ? 'is' : 'are'} above.`
            : 'Reconnected. You missed nothing.',
          'info',
        );
        setSending(true);
      }
    },
    message: (message) => roomView.addMessage(message),
    lost: () => roomView.notice("Some messages may be missing: the room's history could not be fully recovered.", 'error'),
    userAdded: (user) => roomView.addUser(user),
    userLeft: (user) => roomView.removeUser(user),
    disconnected() {
      setSending(false);
      roomView.setOnline(false);
      roomView.notice('Connection lost. Reconnecting…', 'error');
    },
    kicked({ reason, until }) {
      connection = undefined;
      view = undefined;
      const banned = until === undefined ? '' : ` You may enter again after ${new Date(until).toLocaleString()}.`;
      showLogin(`You were removed from room "${rid}": ${reason}.${banned}`);
    },
    refused(error) {
      connection = undefined;
      view = undefined;
      showLogin(`Could not enter room "${rid}" again: ${error.message}`);
    },
    retrying(error, attempt, retryInMs) {
      // A 409 here is our own previous session, which the server has not let go of yet.
      const why = error.code === 409 ? 'The server still holds your previous connection.' : error.message;
      roomView.setOnline(false, `Attempt ${attempt} failed: ${why} Next try in ${Math.ceil(retryInMs / 1000)} s.`);
    },
  });
  try {
    await conn.enter();
  } catch (err) {
    showLogin(err instanceof ChatError ? err.message : `Something went wrong: ${String(err)}`);
    return;
  }
  connection = conn;
  view = roomView;
  remember(username, rid);
  document.title = `${rid} · Chat`;
  loginView.hidden = true;
  chatView.hidden = false;
  sendError.hidden = true;
  setSending(true);
  roomView.notice(`You entered room "${rid}" as ${username}.`, 'info');
  messageInput.focus();
}

sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const conn = connection;
  const roomView = view;
  const content = messageInput.value;
  if (!conn || !roomView || !content.trim()) return;
  const target = elements.target.value || EVERYONE;
  sendError.hidden = true;
  messageInput.value = '';
  conn.send(content, target).then(
    ({ id, seq }) => {
      // A private message reaches its target only: the sender shows its own copy.
      if (target !== EVERYONE) roomView.addMessage({ id, seq, msg: content, from: conn.username, target, time: Date.now() });
    },
    (err: unknown) => {
      if (!messageInput.value) messageInput.value = content;
      sendError.textContent = err instanceof ChatError ? err.message : String(err);
      sendError.hidden = false;
    },
  );
  messageInput.focus();
});

elements.users.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-user]');
  if (button?.dataset.user && view) {
    view.selectTarget(button.dataset.user);
    messageInput.focus();
  }
});

leaveButton.addEventListener('click', () => {
  connection?.leave();
  connection = undefined;
  view = undefined;
  showLogin();
});

const last = remembered();
if (last) {
  usernameInput.value = last.username;
  roomInput.value = last.rid;
}
showLogin();
