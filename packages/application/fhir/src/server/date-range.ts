// FHIR date search (R4 search §3.1.1.4.7 / 2.21.0.6): every date, dateTime, instant and Period is a
// range of time as wide as its precision ("2013-01" is the whole of January 2013), and a prefix
// compares the parameter's range with the resource's.

/** A half-open interval of milliseconds since the epoch: [low, high). */
export type TimeRange = { low: number; high: number };

export const DATE_PREFIXES = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date, dateTime or instant covers, or undefined when the text is not one.
 * Without a time zone the time is taken as UTC (R4 leaves it to the server; UTC is the same on
 * every machine).
 */
export function dateTimeRange(text: string): TimeRange | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const start = new Date(0);
  start.setUTCFullYear(year, month - 1, day);
  start.setUTCHours(hour, minute, second, 0);
  if (start.getUTCDate() !== day) return undefined; // 31 April and the like
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(4, 6));
    if (zoneHours > 14 || zoneMinutes > 59) return undefined;
    offset = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes) * 60_000;
  }
  const low = start.getTime() - offset;
  if (Number.isNaN(low)) return undefined;
  let high: number;
  if (mo === undefined) {
    high = shifted(start, { years: 1 }) - offset;
  } else if (d === undefined) {
    high = shifted(start, { months: 1 }) - offset;
  } else if (h === undefined) {
    high = low + 86_400_000;
  } else if (s === undefined) {
    high = low + 60_000;
  } else if (fraction === undefined) {
    high = low + 1000;
  } else {
    const digits = fraction.length - 1;
    const milliseconds = Number(`0${fraction}`) * 1000;
    const step = digits >= 3 ? 1 : 10 ** (3 - digits);
    return { low: low + Math.floor(milliseconds), high: low + Math.floor(milliseconds) + step };
  }
  return { low, high };
}

function shifted(start: Date, by: { years?: number; months?: number }): number {
  const end = new Date(start.getTime());
  end.setUTCFullYear(
    end.getUTCFullYear() + (by.years ?? 0),
    end.getUTCMonth() + (by.months ?? 0),
    end.getUTCDate(),
  );
  return end.getTime();
}

/** A Period's range: a missing start or end is open on that side. */
export function periodRange(period: { start?: unknown; end?: unknown }): TimeRange | undefined {
  const start = typeof period.start === 'string' ? dateTimeRange(period.start) : undefined;
  const end = typeof period.end === 'string' ? dateTimeRange(period.end) : undefined;
  if (start === undefined && end === undefined) return undefined;
  return {
    low: start?.low ?? Number.NEGATIVE_INFINITY,
    high: end?.high ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * Whether a resource's range satisfies `prefix` against the parameter's range, per R4:
 * eq: contained in it; ne: not contained; gt/lt: extends after/before it; ge/le: gt/lt or eq;
 * sa/eb: starts after/ends before it; ap: overlaps it widened by 10% of its distance from now.
 */
export function compareRanges(
  prefix: DatePrefix,
  target: TimeRange,
  parameter: TimeRange,
  now: number,
): boolean {
  const equal = target.low >= parameter.low && target.high <= parameter.high;
  switch (prefix) {
    case 'eq':
      return equal;
    case 'ne':
      return !equal;
    case 'gt':
      return target.high > parameter.high;
    case 'lt':
      return target.low < parameter.low;
    case 'ge':
      return equal || target.high > parameter.high;
    case 'le':
      return equal || target.low < parameter.low;
    case 'sa':
      return target.low >= parameter.high;
    case 'eb':
      return target.high <= parameter.low;
    case 'ap': {
      const gap = 0.1 * Math.abs(now - parameter.low);
      return target.low < parameter.high + gap && target.high > parameter.low - gap;
    }
  }
}
