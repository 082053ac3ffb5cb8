import { describe, expect, it } from "vitest";
import { signalingUrl } from "./url";

describe("signaling URL", () => {
  it("defaults to the page's own origin", () => {
    expect(signalingUrl("", "https://chat.example")).toBe("https://chat.example");
  });
  it("takes ?signal= when it is an http(s) URL", () => {
    expect(signalingUrl("?signal=https://sig.example:3000", "https://chat.example")).toBe("https://sig.example:3000");
    expect(signalingUrl("?signal=javascript:alert(1)", "https://chat.example")).toBe("https://chat.example");
  });
});
