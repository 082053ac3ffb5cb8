import { describe, expect, it } from "vitest";
import { isPolite } from "./peer-link";

describe("perfect negotiation roles", () => {
  it("makes exactly one side of a pair polite: the lower peerId", () => {
    expect(isPolite("p_A", "p_B")).toBe(true);
    expect(isPolite("p_B", "p_A")).toBe(false);
    for (const [x, y] of [["p_1", "p_2"], ["p_zz", "p_a"], ["p_-", "p__"]] as const)
      expect(isPolite(x, y)).not.toBe(isPolite(y, x));
  });
});
