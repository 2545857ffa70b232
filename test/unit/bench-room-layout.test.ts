import { multiRoomUsers } from '../../bench/scenarios/room-layout';
import { cappedPushBound } from '../../bench/scenarios/presence-storm';

describe('the multi-room bench layout', () => {
  const users = multiRoomUsers(1000, 20, 5, 'multi');

  it('puts every user in 5 different rooms, the first one entered and 4 joined', () => {
    for (const user of users) {
      expect(user.join).toHaveLength(4);
      expect(new Set([user.rid, ...user.join!]).size).toBe(5);
    }
  });

  it('gives every room exactly 20 members', () => {
    const members = new Map<string, number>();
    for (const user of users) for (const rid of [user.rid, ...user.join!]) members.set(rid, (members.get(rid) ?? 0) + 1);
    expect(members.size).toBe(250);
    expect(new Set(members.values())).toEqual(new Set([20]));
  });

  it("mixes each layer differently: a user's other rooms hold few of its first room's members", () => {
    const firstRoom = new Map(users.map((u) => [u.username, u.rid]));
    const byRoom = new Map<string, string[]>();
    for (const user of users) for (const rid of user.join!) byRoom.set(rid, [...(byRoom.get(rid) ?? []), user.username]);
    for (const user of users.slice(0, 50)) {
      for (const rid of user.join!) {
        const shared = byRoom.get(rid)!.filter((name) => firstRoom.get(name) === user.rid).length;
        expect(shared).toBeLessThanOrEqual(5);
      }
    }
  });
});

describe("the presence storm's bound", () => {
  it('announces newcomers up to the cap, each to those before it, plus one push per enter in flight', () => {
    expect(cappedPushBound(5000, 1000, 100)).toEqual({ exact: 499_500, withRaces: 599_500 });
    expect(cappedPushBound(60, 1000, 100)).toEqual({ exact: 1770, withRaces: 7770 });
  });
});
