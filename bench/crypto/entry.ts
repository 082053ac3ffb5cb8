// What bench/crypto/run.mjs loads into a page: the app's own crypto code
// (web/src/crypto, chat/authors), built by Vite into one script that sets
// window.fcCryptoBench. Nothing here ships in the app.
import { signedBytes } from "../../web/src/chat/authors";
import type { ChatMessage } from "../../web/src/chat/messages";
import { noble } from "../../web/src/crypto/noble";
import { webCrypto } from "../../web/src/crypto/webcrypto";
import { webCryptoUsable, type Primitives } from "../../web/src/crypto/primitives";
import { codeSecret, deriveRoomKeys } from "../../web/src/crypto/room-keys";
import { SignalBox } from "../../web/src/crypto/signal-box";

/** Per message: the author signs it, a receiver checks it; per signal of
 *  `bytes` (an SDP is 1-4 KiB): sealed by one side, opened by the other. */
async function perMessage(p: Primitives, n: number, bytes: number) {
  const author = await p.signingKey(crypto.getRandomValues(new Uint8Array(32)));
  const base: ChatMessage = { type: "chat", id: "abc:1", clientId: "abcdefgh", seq: 1, lamport: 1, displayName: "Ana", text: "x".repeat(200), sentAt: Date.now() };
  const key = crypto.getRandomValues(new Uint8Array(32));
  const a = new SignalBox(p, key);
  const b = new SignalBox(p, key);
  const payload = { sdp: "a".repeat(bytes) };
  const time = async (f: (i: number) => Promise<void>) => {
    for (let i = 0; i < Math.min(20, n); i++) await f(i); // warm up
    const t = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    return ((performance.now() - t) * 1000) / n; // µs each
  };
  let sig = new Uint8Array(64);
  const bytesOf = (i: number) => signedBytes("roomid", { ...base, seq: i + 1 }, author.publicKey);
  const sign = await time(async (i) => void (sig = await author.sign(bytesOf(i))));
  const verify = await time(async () => {
    if (!(await p.verify(author.publicKey, bytesOf(n - 1), sig))) throw new Error("verify failed");
  });
  const sealed: Awaited<ReturnType<SignalBox["seal"]>>[] = [];
  const seal = await time(async () => void sealed.push(await a.seal("p_a", "p_b", "offer", payload)));
  let k = 0;
  const open = await time(async () => {
    const o = await b.open("p_a", "p_b", sealed[k++]);
    if (!o.ok) throw new Error(`open: ${o.why}`);
  });
  return { sign, verify, seal, open };
}

async function run(n = 200, bytes = 2048) {
  const out: Record<string, unknown> = { secureContext: isSecureContext };
  out.noble = await perMessage(noble, n, bytes);
  if (await webCryptoUsable()) out.webcrypto = await perMessage(webCrypto(crypto.subtle), n, bytes);
  return out;
}

async function join(kind: "code" | "secret") {
  const p = (await webCryptoUsable()) ? webCrypto(crypto.subtle) : noble;
  const t = performance.now();
  const secret = kind === "code" ? await codeSecret("k7qf-m2xp-th9r") : crypto.getRandomValues(new Uint8Array(16));
  await deriveRoomKeys(p, secret);
  return performance.now() - t;
}

(window as unknown as { fcCryptoBench: unknown }).fcCryptoBench = { run, join };
