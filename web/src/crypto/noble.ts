// The primitives in pure JS (audited noble libraries), for pages without
// crypto.subtle: the app served over plain http on a venue LAN. See primitives.ts.
import { gcm } from "@noble/ciphers/aes.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Primitives } from "./primitives";

export const noble: Primitives = {
  name: "noble",
  async hkdf(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },
  async seal(key, nonce, plaintext, aad) {
    return gcm(key, nonce, aad).encrypt(plaintext);
  },
  async open(key, nonce, sealed, aad) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return null;
    }
  },
  async signingKey(seed) {
    if (seed.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
    const secret = Uint8Array.from(seed);
    return {
      publicKey: ed25519.getPublicKey(secret),
      async sign(message) {
        return ed25519.sign(message, secret);
      },
    };
  },
  async verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};
