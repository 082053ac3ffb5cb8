// How others get in: the room's QR code, its link and code, copy and
// Web Share where the browser allows them.
import { NeedsHttps } from "./NeedsHttps";
import { Sheet } from "./Sheet";

export function SharePanel({ roomId, onClose }: { roomId: string; onClose: () => void }) {
  const link = `${location.origin}/r/${roomId}`;
  return (
    <Sheet label="Share this room" onClose={onClose}>
      <h2>Share this room</h2>
      <img class="share-qr" src={`/qr.svg?text=${encodeURIComponent(link)}`} alt={`QR code for ${link}`} width={220} height={220} />
      <p class="link">{link}</p>
      <p class="hint">
        Or type the room code <strong class="nowrap">{roomId}</strong> on the start page.
      </p>
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
