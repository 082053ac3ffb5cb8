// Where a room's history lives on this device: IndexedDB (through `idb`),
// so it survives a reload, a closed tab and a browser crash. Every tab of a
// room shares it. Records are plain data, checked again when read back: a
// store written by an older version or damaged by hand loads what is valid.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { messageId, parsePeerValue, type ChatMessage } from "./messages";

export interface StoredRoom {
  messages: ChatMessage[];
  clock: number;
  ownSeq: Record<string, number>;
}

/** The history of every room on this device. */
export interface LogStore {
  load(roomId: string): Promise<StoredRoom>;
  /** Adds messages and drops others, with the room's counters, in one transaction. */
  save(roomId: string, change: { add: ChatMessage[]; remove: ChatMessage[]; clock: number; ownSeq: Record<string, number> }): Promise<void>;
  forget(roomId: string): Promise<void>;
}

interface Schema extends DBSchema {
  messages: { key: [string, string]; value: { room: string; id: string; message: ChatMessage } };
  rooms: { key: string; value: { room: string; clock: number; ownSeq: Record<string, number> } };
}

const DB_NAME = "festival-chat";

function roomRange(roomId: string): IDBKeyRange {
  return IDBKeyRange.bound([roomId, ""], [roomId, "\uffff"]);
}

export class IndexedDbLogStore implements LogStore {
  #db: Promise<IDBPDatabase<Schema>> | null = null;

  #open(): Promise<IDBPDatabase<Schema>> {
    this.#db ??= openDB<Schema>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore("messages", { keyPath: ["room", "id"] });
        db.createObjectStore("rooms", { keyPath: "room" });
      },
    });
    return this.#db;
  }

  async load(roomId: string): Promise<StoredRoom> {
    const db = await this.#open();
    const tx = db.transaction(["messages", "rooms"], "readonly");
    const [records, room] = await Promise.all([tx.objectStore("messages").getAll(roomRange(roomId)), tx.objectStore("rooms").get(roomId)]);
    const messages: ChatMessage[] = [];
    for (const r of records) {
      const m = parsePeerValue(r.message);
      if (m?.type === "chat" && messageId(m) === r.id) messages.push(m);
    }
    const ownSeq: Record<string, number> = {};
    for (const [k, v] of Object.entries(room?.ownSeq ?? {})) if (Number.isSafeInteger(v) && v > 0) ownSeq[k] = v;
    const clock = Number.isSafeInteger(room?.clock) ? room!.clock : 0;
    return { messages, clock, ownSeq };
  }

  async save(roomId: string, change: { add: ChatMessage[]; remove: ChatMessage[]; clock: number; ownSeq: Record<string, number> }): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(["messages", "rooms"], "readwrite");
    const messages = tx.objectStore("messages");
    const writes: Promise<unknown>[] = [];
    for (const m of change.add) writes.push(messages.put({ room: roomId, id: messageId(m), message: m }));
    for (const m of change.remove) writes.push(messages.delete([roomId, messageId(m)]));
    writes.push(tx.objectStore("rooms").put({ room: roomId, clock: change.clock, ownSeq: change.ownSeq }));
    await Promise.all([...writes, tx.done]);
  }

  async forget(roomId: string): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(["messages", "rooms"], "readwrite");
    await Promise.all([tx.objectStore("messages").delete(roomRange(roomId)), tx.objectStore("rooms").delete(roomId), tx.done]);
  }
}

/** For a browser without IndexedDB (or one refusing it): history lives as
 *  long as the page. */
export class MemoryLogStore implements LogStore {
  #rooms = new Map<string, StoredRoom>();

  async load(roomId: string): Promise<StoredRoom> {
    const r = this.#rooms.get(roomId);
    return r ? { messages: [...r.messages], clock: r.clock, ownSeq: { ...r.ownSeq } } : { messages: [], clock: 0, ownSeq: {} };
  }

  async save(roomId: string, change: { add: ChatMessage[]; remove: ChatMessage[]; clock: number; ownSeq: Record<string, number> }): Promise<void> {
    const r = this.#rooms.get(roomId) ?? { messages: [], clock: 0, ownSeq: {} };
    const gone = new Set(change.remove.map(messageId));
    const byId = new Map(r.messages.filter((m) => !gone.has(messageId(m))).map((m) => [messageId(m), m]));
    for (const m of change.add) byId.set(messageId(m), m);
    this.#rooms.set(roomId, { messages: [...byId.values()], clock: change.clock, ownSeq: { ...change.ownSeq } });
  }

  async forget(roomId: string): Promise<void> {
    this.#rooms.delete(roomId);
  }
}
