// Offers and answers as short text for pairing with no server: the whole
// session description (complete, non-trickle ICE) deflated and base64url
// encoded, small enough for a QR code or a chat message.
//   FC1.o.<data>  an offer      FC1.a.<data>  an answer

const PREFIX = "FC1";

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export async function encodeDescription(desc: { type: "offer" | "answer"; sdp: string }): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(desc.sdp), new CompressionStream("deflate-raw"));
  return `${PREFIX}.${desc.type === "offer" ? "o" : "a"}.${toBase64Url(packed)}`;
}

export class PairingCodeError extends Error {}

export async function decodeDescription(code: string): Promise<{ type: "offer" | "answer"; sdp: string }> {
  const parts = code.trim().replace(/\s+/g, "").split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX || (parts[1] !== "o" && parts[1] !== "a"))
    throw new PairingCodeError("This is not a Festival Chat pairing code.");
  try {
    const sdp = new TextDecoder().decode(await pipe(fromBase64Url(parts[2]!), new DecompressionStream("deflate-raw")));
    if (!sdp.startsWith("v=0")) throw new Error("not an SDP");
    return { type: parts[1] === "o" ? "offer" : "answer", sdp };
  } catch {
    throw new PairingCodeError("This pairing code is damaged or incomplete.");
  }
}
