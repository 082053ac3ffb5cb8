import { describe, expect, it } from "vitest";
import { decodeDescription, encodeDescription, PairingCodeError } from "./direct-code";

const SDP = [
  "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
  "a=candidate:1 1 udp 2122260223 10.213.0.1 54321 typ host generation 0",
  "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
  "a=fingerprint:sha-256 " + Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, "0").toUpperCase()).join(":"),
  "a=setup:actpass", "a=mid:0", "a=sctp-port:5000", "a=max-message-size:262144", "",
].join("\r\n");

describe("pairing codes", () => {
  it("round-trip offers and answers", async () => {
    for (const type of ["offer", "answer"] as const) {
      const code = await encodeDescription({ type, sdp: SDP });
      expect(code).toMatch(/^FC1\.[oa]\.[A-Za-z0-9_-]+$/);
      expect(code.length).toBeLessThan(SDP.length);
      expect(await decodeDescription(code)).toEqual({ type, sdp: SDP });
    }
  });

  it("tolerate whitespace from copy-paste", async () => {
    const code = await encodeDescription({ type: "offer", sdp: SDP });
    const wrapped = code.replace(/(.{40})/g, "$1\n ");
    expect((await decodeDescription(wrapped)).sdp).toBe(SDP);
  });

  it("explain bad codes", async () => {
    await expect(decodeDescription("hello")).rejects.toBeInstanceOf(PairingCodeError);
    await expect(decodeDescription("FC1.x.abc")).rejects.toBeInstanceOf(PairingCodeError);
    const code = await encodeDescription({ type: "offer", sdp: SDP });
    await expect(decodeDescription(code.slice(0, 30))).rejects.toBeInstanceOf(PairingCodeError);
  });
});
