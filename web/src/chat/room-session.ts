// One room as the UI sees it: the signaling connection, the mesh, and the
// conversation (kept in sessionStorage so a reload does not wipe it).
import { Emitter } from "../emitter";
import { renewClientId, saveDisplayName, type Identity } from "../identity";
import { Mesh, type Member } from "../rtc/mesh";
import { SignalingClient, type SignalingState } from "../signaling/signaling-client";
import { MessageLog, newChatMessage, type ChatMessage } from "./messages";
import { TabChannel } from "./tab-channel";

export interface RoomSnapshot {
  roomId: string;
  signaling: SignalingState;
  members: Member[];
  messages: readonly ChatMessage[];
  self: Identity;
  error: string | null;
}

export class RoomSession extends Emitter<{ change: RoomSnapshot }> {
  readonly signaling: SignalingClient;
  readonly mesh: Mesh;
  readonly tabs: TabChannel;
  #log: MessageLog;
  #error: string | null = null;

  constructor(
    readonly roomId: string,
    private self: Identity,
    signalingUrl: string,
    private readonly storage: Storage = sessionStorage,
    iceCandidatePoolSize?: number,
  ) {
    super();
    this.#log = MessageLog.fromJSON(storage.getItem(this.#key));
    this.signaling = new SignalingClient(signalingUrl, roomId, self);
    this.mesh = new Mesh(this.signaling, iceCandidatePoolSize);
    this.tabs = new TabChannel(roomId, self);
    this.tabs.on("tabs", () => this.#changed());
    this.tabs.on("message", (m) => {
      if (this.#log.add(m)) this.#persist();
    });
    this.signaling.on("state", () => this.#changed());
    this.signaling.on("error", (e) => {
      this.#error = e.message;
      this.#changed();
    });
    this.signaling.on("joined", () => {
      this.#error = null;
      this.#changed();
    });
    this.signaling.on("replaced", () => {
      // Another tab took our clientId (a duplicated tab copies
      // sessionStorage, token and all): become someone new and join again.
      this.#renewIdentity();
      this.signaling.rejoin();
    });
    this.signaling.on("client-id-taken", () => {
      // Someone holds our clientId under another token (or it is kept for
      // someone who lost their connection): the signaling client retries
      // once with the identity we give it here.
      this.#renewIdentity();
    });
    this.mesh.on("members", () => this.#changed());
    this.mesh.on("message", ({ message }) => {
      if (message.type === "chat" && this.#log.add(message)) this.#persist();
    });
  }

  #renewIdentity(): void {
    this.self = { ...this.self, ...renewClientId(this.storage) };
    this.signaling.setIdentity(this.self);
    this.tabs.setIdentity(this.self);
    this.#changed();
  }

  get #key(): string {
    return `fc.messages.${this.roomId}`;
  }

  get snapshot(): RoomSnapshot {
    return {
      roomId: this.roomId,
      signaling: this.signaling.state,
      members: this.#members(),
      messages: this.#log.messages,
      self: this.self,
      error: this.#error,
    };
  }

  start(): void {
    this.tabs.start();
    this.signaling.start();
  }

  stop(): void {
    this.signaling.stop();
    this.mesh.close();
    this.tabs.stop();
  }

  /** Mesh peers, plus tabs of this browser that only the tab channel knows. */
  #members(): Member[] {
    const mesh = this.mesh.members;
    const known = new Set(mesh.filter((m) => m.state !== "lost").map((m) => m.clientId));
    const local: Member[] = this.tabs.tabs
      .filter((t) => !known.has(t.clientId))
      .map((t) => ({ peerId: "", clientId: t.clientId, displayName: t.displayName, state: "same-device" }));
    return [...mesh, ...local];
  }

  pause(): void {
    this.signaling.pause();
  }

  resume(): void {
    this.signaling.resume();
  }

  /** A new display name: remembered, told to every peer and tab at once,
   *  and carried by the next join. False for an empty name. */
  rename(name: string): boolean {
    const displayName = name.trim().slice(0, 64);
    if (!displayName) return false;
    if (displayName === this.self.displayName) return true;
    this.self = { ...this.self, displayName };
    saveDisplayName(displayName);
    this.signaling.setIdentity(this.self);
    this.tabs.setIdentity(this.self);
    this.mesh.broadcast({ type: "hello", clientId: this.self.clientId, displayName });
    this.#changed();
    return true;
  }

  send(text: string): ChatMessage | null {
    const trimmed = text.trim();
    if (!trimmed) return null;
    const msg = newChatMessage(this.self.clientId, this.self.displayName, trimmed);
    this.#log.add(msg);
    this.mesh.broadcast(msg);
    this.tabs.send(msg);
    this.#persist();
    return msg;
  }

  #persist(): void {
    try {
      this.storage.setItem(this.#key, this.#log.toJSON());
    } catch {
      // storage full or unavailable: the conversation lives on in memory
    }
    this.#changed();
  }

  #changed(): void {
    this.emit("change", this.snapshot);
  }
}
