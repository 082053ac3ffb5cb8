// One peer of the mesh: an RTCPeerConnection with the reliable, ordered
// "chat" data channel, perfect negotiation (the contract: the newcomer
// offers; the peer whose peerId sorts lower is polite), ICE restarts on
// trouble, and a ping/pong health check over the channel.
import { Emitter } from "../emitter";
import { parsePeerMessage, type PeerMessage } from "../chat/messages";
import { LOW_WATER } from "../chat/peer-sync";

/** "blocked": ICE found no path and this server offers no TURN relay to
 *  fall back on (two NATs that cannot meet); retries go on quietly. */
export type LinkState = "connecting" | "direct" | "relayed" | "reconnecting" | "blocked" | "lost" | "same-device";

export interface LinkOptions {
  selfPeerId: string;
  remotePeerId: string;
  iceServers: RTCIceServer[];
  /** True for the newcomer, who creates the channel and offers. */
  initiator: boolean;
  sendSignal: (type: string, payload: unknown) => void;
  iceCandidatePoolSize?: number;
}

export interface LinkEvents {
  state: LinkState;
  /** The channel opened, or carries traffic again after a silence: time to
   *  compare histories. */
  open: void;
  message: PeerMessage;
  /** A data-channel message that failed the checks in chat/messages.ts. */
  rejected: void;
  /** The send buffer drained below LOW_WATER. */
  drain: void;
  /** Heard nothing for SILENCE_LIMIT_MS: the mesh checks whether our own
   *  signaling is alive, and if so, kick() asks ICE for a new path. */
  silent: void;
  /** Gave up: the mesh decides whether to start afresh. */
  failed: void;
}

// The mobile settings of the system we replace.
export const CONNECT_TIMEOUT_MS = 15000;
/** Pings both ways every second; a link that hears nothing for this long
 *  (Wi-Fi that passes nothing, a phone behind a stage) is silent. */
const PING_EVERY_MS = 1000;
/** Every this many pings, which path the link takes is read again. */
const ROUTE_EVERY_PINGS = 3;
export const SILENCE_LIMIT_MS = 3500;
/** A silent link gets an ICE restart first (again whenever signaling comes
 *  back), and keeps its channel: when the path returns, what waits in it is
 *  delivered. Only a link silent this long is replaced by a fresh one. */
export const FRESH_AFTER_MS = 30000;
/** Once signaling works again, a link silent this long is replaced rather
 *  than restarted: by then ICE has usually failed, and the old channel's
 *  SCTP waits out a backed-off retransmission timer (seconds) before it
 *  moves again; a fresh connection is up in a few hundred milliseconds, and
 *  catch-up sends whatever was in flight. */
/** An offer unanswered this long is sent again, at most OFFER_RESENDS times. */
const ANSWER_WAIT_MS = 3000;
const OFFER_RESENDS = 3;
export const REPLACE_AFTER_MS = 8000;
/** A new link whose offer and answer are both in place starts its ICE
 *  checks within milliseconds on any network. One still at "new" after this
 *  long never will: a candidate was lost on the way, or (seen in Chromium
 *  when a connection is made in the same moment another closes) the
 *  browser gathered no candidate at all, not even after an ICE restart. It
 *  starts over with a fresh connection rather than waiting out the connect
 *  deadline (15 s, and 15 more for the restart). */
export const ICE_STALL_MS = 4000;

function hasRelay(servers: RTCIceServer[]): boolean {
  return servers.some((s) => [s.urls].flat().some((u) => /^turns?:/i.test(u)));
}

export function isPolite(selfPeerId: string, remotePeerId: string): boolean {
  return selfPeerId < remotePeerId;
}

/** The session id of an SDP's o= line: a new RTCPeerConnection gets a new one. */
export function sdpSession(sdp: string): string | null {
  return /^o=\S+ (\d+) /m.exec(sdp)?.[1] ?? null;
}

export class PeerLink extends Emitter<LinkEvents> {
  readonly pc: RTCPeerConnection;
  #channel: RTCDataChannel | null = null;
  #state: LinkState = "connecting";
  #polite: boolean;
  #makingOffer = false;
  #ignoreOffer = false;
  #restarts = 0;
  #lastHeard = Date.now();
  #pinger: ReturnType<typeof setInterval> | null = null;
  #pings = 0;
  #closed = false;
  #remoteSession: string | null = null;
  #silent = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #answerTimer: ReturnType<typeof setTimeout> | undefined;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;
  #wasOpen = false;
  /** ICE ran its checks at least once (it did not stall before them). */
  #iceTried = false;
  /** Counts our offers: a resend is for the offer still waiting, not a later one. */
  #offers = 0;

