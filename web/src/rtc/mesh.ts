// The full mesh: one PeerLink per member of the room, created as the
// contract says (the newcomer offers to every listed peer; members wait for
// the newcomer's offer), kept across signaling outages, retried with
// backoff while the peer is still in the room. Every signal is sealed with
// the room's signal key (crypto/signal-box.ts): one the server changed,
// forged or replayed is refused, and the member it claims to come from is
// shown as tampered with until a link to it opens.
import { Emitter } from "../emitter";
import { SEALED_TYPE, type SignalBox } from "../crypto/signal-box";
import type { PeerMessage } from "../chat/messages";
import type { Joined, PeerInfo, SignalingClient } from "../signaling/signaling-client";
import { PeerLink, type LinkState } from "./peer-link";

export type MemberState = LinkState | "tampered";

export interface Member extends PeerInfo {
  state: MemberState;
}

/** Why a signal was refused: not sealed at all, or sealed wrongly. */
export type Refusal = "unsealed" | "malformed" | "tampered" | "replayed";

export interface MeshEvents {
  members: Member[];
  /** A member's channel opened (or carries traffic again after a silence). */
  open: { clientId: string; link: PeerLink };
  message: { from: Member; link: PeerLink; message: PeerMessage };
  /** A member's link is gone for good (left, replaced, or starting over). */
  closed: { clientId: string; link: PeerLink };
  /** A peer sent something that failed the checks. */
  rejected: void;
  /** A member's channel went silent. */
  silent: void;
  /** A member told us its device key (in its hello, over its channel). */
  key: { clientId: string; key: string };
  /** A signal was refused; `clientId` is the member it claimed to come
   *  from, null for a peerId that is no member. */
  refused: { clientId: string | null; why: Refusal };
}

interface Entry {
  info: PeerInfo;
  link: PeerLink;
  retries: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  /** The last attempt found no path and there is no TURN relay to try. */
  blocked: boolean;
  /** A signal claiming to come from this member was refused, and no link
   *  to it has opened since. */
  tampered: boolean;
}

const MAX_BACKOFF_MS = 30000;

