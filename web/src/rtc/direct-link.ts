// Pairing two devices with no server at all: one shows an invite (its
// offer with every ICE candidate in it), the other answers, and the
// "chat" data channel opens between them.
import { Emitter } from "../emitter";
import { parsePeerMessage, type PeerMessage } from "../chat/messages";
import { LOW_WATER } from "../chat/peer-sync";
import { decodeDescription, encodeDescription, PairingCodeError } from "./direct-code";

const GATHER_TIMEOUT_MS = 4000;

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_TIMEOUT_MS); // use what we have
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export class DirectLink extends Emitter<{ open: void; message: PeerMessage; closed: void; drain: void }> {
  readonly pc: RTCPeerConnection;
  #channel: RTCDataChannel | null = null;

  private constructor(iceServers: RTCIceServer[]) {
    super();
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.pc.ondatachannel = ({ channel }) => this.#adopt(channel);
  }

  /** The inviting side: returns the link and the invite code to show. */
  static async invite(iceServers: RTCIceServer[] = []): Promise<{ link: DirectLink; code: string }> {
    const link = new DirectLink(iceServers);
    link.#adopt(link.pc.createDataChannel("chat", { ordered: true }));
    await link.pc.setLocalDescription();
    await gathered(link.pc);
    return { link, code: await encodeDescription({ type: "offer", sdp: link.pc.localDescription!.sdp }) };
  }

  /** The invited side: takes the invite, returns the answer code to show. */
  static async answer(invite: string, iceServers: RTCIceServer[] = []): Promise<{ link: DirectLink; code: string }> {
    const offer = await decodeDescription(invite);
    if (offer.type !== "offer") throw new PairingCodeError("That is an answer; paste the invite instead.");
    const link = new DirectLink(iceServers);
    await link.pc.setRemoteDescription(offer);
    await link.pc.setLocalDescription();
    await gathered(link.pc);
    return { link, code: await encodeDescription({ type: "answer", sdp: link.pc.localDescription!.sdp }) };
  }

  /** The inviting side, once the answer came back. */
  async complete(answer: string): Promise<void> {
    const desc = await decodeDescription(answer);
    if (desc.type !== "answer") throw new PairingCodeError("That is an invite; paste the answer instead.");
    await this.pc.setRemoteDescription(desc);
  }

  get open(): boolean {
    return this.#channel?.readyState === "open";
  }

  get bufferedAmount(): number {
    return this.#channel?.bufferedAmount ?? 0;
  }

  onDrain(callback: () => void): () => void {
    return this.on("drain", callback);
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

  close(): void {
    this.#channel?.close();
    this.pc.close();
  }

  #adopt(channel: RTCDataChannel): void {
    if (channel.label !== "chat") return;
    this.#channel = channel;
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.onbufferedamountlow = () => this.emit("drain", undefined);
    channel.onopen = () => this.emit("open", undefined);
    channel.onclose = () => this.emit("closed", undefined);
    channel.onmessage = ({ data }) => {
      const m = parsePeerMessage(data);
      if (m) this.emit("message", m);
    };
  }
}
