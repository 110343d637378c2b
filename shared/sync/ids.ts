/**
 * Ids of shared records people create: UUIDv7 (RFC 9562), so two PCs never invent the same id offline,
 * and ids sort roughly by creation time (index-friendly on the hub). Uses the Web Crypto API that both
 * Node 20 and the renderer have, so shared/ stays free of Node modules.
 */
export function uuid7(now = Date.now()): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  // 48-bit big-endian millisecond timestamp.
  let t = now;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