export class Mesh extends Emitter<MeshEvents> {
  #selfPeerId = "";
  #iceServers: RTCIceServer[] = [];
  // By clientId: a peer keeps its clientId when its peerId changes (a
  // signaling reconnect), so a working data channel survives that.
  #peers = new Map<string, Entry>();
  // Sealing and opening are asynchronous; these keep each direction in the
  // order of the wire, which is what the per-pair numbering checks.
  #outgoing: Promise<void> = Promise.resolve();
  #incoming: Promise<void> = Promise.resolve();
  #refused = 0;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly box: SignalBox,
    private readonly iceCandidatePoolSize?: number,
  ) {
    super();
    signaling.on("joined", (j) => this.#onJoined(j));
    signaling.on("peer-joined", (p) => this.#onPeerJoined(p));
    signaling.on("peer-left", ({ peerId, reason }) => this.#onPeerLeft(peerId, reason));
    signaling.on("signal", ({ from, type, payload }) => this.#receive(from, type, payload));
  }

  get members(): Member[] {
    return [...this.#peers.values()].map((e) => ({ ...e.info, state: memberState(e) }));
  }

  /** Signals refused since the room was opened. */
  get refused(): number {
    return this.#refused;
  }

  /** Sends to every open channel; returns how many peers it reached. */
  broadcast(message: PeerMessage): number {
    let n = 0;
    for (const e of this.#peers.values()) if (e.link.send(message)) n++;
    return n;
  }

  /** Signaling is known to work: every silent link asks for a new path. */
  kick(): void {
    for (const e of this.#peers.values()) e.link.kick();
  }

  close(): void {
    for (const e of this.#peers.values()) this.#drop(e);
    this.#peers.clear();
    this.#changed();
  }

  /** The server's word for who a peer is, with the name the peer told us
   *  itself: a name the server reports is not taken (members do not send
   *  it one; anything it says is its own invention). */
  #named(p: PeerInfo): PeerInfo {
    return { peerId: p.peerId, clientId: p.clientId, displayName: this.#peers.get(p.clientId)?.info.displayName ?? "" };
  }

  #onJoined(j: Joined): void {
    this.#selfPeerId = j.peerId;
    this.#iceServers = j.iceServers;
    const listed = new Set(j.peers.map((p) => p.clientId));
    for (const reported of j.peers) {
      const p = this.#named(reported);
      const known = this.#peers.get(p.clientId);
      if (known?.link.open) {
        known.info = p; // same person, new peerId after their reconnect
        known.link.kick(); // a silent link asks for a new path now that signaling works
        continue;
      }
      if (known) this.#drop(known);
      this.#connect(p, true);
    }
    // Peers we still talk to directly stay, even if signaling lost them.
    for (const [clientId, e] of this.#peers)
      if (!listed.has(clientId) && !e.link.open) {
        this.#drop(e);
        this.#peers.delete(clientId);
      }
    this.#changed();
  }

  #onPeerJoined(reported: PeerInfo): void {
    const p = this.#named(reported);
    const known = this.#peers.get(p.clientId);
    if (known?.link.open) {
      known.info = p;
      known.link.kick(); // back from a lost connection, maybe at a new address
    } else {
      if (known) this.#drop(known);
      this.#connect(p, false); // the newcomer offers
    }
    this.#changed();
  }

  #onPeerLeft(peerId: string, reason: string): void {
    this.box.forget(peerId);
    for (const [clientId, e] of this.#peers) {
      if (e.info.peerId !== peerId) continue;
      // Lost to signaling, or replaced by its own reconnect: the data
      // channel may well still work. A reload that brings a new
      // RTCPeerConnection is recognised by its offer (#onSignal).
      if (reason !== "left" && e.link.open) return;
      this.#drop(e);
      this.#peers.delete(clientId);
      this.#changed();
      return;
    }
  }

  #send(to: string, type: string, payload: unknown): void {
    const from = this.#selfPeerId;
    this.#outgoing = this.#outgoing
      .then(async () => this.signaling.signal(to, SEALED_TYPE, await this.box.seal(from, to, type, payload)))
      .catch(() => {}); // a crypto failure loses this one signal; links repeat what matters
  }

  #receive(from: string, type: string, payload: unknown): void {
    const to = this.#selfPeerId;
    this.#incoming = this.#incoming
      .then(async () => {
        if (type !== SEALED_TYPE) return this.#refuse(from, "unsealed");
        const opened = await this.box.open(from, to, payload);
        if (opened.ok) this.#onSignal(from, opened.type, opened.payload);
        else this.#refuse(from, opened.why);
      })
      .catch(() => {});
  }

  #refuse(from: string, why: Refusal): void {
    this.#refused++;
    const e = [...this.#peers.values()].find((p) => p.info.peerId === from);
    this.emit("refused", { clientId: e?.info.clientId ?? null, why });
    // A working link is left alone: the refused signal never reached it. A
    // link still being made lost what the peer sent, so it starts over (and
    // the peer hears from us at once, and learns too); backing off, as any
    // failed link does. A replay carried nothing new: it is just dropped.
    if (e && !e.link.open && why !== "replayed") {
      e.tampered = true;
      if (!e.link.closed) this.#retry(e);
    }
    this.#changed();
  }

  #onSignal(from: string, type: string, payload: unknown): void {
    for (const e of this.#peers.values()) {
      if (e.info.peerId === from) {
        if (e.link.closed) {
          // Between a failed link and its retry: an offer means the peer
          // started over first, so we answer it now instead of offering in
          // our turn (both sides retry on the same schedule, and an offer
          // that met a closed link was lost). Anything else is for the old one.
          if (type !== "offer") return;
          clearTimeout(e.retryTimer);
          this.#connect(e.info, false, e.retries + 1, e.blocked, e.tampered);
          void this.#peers.get(e.info.clientId)!.link.handleSignal(type, payload);
          this.#changed();
          return;
        }
        void e.link.handleSignal(type, payload).then((r) => {
          if (r !== "new-session" || this.#peers.get(e.info.clientId) !== e) return;
          // The peer started over (a reload): so do we, with its offer.
          this.#drop(e);
          this.#connect(e.info, false);
          void this.#peers.get(e.info.clientId)!.link.handleSignal(type, payload);
          this.#changed();
        });
        return;
      }
    }
  }

  #connect(info: PeerInfo, initiator: boolean, retries = 0, blocked = false, tampered = false): void {
    const link = new PeerLink({
      selfPeerId: this.#selfPeerId,
      remotePeerId: info.peerId,
      iceServers: this.#iceServers,
      iceCandidatePoolSize: this.iceCandidatePoolSize,
      initiator,
      sendSignal: (type, payload) => this.#send(entry.info.peerId, type, payload),
    });
    const entry: Entry = { info, link, retries, blocked, tampered };
    this.#peers.set(info.clientId, entry);
    link.on("state", (s) => {
      if (s === "direct" || s === "relayed") entry.blocked = entry.tampered = false;
      this.#changed();
    });
    link.on("open", () => {
      entry.retries = 0;
      this.emit("open", { clientId: entry.info.clientId, link });
    });
    link.on("rejected", () => this.emit("rejected", undefined));
    link.on("silent", () => this.emit("silent", undefined));
    link.on("message", (message) => {
      if (message.type === "hello") {
        // Its name and key (a rename sends it again); the clientId must be
        // the link's.
        if (message.clientId !== entry.info.clientId) return;
        if (message.key) this.emit("key", { clientId: message.clientId, key: message.key });
        if (message.displayName !== entry.info.displayName) {
          entry.info = { ...entry.info, displayName: message.displayName };
          this.#changed();
        }
        return;
      }
      this.emit("message", { from: { ...entry.info, state: link.state }, link, message });
    });
    link.on("failed", () => this.#retry(entry));
  }

  #retry(entry: Entry): void {
    if (this.#peers.get(entry.info.clientId) !== entry) return;
    entry.blocked = entry.link.blockedWithoutRelay;
    this.#drop(entry);
    // A link that was working starts over at once; repeated failures back off.
    const delay = entry.retries === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (entry.retries - 1));
    entry.retryTimer = setTimeout(() => {
      if (this.#peers.get(entry.info.clientId) !== entry) return;
      // Either side may start over; perfect negotiation sorts out a tie.
      this.#connect(entry.info, true, entry.retries + 1, entry.blocked, entry.tampered);
      this.#changed();
    }, delay);
    this.#changed();
  }

  #drop(e: Entry): void {
    if (e.retryTimer) clearTimeout(e.retryTimer);
    e.link.close();
    this.emit("closed", { clientId: e.info.clientId, link: e.link });
  }

  #changed(): void {
    this.emit("members", this.members);
  }
}

function memberState(e: Entry): MemberState {
  const s = e.link.state;
  const stuck = s === "connecting" || s === "lost";
  if (e.tampered && stuck) return "tampered";
  return e.blocked && stuck ? "blocked" : s;
}
