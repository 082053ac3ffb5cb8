// The signaling connection: joins the room with the contract's join-room,
// relays offers/answers/candidates, and rejoins with the same clientId and
// resume token whenever the connection comes back. Knows nothing of WebRTC
// or the DOM.
import { io, type Socket } from "socket.io-client";
import { Emitter } from "../emitter";
import type { Identity } from "../identity";

export type SignalingState = "connecting" | "online" | "offline";

export interface PeerInfo {
  peerId: string;
  clientId: string;
  displayName: string;
}

export interface Joined {
  peerId: string;
  peers: PeerInfo[];
  iceServers: RTCIceServer[];
}

export interface Signal {
  from: string;
  type: string;
  payload: unknown;
}

export interface SignalingEvents {
  state: SignalingState;
  joined: Joined;
  "peer-joined": PeerInfo;
  "peer-left": { peerId: string; reason: "left" | "disconnected" | "replaced" };
  signal: Signal;
  replaced: void;
  /** The server refused our clientId: someone else holds it with a token
   *  we do not have. A listener that wants the join retried gives us a new
   *  identity (setIdentity) before returning; we then try once more. */
  "client-id-taken": void;
  error: { code: string; message: string };
}

const JOIN_TIMEOUT_MS = 5000;
/** A server that does not answer a probe this fast is taken as gone. */
const PROBE_TIMEOUT_MS = 2000;

export class SignalingClient extends Emitter<SignalingEvents> {
  #socket: Socket;
  #state: SignalingState = "connecting";
  #probe: Promise<boolean> | null = null;

  constructor(
    url: string,
    private readonly roomId: string,
    private identity: Identity,
    socketFactory: typeof io = io,
  ) {
    super();
    this.#socket = socketFactory(url, {
      autoConnect: false,
      // Festival networks drop and return: keep trying, gently.
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.5,
      // A connection attempt into a network that passes nothing gives up
      // after this, so a fresh one (a fresh SYN) goes out soon after the
      // network is back; long enough for a handshake on slow 3G.
      timeout: 5000,
    });
    this.#socket.on("connect", () => void this.#join());
    this.#socket.on("disconnect", () => this.#setState("offline"));
    this.#socket.on("connect_error", () => this.#setState("offline"));
    this.#socket.on("peer-joined", (p: PeerInfo) => this.emit("peer-joined", p));
    this.#socket.on("peer-left", (p: SignalingEvents["peer-left"]) => this.emit("peer-left", p));
    this.#socket.on("signal", (s: Signal) => this.emit("signal", s));
    this.#socket.on("replaced", () => this.emit("replaced", undefined));
  }

  get state(): SignalingState {
    return this.#state;
  }

  start(): void {
    this.#socket.connect();
  }

  stop(): void {
    this.#socket.emit("leave-room");
    this.#socket.disconnect();
    this.#setState("offline");
  }

  /** Pauses signaling (tab in the background); data channels stay up. */
  pause(): void {
    this.#socket.disconnect();
    this.#setState("offline");
  }

  resume(): void {
    if (!this.#socket.connected) this.#socket.connect();
  }

  setIdentity(identity: Identity): void {
    this.identity = identity;
  }

  rejoin(): void {
    if (this.#socket.connected) void this.#join();
  }

  /** Sent now or never: a signal buffered through a reconnect would reach
   *  a peer in another state (links repeat what matters once rejoined). */
  signal(to: string, type: string, payload: unknown): void {
    if (this.#socket.connected) this.#socket.emit("signal", { to, type, payload });
  }

  /**
   * Whether the server still answers. A Wi-Fi link that passes nothing
   * leaves the socket "connected" until TCP gives up (minutes); an
   * unanswered probe closes it so socket.io reconnects at once, and keeps
   * trying until the network is back. Resolves false when offline.
   */
  probe(): Promise<boolean> {
    if (!this.#socket.connected || this.#state !== "online") return Promise.resolve(false);
    this.#probe ??= this.#socket
      .timeout(PROBE_TIMEOUT_MS)
      .emitWithAck("probe")
      .then(
        () => true,
        () => {
          if (this.#socket.connected) {
            this.#setState("offline");
            this.#socket.io.engine?.close();
          }
          return false;
        },
      )
      .finally(() => (this.#probe = null));
    return this.#probe;
  }

  /** `retry`: whether a "client-id-taken" may still be answered with a new
   *  identity and one more join. Once per attempt, so two tabs (or a peer
   *  and an impostor) can never bounce each other in a loop. */
  async #join(retry = true): Promise<void> {
    this.#setState("connecting");
    const sent = this.identity;
    try {
      const ack = await this.#socket.timeout(JOIN_TIMEOUT_MS).emitWithAck("join-room", {
        roomId: this.roomId,
        clientId: sent.clientId,
        // No displayName: names travel between members only, encrypted
        // (the hello on each data channel), never through the server.
        resumeToken: sent.resumeToken,
      });
      if (!ack?.ok) {
        const error = ack?.error ?? { code: "bad-request", message: "join refused" };
        if (error.code === "client-id-taken" && retry) {
          this.emit("client-id-taken", undefined);
          if (this.identity.clientId !== sent.clientId) return await this.#join(false);
        }
        this.emit("error", error);
        this.#setState("offline");
        return;
      }
      this.#setState("online");
      this.emit("joined", { peerId: ack.peerId, peers: ack.peers ?? [], iceServers: ack.iceServers ?? [] });
    } catch {
      // No acknowledgement in time: let socket.io reconnect and retry.
      this.#setState("offline");
      this.#socket.disconnect().connect();
    }
  }

  #setState(s: SignalingState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.emit("state", s);
  }
}
