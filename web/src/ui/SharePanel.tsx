// How others get in: the room's QR code, its link (and code, for a room
// that has one), copy and Web Share where the browser allows them. The
// link's fragment is the room's secret, so the QR code is drawn here, on
// the device: asking the server to draw it would hand the secret over.
import { useEffect, useState } from "preact/hooks";
import { roomPath, type RoomRef } from "../chat/room-link";
import { NeedsHttps } from "./NeedsHttps";
import { Sheet } from "./Sheet";

export function SharePanel({ room, onClose }: { room: RoomRef; onClose: () => void }) {
  const link = `${location.origin}${roomPath(room)}`;
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import("qrcode")
      .then((q) => q.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 }))
      .then((svg) => live && setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [link]);
  return (
    <Sheet label="Share this room" onClose={onClose}>
      <h2>Share this room</h2>
      {qr ? (
        <img class="share-qr" src={qr} alt="QR code of the room's link" width={220} height={220} />
      ) : (
        <div class="share-qr" aria-busy="true" />
      )}
      <p class="link">{link}</p>
      {room.kind === "code" ? (
        <p class="hint">
          Or type the room code <strong class="nowrap">{room.code}</strong> on the start page.
        </p>
      ) : (
        <p class="hint">The link is the room's key: anyone who has it can join, and the server never sees it.</p>
      )}
      <div class="sheet-actions">
        {navigator.clipboard && (
          <button type="button" onClick={() => void navigator.clipboard.writeText(link).catch(() => {})}>
            Copy link
          </button>
        )}
        {"share" in navigator && (
          <button type="button" onClick={() => void navigator.share({ title: "Festival Chat", url: link }).catch(() => {})}>
            Share…
          </button>
        )}
        <button type="button" class="primary" onClick={onClose}>
          Close
        </button>
      </div>
      {!navigator.clipboard && <NeedsHttps what="Copying" instead="show the QR code, or select the link and copy it by hand" />}
    </Sheet>
  );
}
