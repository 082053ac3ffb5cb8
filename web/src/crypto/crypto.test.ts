import { describe, expect, it } from "vitest";
import { fromBase64url, fromHex, hex, toBase32, toBase64url, utf8 } from "./bytes";
import { noble } from "./noble";
import { webCrypto } from "./webcrypto";
import { webCryptoUsable, type Primitives } from "./primitives";
import { canonicalCode, codeSecret, deriveRoomKeys, framed, generateRoomCode } from "./room-keys";
import { SignalBox } from "./signal-box";

const subtle = globalThis.crypto.subtle;
const both: Primitives[] = [webCrypto(subtle), noble];

describe("bytes", () => {
  it("base64url round-trips and refuses what is not canonical", () => {
    for (const n of [0, 1, 2, 3, 16, 33]) {
      const b = crypto.getRandomValues(new Uint8Array(n));
      expect(fromBase64url(toBase64url(b))).toEqual(b);
    }
    expect(fromBase64url("A")).toBeNull(); // impossible length
    expect(fromBase64url("AB")).toBeNull(); // stray bits
    expect(fromBase64url("a+b/")).toBeNull(); // not url-safe
    expect(fromBase64url("QQ==")).toBeNull(); // padded
  });
  it("base32 follows RFC 4648 (lower case, unpadded)", () => {
    expect(toBase32(utf8("foobar"))).toBe("mzxw6ytboi");
    expect(toBase32(utf8("f"))).toBe("my");
  });
});

describe("both implementations", () => {
  it("this Node.js has WebCrypto with Ed25519, so both paths are tested", async () => {
    expect(await webCryptoUsable(subtle)).toBe(true);
    expect(await webCryptoUsable(null)).toBe(false);
  });

  it("HKDF-SHA-256 gives RFC 5869's test case 1", async () => {
    for (const p of both) {
      const okm = await p.hkdf(fromHex("0b".repeat(22)), fromHex("000102030405060708090a0b0c"), fromHex("f0f1f2f3f4f5f6f7f8f9"), 42);
      expect(hex(okm), p.name).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }
  });

  it("Ed25519 gives RFC 8032's test 1, and each verifies the other's signatures", async () => {
    const seed = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    for (const p of both) {
      const k = await p.signingKey(seed);
      expect(hex(k.publicKey), p.name).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
      expect(hex(await k.sign(new Uint8Array())), p.name).toBe(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
      );
    }
    const msg = utf8("hello, festival");
    const seed2 = crypto.getRandomValues(new Uint8Array(32));
    const [a, b] = await Promise.all(both.map((p) => p.signingKey(seed2)));
    const sa = await a!.sign(msg);
    expect(hex(await b!.sign(msg))).toBe(hex(sa));
    for (const p of both) {
      expect(await p.verify(a!.publicKey, msg, sa), p.name).toBe(true);
      const bad = Uint8Array.from(sa);
      bad[10]! ^= 1;
      expect(await p.verify(a!.publicKey, msg, bad), p.name).toBe(false);
      expect(await p.verify(a!.publicKey, utf8("hello, festivaL"), sa), p.name).toBe(false);
      expect(await p.verify(new Uint8Array(31), msg, sa), p.name).toBe(false);
      expect(await p.verify(a!.publicKey, msg, sa.slice(1)), p.name).toBe(false);
    }
  });

  it("AES-256-GCM: the same bytes either way, and each opens the other's", async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const aad = utf8("bound");
    for (const size of [0, 1, 100, 5000]) {
      const plain = crypto.getRandomValues(new Uint8Array(size));
      const [x, y] = await Promise.all(both.map((p) => p.seal(key, nonce, plain, aad)));
      expect(hex(x!)).toBe(hex(y!));
      expect(x!.length).toBe(size + 16);
      for (const p of both) {
        expect(await p.open(key, nonce, x!, aad), p.name).toEqual(plain);
        const flipped = Uint8Array.from(x!);
        flipped[0]! ^= 0x80;
        expect(await p.open(key, nonce, flipped, aad), p.name).toBeNull();
        expect(await p.open(key, nonce, x!, utf8("other")), p.name).toBeNull();
      }
    }
  });
});

describe("room keys", () => {
  it("derives the same room id and signal key either way; the id is a valid room id", async () => {
    const secret = fromHex("000102030405060708090a0b0c0d0e0f");
    const [w, n] = await Promise.all(both.map((p) => deriveRoomKeys(p, secret)));
    expect(w).toEqual(n);
    expect(w!.roomId).toMatch(/^[a-z2-7]{26}$/);
    expect(w!.signalKey.length).toBe(32);
    const other = await deriveRoomKeys(noble, fromHex("000102030405060708090a0b0c0d0e0e"));
    expect(other.roomId).not.toBe(w!.roomId);
  });

  it("generated codes: three groups of four, no look-alikes, all different", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = generateRoomCode();
      expect(c).toMatch(/^[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{4}$/);
      seen.add(c);
    }
    expect(seen.size).toBe(200);
  });

  it("a typed code means the same however it is typed", async () => {
    expect(canonicalCode(" K7QF m2xp–TH9R ")).toBe("k7qfm2xpth9r");
    expect(canonicalCode("Café-Crème")).toBe("cafecreme");
    const [a, b] = await Promise.all([codeSecret("k7qf-m2xp-th9r"), codeSecret("K7QF M2XP TH9R")]);
    expect(hex(a)).toBe(hex(b));
    expect(a.length).toBe(32);
    await expect(codeSecret(" -- ")).rejects.toThrow();
  });

  it("framing keeps lists apart", () => {
    expect(hex(framed("x", "ab", "c"))).not.toBe(hex(framed("x", "a", "bc")));
  });
});