  constructor(private readonly opts: LinkOptions) {
    super();
    this.#polite = isPolite(opts.selfPeerId, opts.remotePeerId);
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      bundlePolicy: "max-bundle",
      iceCandidatePoolSize: opts.iceCandidatePoolSize ?? 0,
    });
    this.pc.onicecandidate = ({ candidate }) =>
      opts.sendSignal("candidate", candidate ? candidate.toJSON() : null);
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onconnectionstatechange = () => void this.#onConnectionState();
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState !== "new") this.#iceTried = true;
    };
    this.pc.ondatachannel = ({ channel }) => {
      if (channel.label === "chat") this.#adopt(channel);
    };
    if (opts.initiator) this.#adopt(this.pc.createDataChannel("chat", { ordered: true }));
    this.#armConnectTimeout();
  }

  get state(): LinkState {
    return this.#state;
  }

  get open(): boolean {
    return this.#channel?.readyState === "open";
  }

  get closed(): boolean {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#channel?.bufferedAmount ?? 0;
  }

  onDrain(callback: () => void): () => void {
    return this.on("drain", callback);
  }

  /** True when this link gave up without ever opening, after ICE tried
   *  every path it had, while no TURN relay was on offer: two networks that
   *  cannot meet without one. */
  get blockedWithoutRelay(): boolean {
    return !this.#wasOpen && this.#iceTried && !hasRelay(this.opts.iceServers) && this.pc.iceConnectionState !== "connected";
  }

  send(message: PeerMessage): boolean {
    if (!this.open) return false;
    try {
      this.#channel!.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Feeds a signal from the peer. Returns "new-session" when it is an offer
   * from a different RTCPeerConnection than the one this link talks to (the
   * peer reloaded): the mesh then starts a fresh link for it.
   */
  async handleSignal(type: string, payload: unknown): Promise<"ok" | "new-session"> {
    if (this.#closed) return "ok";
    try {
      if (type === "offer" || type === "answer") {
        const sdp = (payload as { sdp?: unknown } | null)?.sdp;
        if (typeof sdp !== "string") return "ok";
        const session = sdpSession(sdp);
        if (type === "offer" && this.#remoteSession && session && session !== this.#remoteSession) return "new-session";
        this.#remoteSession = session ?? this.#remoteSession;
        const collision = type === "offer" && (this.#makingOffer || this.pc.signalingState !== "stable");
        this.#ignoreOffer = !this.#polite && collision;
        if (this.#ignoreOffer) return "ok";
        await this.pc.setRemoteDescription({ type, sdp });
        if (type === "offer") {
          await this.pc.setLocalDescription();
          this.opts.sendSignal("answer", { sdp: this.pc.localDescription!.sdp });
        }
        this.#watchForStall();
      } else if (type === "candidate") {
        try {
          await this.pc.addIceCandidate((payload as RTCIceCandidateInit | null) ?? undefined);
        } catch (e) {
          if (!this.#ignoreOffer) throw e;
        }
      }
    } catch {
      // A negotiation that went wrong is retried by the timeouts below.
    }
    return "ok";
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimers();
    this.#channel?.close();
    this.pc.close();
    this.#setState("lost");
  }

  async #offer(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.opts.sendSignal("offer", { sdp: this.pc.localDescription!.sdp });
      this.#awaitAnswer(++this.#offers, 1);
    } catch {
      // retried on the next negotiationneeded or restart
    } finally {
      this.#makingOffer = false;
    }
  }

  /** An offer with no answer after a while is sent again (an offer or an
   *  answer lost on the way, say across a signaling reconnect, or ignored
   *  by a peer that was offering too, would otherwise leave the link waiting
   *  for its connect deadline). What is sent is the offer as it is now: the
   *  candidates gathered since are in it, in case theirs were lost too. */
  #awaitAnswer(offer: number, attempt: number): void {
    clearTimeout(this.#answerTimer);
    if (attempt > OFFER_RESENDS) return;
    this.#answerTimer = setTimeout(() => {
      if (this.#closed || this.#offers !== offer || this.pc.signalingState !== "have-local-offer") return;
      this.opts.sendSignal("offer", { sdp: this.pc.localDescription!.sdp });
      this.#awaitAnswer(offer, attempt + 1);
    }, ANSWER_WAIT_MS);
  }

  /** Offer and answer are in place: a link that never opened must start its
   *  checks soon, or it starts over (see ICE_STALL_MS). */
  #watchForStall(): void {
    if (this.#wasOpen || this.pc.signalingState !== "stable") return;
    clearTimeout(this.#stallTimer);
    this.#stallTimer = setTimeout(() => {
      if (this.#closed || this.#wasOpen || this.pc.iceConnectionState !== "new") return;
      this.emit("failed", undefined);
    }, ICE_STALL_MS);
  }

  #adopt(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.onbufferedamountlow = () => this.emit("drain", undefined);
    channel.onopen = () => {
      this.#lastHeard = Date.now();
      this.#restarts = 0;
      this.#wasOpen = true;
      clearTimeout(this.#connectTimer);
      void this.#updateRoute();
      this.#startPinging();
      this.emit("open", undefined);
    };
    channel.onmessage = ({ data }) => {
      this.#heard();
      const msg = parsePeerMessage(data);
      if (!msg) {
        this.emit("rejected", undefined);
        return;
      }
      if (msg.type === "ping") this.send({ type: "pong", at: msg.at });
      else if (msg.type !== "pong") this.emit("message", msg);
    };
    channel.onclose = () => {
      if (!this.#closed) this.#setState("reconnecting");
    };
  }

  #startPinging(): void {
    if (this.#pinger) return;
    this.#pinger = setInterval(() => {
      const quiet = Date.now() - this.#lastHeard;
      if (quiet > FRESH_AFTER_MS) {
        this.emit("failed", undefined);
        return;
      }
      if (quiet > SILENCE_LIMIT_MS && !this.#silent) {
        // Silent: say so. The channel stays: if the old path comes back,
        // what waits in it is delivered and nothing is lost. An ICE restart
        // (kick) only once signaling is known to work: an offer into a dead
        // connection is lost, and restarting hastens the old path's end.
        this.#silent = true;
        this.#setState("reconnecting");
        this.emit("silent", undefined);
      }
      this.send({ type: "ping", at: Date.now() });
      // The route is looked at again now and then: the pair in use may not
      // be settled when the channel opens, and a path can change.
      if (!this.#silent && ++this.#pings % ROUTE_EVERY_PINGS === 0) void this.#updateRoute();
    }, PING_EVERY_MS);
  }

  /** Signaling works (a probe was answered, we rejoined, or the peer did):
   *  a silent link asks for a new path, or repeats its offer, since one made
   *  while signaling was down is lost. */
  kick(): void {
    if (this.#closed || !this.#silent) return;
    if (Date.now() - this.#lastHeard >= REPLACE_AFTER_MS) {
      this.emit("failed", undefined);
      return;
    }
    if (this.pc.signalingState === "have-local-offer" && this.pc.localDescription)
      this.opts.sendSignal("offer", { sdp: this.pc.localDescription.sdp });
    else this.pc.restartIce();
  }

  #heard(): void {
    this.#lastHeard = Date.now();
    if (!this.#silent) return;
    this.#silent = false;
    clearTimeout(this.#connectTimer);
    void this.#updateRoute();
    this.emit("open", undefined);
  }

  async #onConnectionState(): Promise<void> {
    switch (this.pc.connectionState) {
      case "connected":
        await this.#updateRoute();
        break;
      case "disconnected":
        if (!this.#wasOpen) this.#armConnectTimeout();
        // An open channel's silence is judged by the pings above.
        else if (!this.open) this.#setState("reconnecting");
        break;
      case "failed":
        this.#setState("reconnecting");
        this.#restartIce();
        break;
      default:
        break;
    }
  }

  /** direct or relayed, from the selected candidate pair. */
  async #updateRoute(): Promise<void> {
    if (!this.open && this.pc.connectionState !== "connected") return;
    let relayed = false;
    try {
      const stats = await this.pc.getStats();
      // The transport names the pair in use; without that, a nominated pair
      // that succeeded. Either end's candidate being a relay means TURN.
      const pairs: RTCIceCandidatePairStats[] = [];
      stats.forEach((s) => {
        if (s.type === "transport" && s.selectedCandidatePairId) pairs.unshift(stats.get(s.selectedCandidatePairId));
      });
      if (!pairs.length)
        stats.forEach((s) => {
          if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pairs.push(s);
        });
      const pair = pairs.find(Boolean);
      if (pair) {
        const local = stats.get(pair.localCandidateId);
        const remote = stats.get(pair.remoteCandidateId);
        relayed = local?.candidateType === "relay" || remote?.candidateType === "relay";
      }
    } catch {
      // stats are best effort
    }
    if (this.open) this.#setState(relayed ? "relayed" : "direct");
  }

  /** One deadline at a time, for a connection or a restart in progress;
   *  an open (or recovered) channel ends it. */
  #armConnectTimeout(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => {
      if (this.#closed || this.pc.connectionState === "connected") return;
      this.#restartIce();
    }, CONNECT_TIMEOUT_MS);
  }

  #restartIce(): void {
    if (this.#closed) return;
    // First an ICE restart; if that does not help either, a fresh link.
    if (this.#restarts++ >= 1) {
      this.emit("failed", undefined);
      return;
    }
    this.pc.restartIce();
    this.#armConnectTimeout();
  }

  #clearTimers(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#answerTimer);
    clearTimeout(this.#stallTimer);
    if (this.#pinger) clearInterval(this.#pinger);
    this.#pinger = null;
  }

  #setState(s: LinkState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.emit("state", s);
  }
}
