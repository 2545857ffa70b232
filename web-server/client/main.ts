/** The browser client's entry: the login form, then the messenger; a reload enters the tab's rooms again. */
import { EVERYONE } from './cluster-access';
import { asChatError } from './chat-error';
import { byId } from './dom';
import { Messenger, type MessengerElements } from './messenger';
import { savedLogin, savedSession, saveLogin, type SavedSession } from './session-store';

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
const signOutButton = byId<HTMLButtonElement>('sign-out-button');
const joinForm = byId<HTMLFormElement>('join-form');
const joinInput = byId<HTMLInputElement>('join-room');
const joinError = byId<HTMLElement>('join-error');
const elements: MessengerElements = {
  room: byId('room-name'),
  me: byId('my-name'),
  status: byId('status'),
  banner: byId('connection-banner'),
  users: byId<HTMLUListElement>('users'),
  userCount: byId('user-count'),
  messages: byId<HTMLOListElement>('messages'),
  target: byId<HTMLSelectElement>('target'),
  typing: byId('typing'),
  roomList: byId<HTMLUListElement>('rooms'),
};

/** A reload may come before the server has let go of the previous page's connection (409): tries for about 4 s. */
const RESUME_ATTEMPTS = 8;

let messenger: Messenger | undefined;

function showLogin(error = ''): void {
  messenger = undefined;
  chatView.hidden = true;
  loginView.hidden = false;
  loginError.textContent = error;
  loginError.hidden = !error;
  loginButton.disabled = false;
  loginButton.textContent = 'Enter';
  document.title = 'Chat';
  (usernameInput.value ? roomInput : usernameInput).focus();
}

function showError(element: HTMLElement, error: string): void {
  element.textContent = error;
  element.hidden = !error;
}

function setSending(enabled: boolean): void {
  messageInput.disabled = !enabled;
  sendButton.disabled = !enabled;
  elements.target.disabled = !enabled;
}

function newMessenger(username: string): Messenger {
  return new Messenger(elements, username, { sending: setSending, ended: (message) => showLogin(message) });
}

/** Signs in and enters `session.rooms`; `resuming`: after a reload, where a 409 is most likely our own last page. */
async function start(session: SavedSession, resuming: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const next = newMessenger(session.username);
    try {
      await next.start(session.rooms, session.current);
      messenger = next;
      break;
    } catch (err) {
      const error = asChatError(err);
      if (resuming && error.code === 409 && attempt < RESUME_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      showLogin(error.message);
      return;
    }
  }
  saveLogin({ username: session.username, rid: session.current });
  loginView.hidden = true;
  chatView.hidden = false;
  sendError.hidden = true;
  joinError.hidden = true;
  setSending(true);
  messageInput.focus();
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
  void start({ username, rooms: [rid], current: rid }, false);
});

sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const content = messageInput.value;
  if (!messenger || !content.trim()) return;
  const target = elements.target.value || EVERYONE;
  sendError.hidden = true;
  messageInput.value = '';
  messenger.send(content, target).catch((err: unknown) => {
    if (!messageInput.value) messageInput.value = content;
    showError(sendError, asChatError(err).message);
  });
  messageInput.focus();
});

messageInput.addEventListener('input', () => messenger?.input(messageInput.value));

elements.users.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-user]');
  if (button?.dataset.user && messenger) {
    messenger.pickTarget(button.dataset.user);
    messageInput.focus();
  }
});

elements.roomList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button');
  if (!button || !messenger) return;
  if (button.dataset.leave !== undefined) messenger.leave(button.dataset.leave);
  else if (button.dataset.rid !== undefined) {
    messenger.select(button.dataset.rid);
    messageInput.focus();
  }
});

joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const rid = joinInput.value.trim();
  const current = messenger;
  if (!rid || !current) return;
  joinError.hidden = true;
  current.join(rid).then(
    () => {
      joinInput.value = '';
      messageInput.focus();
    },
    (err: unknown) => showError(joinError, asChatError(err).message),
  );
});

signOutButton.addEventListener('click', () => messenger?.signOut());

const login = savedLogin();
if (login) {
  usernameInput.value = login.username;
  roomInput.value = login.rid;
}
const session = savedSession();
if (session) {
  showLogin();
  loginButton.disabled = true;
  loginButton.textContent = 'Entering…';
  void start(session, true);
} else showLogin();
