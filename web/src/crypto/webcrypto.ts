// The primitives on WebCrypto (secure contexts). See primitives.ts.
import type { Primitives, SigningKey } from "./primitives";

// PKCS #8 wrapping of a raw Ed25519 secret (RFC 8410): this prefix, then the 32 bytes.
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

const b = (x: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(x);

export function webCrypto(subtle: SubtleCrypto): Primitives {
  const aes = (key: Uint8Array, use: KeyUsage) => subtle.importKey("raw", b(key), { name: "AES-GCM" }, false, [use]);
  return {
    name: "webcrypto",
    async hkdf(ikm, salt, info, length) {
      const k = await subtle.importKey("raw", b(ikm), "HKDF", false, ["deriveBits"]);
      const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: b(salt), info: b(info) }, k, length * 8);
      return new Uint8Array(bits);
    },
    async seal(key, nonce, plaintext, aad) {
      const out = await subtle.encrypt({ name: "AES-GCM", iv: b(nonce), additionalData: b(aad), tagLength: 128 }, await aes(key, "encrypt"), b(plaintext));
      return new Uint8Array(out);
    },
    async open(key, nonce, sealed, aad) {
      try {
        const out = await subtle.decrypt({ name: "AES-GCM", iv: b(nonce), additionalData: b(aad), tagLength: 128 }, await aes(key, "decrypt"), b(sealed));
        return new Uint8Array(out);
      } catch {
        return null;
      }
    },
    async signingKey(seed): Promise<SigningKey> {
      if (seed.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
      const pkcs8 = new Uint8Array(PKCS8_ED25519.length + 32);
      pkcs8.set(PKCS8_ED25519);
      pkcs8.set(seed, PKCS8_ED25519.length);
      // Extractable once, to read the public half; the key that signs is not.
      const open = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await subtle.exportKey("jwk", open);
      const publicKey = Uint8Array.from(atob(jwk.x!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const key = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
      pkcs8.fill(0);
      return {
        publicKey,
        async sign(message) {
          return new Uint8Array(await subtle.sign({ name: "Ed25519" }, key, b(message)));
        },
      };
    },
    async verify(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        const k = await subtle.importKey("raw", b(publicKey), { name: "Ed25519" }, false, ["verify"]);
        return await subtle.verify({ name: "Ed25519" }, k, b(signature), b(message));
      } catch {
        return false;
      }
    },
  };
}
