import type { ServerInfo, ServerMap } from './config/server-info';

/** What a reload changed, by server id. */
export interface ServersChange {
  added: string[];
  removed: string[];
}

type ChangeListener = (previous: ServerMap, current: ServerMap, change: ServersChange) => Promise<void> | void;

/**
 * The servers this one knows: the current list by type and id, every server seen in any version of
 * it since start (to find state that moved), which are up, and reloading the list.
 */
export class ServerDirectory {
  /** Every server seen in any version of the list since start, by id. */
  private readonly everSeen = new Map<string, ServerInfo>();
  private readonly listeners: ChangeListener[] = [];

  constructor(
    private servers: ServerMap,
    /** Reads the list again (config/servers.json), for `reload`. */
    private readonly load: () => ServerMap,
    /** False when the link to `id` failed or dropped and has not come back. */
    private readonly isLinkUp: (id: string) => boolean,
  ) {
    this.remember(servers);
  }

  byType(serverType: string): readonly ServerInfo[] {
    return this.servers.get(serverType) ?? [];
  }

  /** Whether the list has `serverType` at all (a type with no servers left still counts). */
  hasType(serverType: string): boolean {
    return this.servers.has(serverType);
  }

  byId(id: string): ServerInfo | undefined {
    for (const list of this.servers.values()) {
      const found = list.find((s) => s.id === id);
      if (found) return found;
    }
    return undefined;
  }

  all(): ServerInfo[] {
    return [...this.servers.values()].flat();
  }

  /** Servers of `serverType` in this or any earlier version of the list (removed ones included). */
  everSeenOfType(serverType: string): ServerInfo[] {
    return [...this.everSeen.values()].filter((s) => s.serverType === serverType);
  }

  isUp(id: string): boolean {
    return this.isLinkUp(id);
  }

  /** Runs after the list changed, in the order added; `reload` waits for each. */
  onChanged(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Reads the list again and switches to it; a list that does not load (it throws) changes nothing. */
  async reload(): Promise<ServersChange> {
    const previous = this.servers;
    const current = this.load();
    const ids = (map: ServerMap): Set<string> => new Set([...map.values()].flat().map((s) => s.id));
    const before = ids(previous);
    const after = ids(current);
    const change = { added: [...after].filter((id) => !before.has(id)), removed: [...before].filter((id) => !after.has(id)) };
    this.servers = current;
    this.remember(current);
    for (const listener of this.listeners) await listener(previous, current, change);
    return change;
  }

  private remember(servers: ServerMap): void {
    for (const server of [...servers.values()].flat()) this.everSeen.set(server.id, server);
  }
}
