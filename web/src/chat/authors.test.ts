import { describe, expect, it } from "vitest";
import { fromHex, hex } from "../crypto/bytes";
import { noble } from "../crypto/noble";
import { webCrypto } from "../crypto/webcrypto";
import type { Primitives } from "../crypto/primitives";
import { Authors, signedBytes } from "./authors";
import type { ChatMessage } from "./messages";

// The signed chat message vector of docs/private-rooms.md, on both crypto paths
// (WebCrypto, and the pure-JS one plain-http pages use).
const both: Primitives[] = [webCrypto(globalThis.crypto.subtle), noble];

describe("authors", () => {
  it("a signed chat message", async () => {
    const m: ChatMessage = { type: "chat", id: "k3j4h5g6f7d8s9a0:1", clientId: "k3j4h5g6f7d8s9a0", seq: 1, lamport: 1, displayName: "Ana", text: "hi", sentAt: 1732450000000 };
    const seed = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    for (const p of both) {
      const author = new Authors("i7oyvjkvmt5fb2i67rulloo4se", Promise.resolve({ crypto: p, key: await p.signingKey(seed) }));
      expect(hex(signedBytes("i7oyvjkvmt5fb2i67rulloo4se", m, (await p.signingKey(seed)).publicKey))).toBe(
        "66632d636861742076310000001a69376f79766a6b766d743566623269363772756c6c6f6f347365000000106b336a346835673666376438733961300000000131000000013100000003416e610000000268690000000d3137333234353030303030303000000020d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      );
      const signed = await author.sign(m);
      expect(signed.key, p.name).toBe("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
      expect(signed.sig, p.name).toBe("NnLJgK9izld_0qJksaD09j7Rbz_HiQvZsNOgMxGStKBvX7np39eB8JQJoH6cY-TxoRFQD2kRFCv5yZi1GrIzDw");
      const reader = new Authors("i7oyvjkvmt5fb2i67rulloo4se", Promise.resolve({ crypto: p, key: await p.signingKey(new Uint8Array(32)) }));
      expect(await reader.verify(signed)).toBe("ok");
      expect(await reader.verify({ ...signed, text: "hj" })).toBe("bad-signature");
      expect(await new Authors("another-room", Promise.resolve({ crypto: p, key: await p.signingKey(seed) })).verify(signed)).toBe("bad-signature");
    }
  });
});