describe("sealed signals", () => {
  const key = fromHex("11".repeat(32));
  const offer = { sdp: "v=0\r\na=fingerprint:sha-256 AB:CD\r\n" };

  it("open what was sealed for us, with the type inside", async () => {
    for (const p of both) {
      const ana = new SignalBox(p, key);
      const ben = new SignalBox(p, key);
      const wire = await ana.seal("p_ana", "p_ben", "offer", offer);
      expect(JSON.stringify(wire)).not.toContain("fingerprint");
      expect(await ben.open("p_ana", "p_ben", wire)).toEqual({ ok: true, type: "offer", payload: offer });
    }
  });

  it("a changed byte, another key, a redirected or re-attributed signal: tampered", async () => {
    const ana = new SignalBox(noble, key);
    const wire = await ana.seal("p_ana", "p_ben", "offer", offer);
    const c = fromBase64url(wire.c)!;
    c[5]! ^= 1;
    expect(await new SignalBox(noble, key).open("p_ana", "p_ben", { ...wire, c: toBase64url(c) })).toEqual({ ok: false, why: "tampered" });
    expect(await new SignalBox(noble, fromHex("12".repeat(32))).open("p_ana", "p_ben", wire)).toEqual({ ok: false, why: "tampered" });
    expect(await new SignalBox(noble, key).open("p_ana", "p_cleo", wire)).toEqual({ ok: false, why: "tampered" });
    expect(await new SignalBox(noble, key).open("p_mallory", "p_ben", wire)).toEqual({ ok: false, why: "tampered" });
  });

  it("a replayed signal is refused; a new connection numbers afresh", async () => {
    const ana = new SignalBox(webCrypto(subtle), key);
    const ben = new SignalBox(noble, key);
    const first = await ana.seal("p_ana", "p_ben", "offer", offer);
    const second = await ana.seal("p_ana", "p_ben", "candidate", null);
    expect((await ben.open("p_ana", "p_ben", first)).ok).toBe(true);
    expect((await ben.open("p_ana", "p_ben", second)).ok).toBe(true);
    expect(await ben.open("p_ana", "p_ben", first)).toEqual({ ok: false, why: "replayed" });
    expect(await ben.open("p_ana", "p_ben", second)).toEqual({ ok: false, why: "replayed" });
    ben.forget("p_ana");
    ana.forget("p_ben");
    expect((await ben.open("p_ana", "p_ben", await ana.seal("p_ana", "p_ben", "offer", offer))).ok).toBe(true);
  });

  it("anything else is malformed, never a throw", async () => {
    const box = new SignalBox(noble, key);
    for (const bad of [null, 1, "x", {}, { v: 2, n: "", c: "" }, { v: 1, n: "AAAA", c: "AAAA" }, { v: 1, n: "@", c: "x" }, { v: 1, n: toBase64url(new Uint8Array(12)), c: "AB" }])
      expect(await box.open("p_a", "p_b", bad)).toEqual({ ok: false, why: "malformed" });
  });
});

// The test vectors of docs/private-rooms.md, on both paths (a native peer
// implementing the scheme with OpenSSL checks itself against the same).
describe("docs/private-rooms.md test vectors", () => {
  it("room secret -> room id and signal key", async () => {
    for (const p of both) {
      const k = await deriveRoomKeys(p, fromHex("000102030405060708090a0b0c0d0e0f"));
      expect(k.roomId, p.name).toBe("i7oyvjkvmt5fb2i67rulloo4se");
      expect(hex(k.signalKey), p.name).toBe("f50407a8ab6ed145ccf6dd52a120b5852552cec438d0e2ad32441114bed5bc88");
    }
    expect(toBase64url(fromHex("000102030405060708090a0b0c0d0e0f"))).toBe("AAECAwQFBgcICQoLDA0ODw");
  });

  it("typed code -> secret -> room id and signal key", async () => {
    const secret = await codeSecret("k7qf-m2xp-th9r");
    expect(hex(secret)).toBe("e05c0c5c9c9817c42f4bae5a45604c2b2c78583be0798ef0edcb4b650c6ba6b0");
    for (const p of both) {
      const k = await deriveRoomKeys(p, secret);
      expect(k.roomId, p.name).toBe("fcqzh55b6qwl4shgxvj7uyuf4e");
      expect(hex(k.signalKey), p.name).toBe("a0907b37674cac381b43c605b4d24576a7067d45b1c4f79b711ffea5cebd3a3d");
    }
  });

  it("a sealed signal", async () => {
    expect(hex(framed("fc-signal v1", "p_ana", "p_ben"))).toBe("66632d7369676e616c20763100000005705f616e6100000005705f62656e");
    for (const p of both) {
      const box = new SignalBox(p, fromHex("f50407a8ab6ed145ccf6dd52a120b5852552cec438d0e2ad32441114bed5bc88"), () => fromHex("a0a1a2a3a4a5a6a7a8a9aaab"));
      expect(await box.seal("p_ana", "p_ben", "candidate", null), p.name).toEqual({
        v: 1,
        n: "oKGio6Slpqeoqaqr",
        c: "sGZDLNQf34NvPXUUwcxazFXFtLpmfbPnx9U3suhyRM_akcWmf4q4lzu10UE5Qjm_CNchpF3BDeXYRH4",
      });
    }
  });
});
