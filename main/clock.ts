/** Time as the branch sees it. Business dates are China Standard Time whatever the PC's zone. */
export interface Clock {
  now(): Date;
  /** Today's business date, 'YYYY-MM-DD', in Asia/Shanghai. */
  today(): string;
}

const dateFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function businessDate(d: Date): string {
  return dateFmt.format(d);
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => businessDate(new Date()),
};

/** A clock tests can move. */
export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(d: Date): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    today: () => businessDate(new Date(t)),
    advance(ms: number) {
      t += ms;
    },
    set(d: Date) {
      t = d.getTime();
    },
  };
}
