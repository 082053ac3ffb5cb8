// Device keys for tests: the noble implementation, from a fixed or random
// seed, so each simulated device signs as a real one does.
import { Authors, type Signer } from "../chat/authors";
import { noble } from "../crypto/noble";

export async function testSigner(seed: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): Promise<Signer> {
  return { crypto: noble, key: await noble.signingKey(seed) };
}

/** A device's Authors for a room, with a key of its own. */
export const testAuthors = (roomId: string, seed?: Uint8Array): Authors => new Authors(roomId, testSigner(seed));
