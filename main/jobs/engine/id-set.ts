/** A set of row ids (dense positive integers) as a bitmap grown as ids come; a Set past 2^32. */
export class IdSet {
  private bits = new Uint32Array(2048);
  private readonly big = new Set<number>();

  /** Ids the bitmap can hold (>>> and & work on 32 bits). */
  private static fits(id: number): boolean {
    return id >= 0 && id <= 0xffffffff && Number.isInteger(id);
  }

  /** Adds the id; true when it was not there yet. */
  add(id: number): boolean {
    if (!IdSet.fits(id)) {
      if (this.big.has(id)) return false;
      this.big.add(id);
      return true;
    }
    const w = id >>> 5;
    if (w >= this.bits.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const m = 1 << (id & 31);
    if ((this.bits[w]! & m) !== 0) return false;
    this.bits[w] = this.bits[w]! | m;
    return true;
  }

  has(id: number): boolean {
    if (!IdSet.fits(id)) return this.big.has(id);
    const w = id >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (id & 31))) !== 0;
  }
}
