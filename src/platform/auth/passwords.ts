/** argon2id password hashing (@node-rs/argon2: prebuilt, no install script). */
import { hash, verify } from '@node-rs/argon2';

/** Hashes a password with argon2id and the library's recommended parameters. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verifying against this when the user does not exist keeps login time independent of that fact.
const DUMMY = hash('not-a-real-password');

/** Checks a password against a stored hash (or a dummy one, so timing does not reveal users). */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  try {
    return await verify(stored ?? (await DUMMY), password);
  } catch {
    return false;
  }
}
