// Leaving a room: this device may keep the conversation (it is there on
// coming back) or forget it (a borrowed or shared phone).
import { useState } from "preact/hooks";
import { Sheet } from "./Sheet";

export function LeaveDialog({
  roomName,
  onLeave,
  onForgetAndLeave,
  onCancel,
}: {
  roomName: string;
  onLeave: () => void;
  onForgetAndLeave: () => Promise<void>;
  onCancel: () => void;
}) {
  const [forgetting, setForgetting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Sheet label="Leave this room" onClose={onCancel}>
      <h2>Leave {roomName}?</h2>
      <p class="hint">This device keeps the conversation unless you ask it to forget.</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="sheet-actions stacked">
        <button type="button" class="primary" onClick={onLeave} disabled={forgetting}>
          Leave
        </button>
        <button
          type="button"
          class="danger"
          disabled={forgetting}
          onClick={() => {
            setForgetting(true);
            onForgetAndLeave().catch((e: unknown) => {
              setForgetting(false);
              setError(`Could not forget the history: ${e instanceof Error ? e.message : String(e)}`);
            });
          }}
        >
          Leave and forget history
        </button>
        <button type="button" onClick={onCancel} disabled={forgetting}>
          Cancel
        </button>
      </div>
    </Sheet>
  );
}
