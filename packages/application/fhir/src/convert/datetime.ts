// Date and time conversion to the FHIR primitive types. FHIR requires a time zone on any value
// with a time (dateTime, instant), so a source time without a zone is either given the zone the
// caller declares or reduced to its date: silently guessing UTC would move readings by hours.

const HL7_DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/;

export type FhirDateTimeParts = {
  /** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD). */
  date: string;
  /** FHIR `dateTime`: with time and zone when the source had both, else the date. */
  dateTime: string;
  /** FHIR `instant` when the source had at least minutes and a zone. */
  instant: string | undefined;
};

function offsetWithColon(offset: string): string {
  return `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/** Converts an HL7 v2 DTM/TS/DT value (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]); undefined if malformed. */
export function hl7DateTime(value: string, defaultOffset?: string): FhirDateTimeParts | undefined {
  const match = HL7_DTM.exec(value.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (year === undefined) return undefined;
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) return undefined;
  if (day !== undefined && (Number(day) < 1 || Number(day) > 31)) return undefined;
  if (hour !== undefined && Number(hour) > 23) return undefined;
  const date = [year, month, day].filter((part) => part !== undefined).join('-');
  const offset = zone === undefined ? defaultOffset : offsetWithColon(zone);
  if (hour === undefined || day === undefined || offset === undefined)
    return { date, dateTime: date, instant: undefined };
  const time = `${hour}:${minute ?? '00'}:${second ?? '00'}${fraction ?? ''}`;
  const dateTime = `${date}T${time}${offset === '+00:00' ? 'Z' : offset}`;
  return { date, dateTime, instant: dateTime };
}

/**
 * Apple Health's "2014-09-13 10:27:54 +0100" (and ISO 8601 with an offset) as a FHIR dateTime.
 * A value without a zone gets `defaultOffset` or is rejected (undefined).
 */
export function isoDateTime(value: string, defaultOffset?: string): string | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      value.trim(),
    );
  if (match === null) return undefined;
  const [, date, hm, seconds, zone] = match;
  let offset = zone ?? defaultOffset;
  if (offset === undefined) return undefined;
  if (/^[+-]\d{4}$/.test(offset)) offset = offsetWithColon(offset);
  if (offset === '+00:00') offset = 'Z';
  return `${date}T${hm}${seconds ?? ':00'}${offset}`;
}

/** A Unix time in seconds as a UTC FHIR instant. */
export function epochSecondsToInstant(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
