import { describe, expect, it } from "vitest";
import { toBase64url } from "../crypto/bytes";
import { generateDisplayName, normaliseRoomCode } from "./room-code";
import { roomFromLocation, roomPath, roomRefKey } from "./room-link";

describe("room codes", () => {
  it("normalises what people type", () => {
    expect(normaliseRoomCode("  Blue Tiger 42 ")).toBe("blue-tiger-42");
    expect(normaliseRoomCode("Café  Stage")).toBe("cafe-stage");
    expect(normaliseRoomCode("--main!stage-")).toBe("mainstage");
    expect(normaliseRoomCode(" K7QF M2XP  th9r")).toBe("k7qf-m2xp-th9r");
    expect(normaliseRoomCode("x".repeat(80))).toHaveLength(64);
  });

  it("makes memorable names", () => {
    for (let i = 0; i < 100; i++) expect(generateDisplayName()).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
  });
});

describe("room links", () => {
  const secret = Uint8Array.from({ length: 16 }, (_, i) => i);

  it("carry a secret or a code in the fragment only", () => {
    const path = roomPath({ kind: "secret", secret });
    expect(path).toBe("/r#k=AAECAwQFBgcICQoLDA0ODw");
    const [pathname, hash] = path.split("#");
    expect(roomFromLocation(pathname!, `#${hash}`)).toEqual({ room: { kind: "secret", secret } });
    expect(roomPath({ kind: "code", code: "k7qf-m2xp-th9r" })).toBe("/r#c=k7qf-m2xp-th9r");
    expect(roomFromLocation("/r", "#c=K7QF%20M2XP%20TH9R")).toEqual({ room: { kind: "code", code: "k7qf-m2xp-th9r" } });
  });

  it("open the links of before as codes", () => {
    expect(roomFromLocation("/r/blue-tiger-42", "")).toEqual({ room: { kind: "code", code: "blue-tiger-42" } });
    expect(roomFromLocation("/r/Blue%20Tiger", "")).toEqual({ room: { kind: "code", code: "blue-tiger" } });
    expect(roomFromLocation("/", "")).toBeNull();
    expect(roomFromLocation("/direct", "#k=x")).toBeNull();
  });

  it("say a damaged link is damaged", () => {
    for (const hash of ["", "#", "#k=", "#k=AAECAwQFBgcICQoLDA0OD", "#k=AAECAwQFBgcICQoLDA0ODx", `#k=${toBase64url(new Uint8Array(8))}`, "#c=", "#c=!!!"])
      expect(roomFromLocation("/r", hash), hash).toEqual({ damaged: true });
    expect(roomFromLocation("/r/%E0%A4%A", "")).toEqual({ damaged: true });
    expect(roomFromLocation("/r/---", "")).toEqual({ damaged: true });
  });

  it("name one room however its code is spelt", () => {
    expect(roomRefKey({ kind: "code", code: "k7qf-m2xp-th9r" })).toBe(roomRefKey({ kind: "code", code: "k7qfm2xpth9r" }));
    expect(roomRefKey({ kind: "secret", secret })).not.toBe(roomRefKey({ kind: "code", code: "k7qfm2xpth9r" }));
  });
});
