import { ChannelService } from '../../game-server/services/channel-service';
import { RecordingTransport } from '../helpers/recording-transport';

const setup = () => {
  const transport = new RecordingTransport();
  return { transport, channels: new ChannelService(transport) };
};

/** `lobby` with ann and bob on connector-1 and cat on connector-2. */
const lobbyOfThree = () => {
  const { transport, channels } = setup();
  const room = channels.getOrCreateChannel('lobby');
  room.add('ann*lobby', 'connector-1');
  room.add('bob*lobby', 'connector-1');
  room.add('cat*lobby', 'connector-2');
  return { transport, room };
};

describe('Channel', () => {
  it('pushes once per frontend that has members, whatever the number of members there', () => {
    const { transport, room } = lobbyOfThree();

    room.pushMessage('onChat', { msg: 'hi' });

    expect(transport.pushes).toEqual([
      { frontendId: 'connector-1', message: { route: 'onChat', msg: { msg: 'hi' }, channel: 'lobby' } },
      { frontendId: 'connector-2', message: { route: 'onChat', msg: { msg: 'hi' }, channel: 'lobby' } },
    ]);
  });

  it('passes `except` on to the frontends, and leaves it out when not given', () => {
    const { transport, channels } = setup();
    const room = channels.getOrCreateChannel('lobby');
    room.add('ann*lobby', 'connector-1');
    room.pushMessage('onAdd', { user: 'ann' }, { except: 'ann*lobby' });
    room.pushMessage('onAdd', { user: 'bob' });
    expect(transport.pushes[0]!.message.except).toBe('ann*lobby');
    expect('except' in transport.pushes[1]!.message).toBe(false);
  });

  it('pushes nothing when the channel is empty', () => {
    const { transport, channels } = setup();
    channels.getOrCreateChannel('empty').pushMessage('onChat', {});
    expect(transport.pushes).toEqual([]);
  });

  it('moves a member that is added again to its new frontend, without counting it twice', () => {
    const { transport, channels } = setup();
    const room = channels.getOrCreateChannel('lobby');
    room.add('ann*lobby', 'connector-1');
    room.add('ann*lobby', 'connector-2');

    expect(room.size).toBe(1);
    expect(room.frontendOf('ann*lobby')).toBe('connector-2');
    room.pushMessage('onChat', {});
    expect(transport.frontends()).toEqual(['connector-2']);
  });

  it('stops pushing to a frontend once its last member left, and says whether the uid was a member', () => {
    const { transport, room } = lobbyOfThree();

    expect(room.leave('ann*lobby')).toBe(true);
    room.pushMessage('onChat', {});
    expect(transport.frontends()).toEqual(['connector-1', 'connector-2']);

    transport.clear();
    expect(room.leave('bob*lobby')).toBe(true);
    expect(room.leave('bob*lobby')).toBe(false);
    expect(room.leave('nobody*lobby')).toBe(false);
    room.pushMessage('onChat', {});
    expect(transport.frontends()).toEqual(['connector-2']);
    expect([...room.uids()]).toEqual(['cat*lobby']);
    expect(room.has('bob*lobby')).toBe(false);
    expect(room.has('cat*lobby')).toBe(true);
    expect(room.frontendOf('bob*lobby')).toBeUndefined();
  });

  it('pushes to one frontend only when it has members there', () => {
    const { transport, channels } = setup();
    const room = channels.getOrCreateChannel('lobby');
    room.add('ann*lobby', 'connector-1');
    room.pushToFrontend('connector-1', 'onSeq', { seq: 3 });
    room.pushToFrontend('connector-2', 'onSeq', { seq: 3 });
    expect(transport.pushes).toEqual([{ frontendId: 'connector-1', message: { route: 'onSeq', msg: { seq: 3 }, channel: 'lobby' } }]);
  });
});

describe('ChannelService', () => {
  it('gives the same channel for the same name until it is destroyed', () => {
    const { channels } = setup();
    const first = channels.getOrCreateChannel('lobby');
    first.add('ann*lobby', 'connector-1');
    expect(channels.getOrCreateChannel('lobby')).toBe(first);
    expect(channels.getOrCreateChannel('other')).not.toBe(first);

    channels.destroyChannel('lobby');
    const second = channels.getOrCreateChannel('lobby');
    expect(second).not.toBe(first);
    expect(second.size).toBe(0);
    channels.destroyChannel('never-made');
  });

  it('pushes to a list of users with one push per frontend, carrying that frontend`s uids', () => {
    const { transport, channels } = setup();
    channels.pushMessageByUids('onChat', { msg: 'psst' }, [
      { uid: 'ann*r', frontendId: 'connector-1' },
      { uid: 'cat*r', frontendId: 'connector-2' },
      { uid: 'bob*r', frontendId: 'connector-1' },
    ]);
    expect(transport.pushes).toEqual([
      { frontendId: 'connector-1', message: { route: 'onChat', msg: { msg: 'psst' }, uids: ['ann*r', 'bob*r'] } },
      { frontendId: 'connector-2', message: { route: 'onChat', msg: { msg: 'psst' }, uids: ['cat*r'] } },
    ]);
  });

  it('pushes nothing for an empty list of users', () => {
    const { transport, channels } = setup();
    channels.pushMessageByUids('onChat', {}, []);
    expect(transport.pushes).toEqual([]);
  });
});
