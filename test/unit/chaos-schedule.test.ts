import { CLUSTER_FAULT_KINDS, drawSchedule, FAULT_KINDS } from '../../bench/chaos/schedule';

const layout = { connectors: 3, chats: 3 };
const options = { meanPauseMs: 4000, count: 60 };

describe('the chaos fault schedule', () => {
  it('is the same for the same seed, and another for another seed', () => {
    expect(drawSchedule(7, layout, options)).toEqual(drawSchedule(7, layout, options));
    expect(drawSchedule(8, layout, options)).not.toEqual(drawSchedule(7, layout, options));
  });

  it.each([
    ['the cluster', CLUSTER_FAULT_KINDS],
    ['the cluster and Redis', FAULT_KINDS],
  ])('meets every kind of %s in its first faults, scale-in after scale-out', (_what, all) => {
    for (let seed = 1; seed <= 50; seed++) {
      const kinds = drawSchedule(seed, layout, { ...options, kinds: all })
        .slice(0, all.length)
        .map((f) => f.kind);
      expect([...kinds].sort()).toEqual([...all].sort());
      expect(kinds.indexOf('scale-in')).toBeGreaterThan(kinds.indexOf('scale-out'));
    }
    expect(drawSchedule(1, layout, options).some((f) => f.kind === 'kill-redis-primary' || f.kind === 'restart-redis')).toBe(false);
  });

  it('draws only the kinds asked for, on servers there are: none a scale-out left out would have added', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const faults = drawSchedule(seed, layout, { ...options, kinds: ['graceful-restart', 'reload', 'kill-chat'] });
      expect(faults).toHaveLength(options.count);
      expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(['graceful-restart', 'reload', 'kill-chat']));
      for (const f of faults) expect(f.target).toMatch(/^(gate-server-1|connector-server-[123]|chat-server-[123]|ecosystem\.config\.js)$/);
    }
    expect(drawSchedule(1, layout, { ...options, kinds: ['scale-out'] }).map((f) => f.kind)).toEqual(['scale-out']);
  });

  it('targets only servers there are at that point, and scales in what it scaled out', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const present = new Set([
        'gate-server-1',
        'connector-server-1',
        'connector-server-2',
        'connector-server-3',
        'chat-server-1',
        'chat-server-2',
        'chat-server-3',
      ]);
      let added: string[] = [];
      for (const fault of drawSchedule(seed, layout, options)) {
        const ids = fault.target.split('+');
        if (fault.kind === 'scale-out') {
          expect(added).toEqual([]);
          for (const id of ids) expect(present.has(id)).toBe(false);
          ids.forEach((id) => present.add(id));
          added = ids;
        } else if (fault.kind === 'scale-in') {
          expect(ids).toEqual(added);
          ids.forEach((id) => present.delete(id));
          added = [];
        } else if (fault.kind === 'reload') {
          expect(fault.target).toBe('ecosystem.config.js');
        } else {
          expect(ids).toHaveLength(1);
          expect(present.has(fault.target)).toBe(true);
          const type = { 'kill-chat': 'chat-', 'kill-connector': 'connector-', 'kill-gate': 'gate-' }[fault.kind as string];
          if (type) expect(fault.target.startsWith(type)).toBe(true);
        }
        expect(fault.pauseMs).toBeGreaterThanOrEqual(2000);
        expect(fault.pauseMs).toBeLessThanOrEqual(6000);
        if (fault.kind === 'partition') expect(fault.holdMs).toBeGreaterThanOrEqual(2000);
      }
    }
  });
});
