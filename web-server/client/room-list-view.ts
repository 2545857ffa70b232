/** The list of the user's rooms beside the chat: one entry per room with its unread badge and a leave button. */
import { el } from './dom';

export interface RoomListEntry {
  rid: string;
  unread: number;
  /** The read marker the server has: on the entry as `data-read-seq`. */
  savedReadSeq: number;
}

export class RoomListView {
  constructor(private readonly list: HTMLUListElement) {}

  /** Renders every room; `current` is the room in view. */
  render(rooms: readonly RoomListEntry[], current: string | undefined): void {
    this.list.replaceChildren(
      ...rooms.map(({ rid, unread, savedReadSeq }) => {
        const item = el('li', rid === current ? 'room current' : 'room');
        item.dataset.rid = rid;
        item.dataset.readSeq = String(savedReadSeq);
        const open = el('button', 'room-name', rid);
        open.type = 'button';
        open.dataset.rid = rid;
        open.title = `show room ${rid}`;
        if (rid === current) open.setAttribute('aria-current', 'true');
        const badge = el('span', 'unread', unread > 99 ? '99+' : String(unread));
        badge.hidden = unread === 0;
        badge.title = `${unread} unread message${unread === 1 ? '' : 's'}`;
        const leave = el('button', 'leave-room', '×');
        leave.type = 'button';
        leave.dataset.leave = rid;
        leave.title = `leave room ${rid}`;
        leave.setAttribute('aria-label', `leave room ${rid}`);
        item.append(open, badge, leave);
        return item;
      }),
    );
  }
}
