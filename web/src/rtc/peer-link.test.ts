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

import { sdpSession } from "./peer-link";

describe("SDP sessions", () => {
  it("reads the o= line's session id", () => {
    expect(sdpSession("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n")).toBe("4611731400430051336");
    expect(sdpSession("v=0\r\ns=-\r\n")).toBeNull();
  });
});
