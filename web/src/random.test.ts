import { describe, expect, it } from "vitest";
import { randomId, randomUuid } from "./random";

describe("random ids", () => {
  it("makes version 4 UUIDs without crypto.randomUUID (missing outside secure contexts)", () => {
    const saved = crypto.randomUUID;
    // @ts-expect-error: as on a plain-http LAN origin
    crypto.randomUUID = undefined;
    try {
      const ids = new Set(Array.from({ length: 100 }, randomUuid));
      expect(ids.size).toBe(100);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      crypto.randomUUID = saved;
    }
  });

  it("makes url-safe ids of the asked size", () => {
    expect(randomId(12)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(randomId(24)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
