import { MemoryModerationStore } from '../../app/servers/chat/moderation/moderation-store';

/** The store reads the time from here: entries run out when the test moves it. */
let now = 1_000_000;
const clock = (): number => now;
const store = () => new MemoryModerationStore(clock);

describe('MemoryModerationStore', () => {
  beforeEach(() => (now = 1_000_000));

  it('keeps an entry in force until its time, per room, per kind and per user', async () => {
    const s = store();
    await s.set('r', 'ban', { username: 'eve', until: now + 100, reason: 'spam' });
    expect(await s.get('r', 'ban', 'eve')).toEqual({ username: 'eve', until: now + 100, reason: 'spam' });
    expect(await s.get('r', 'mute', 'eve')).toBeUndefined();
    expect(await s.get('other', 'ban', 'eve')).toBeUndefined();
    expect(await s.get('r', 'ban', 'bob')).toBeUndefined();
    now += 99;
    expect(await s.get('r', 'ban', 'eve')).toBeDefined();
    now += 1;
    expect(await s.get('r', 'ban', 'eve')).toBeUndefined();
  });

  it('lifts an entry early and says whether one was in force; an expired one counts as none', async () => {
    const s = store();
    await s.set('r', 'mute', { username: 'bob', until: now + 100 });
    await s.set('r', 'mute', { username: 'old', until: now + 10 });
    now += 50;
    expect(await s.lift('r', 'mute', 'bob')).toBe(true);
    expect(await s.lift('r', 'mute', 'bob')).toBe(false);
    expect(await s.lift('r', 'mute', 'old')).toBe(false);
    expect(await s.lift('nowhere', 'ban', 'bob')).toBe(false);
    expect(await s.list('r', 'mute')).toEqual([]);
  });

  it('lists only the entries still in force', async () => {
    const s = store();
    await s.set('r', 'ban', { username: 'a', until: now + 10 });
    await s.set('r', 'ban', { username: 'b', until: now + 100 });
    await s.set('r', 'mute', { username: 'c', until: now + 100 });
    now += 10;
    expect(await s.list('r', 'ban')).toEqual([{ username: 'b', until: now + 90 }]);
    expect(await s.list('nowhere', 'ban')).toEqual([]);
  });

  it('replaces an entry set again, shorter or longer', async () => {
    const s = store();
    await s.set('r', 'ban', { username: 'eve', until: now + 1000 });
    await s.set('r', 'ban', { username: 'eve', until: now + 10 });
    now += 10;
    expect(await s.get('r', 'ban', 'eve')).toBeUndefined();
  });

  it('hands over only the entries still in force, forgets the room, and the next owner enforces them', async () => {
    const from = store();
    await from.set('r', 'ban', { username: 'eve', until: now + 100 });
    await from.set('r', 'ban', { username: 'gone', until: now + 5 });
    await from.set('r', 'mute', { username: 'bob', until: now + 100 });
    now += 5;
    const snapshot = from.release('r');
    expect(snapshot).toEqual({ bans: [{ username: 'eve', until: now + 95 }], mutes: [{ username: 'bob', until: now + 95 }] });
    expect(from.release('r')).toBeUndefined();
    expect(await from.get('r', 'ban', 'eve')).toBeUndefined();

    const to = store();
    to.adopt('r', snapshot!);
    expect(await to.get('r', 'ban', 'eve')).toMatchObject({ username: 'eve' });
    expect(await to.get('r', 'mute', 'bob')).toMatchObject({ username: 'bob' });
  });

  it('has nothing to hand over for a room without entries, nor once its entries were lifted', async () => {
    const s = store();
    expect(s.release('r')).toBeUndefined();
    await s.set('r', 'ban', { username: 'eve', until: now + 100 });
    await s.lift('r', 'ban', 'eve');
    expect(s.release('r')).toBeUndefined();
  });
});
