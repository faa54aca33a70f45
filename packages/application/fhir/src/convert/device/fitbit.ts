import { transactionBundle } from '../bundle.ts';
import { isoDateTime } from '../datetime.ts';
import { DeviceDataError } from '../errors.ts';
import type { ConversionResult, Reference, Resource } from '../fhir-types.ts';
import { vitalObservation, vitalQuantity } from '../vitals.ts';
import { deviceResource } from './device-resource.ts';

const FORMAT = 'Fitbit JSON';

export type FitbitConvertOptions = {
  file?: string;
  subject?: Reference;
  /**
   * The user's UTC offset ("+01:00"), from the Fitbit profile. Fitbit reports local times without
   * a zone and FHIR requires one; guessing UTC would shift every reading, so the caller says.
   */
  utcOffset: string;
};

type HeartIntraday = {
  'activities-heart'?: { dateTime?: string }[];
  'activities-heart-intraday'?: { dataset?: { time?: string; value?: number }[] };
};
type SleepLog = {
  sleep?: {
    logId?: number;
    startTime?: string;
    endTime?: string;
    minutesAsleep?: number;
    dateOfSleep?: string;
  }[];
};

/**
 * Converts Fitbit Web API responses: heart-rate intraday (`activities-heart-intraday`, one
 * Observation per sample) and sleep logs (`sleep`, one sleep-duration Observation per log,
 * effective over the time in bed).
 */
export function convertFitbit(json: unknown, options: FitbitConvertOptions): ConversionResult {
  if (!/^(Z|[+-]\d{2}:\d{2})$/.test(options.utcOffset)) {
    throw new DeviceDataError(
      FORMAT,
      'utcOffset must look like "+01:00", "-05:00" or "Z"',
      { file: options.file },
      "Pass the offset of the user's Fitbit profile time zone.",
    );
  }
  if (typeof json !== 'object' || json === null) {
    throw new DeviceDataError(FORMAT, 'the document is not a JSON object', {
      file: options.file,
      entry: '$',
    });
  }
  const device = deviceResource({ name: 'Fitbit', manufacturer: 'Fitbit' });
  const observations: Resource[] = [];
  const skipped: string[] = [];
  const at = (entry: string) => ({ file: options.file, entry });
  if ('activities-heart-intraday' in json) {
    const heart = json as HeartIntraday;
    const date = heart['activities-heart']?.[0]?.dateTime;
    if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new DeviceDataError(
        FORMAT,
        'the intraday data has no date (activities-heart[0].dateTime)',
        at('$["activities-heart"][0].dateTime'),
      );
    }
    const dataset = heart['activities-heart-intraday']?.dataset ?? [];
    dataset.forEach((sample, index) => {
      const time = isoDateTime(`${date}T${sample.time ?? ''}`, options.utcOffset);
      if (time === undefined || typeof sample.value !== 'number') {
        throw new DeviceDataError(
          FORMAT,
          'a heart-rate sample lacks a time or a numeric value',
          at(`$["activities-heart-intraday"].dataset[${index}]`),
        );
      }
      observations.push(
        vitalObservation({
          idNamespace: 'aegle-fitbit',
          idKey: ['heart-rate', time],
          kind: 'heart-rate',
          effective: { dateTime: time },
          valueQuantity: vitalQuantity('heart-rate', sample.value) as NonNullable<
            ReturnType<typeof vitalQuantity>
          >,
          subject: options.subject,
          device,
        }),
      );
    });
    skipped.push('daily heart-rate zones (activities-heart) are not converted');
  }
  if ('sleep' in json) {
    const logs = (json as SleepLog).sleep ?? [];
    logs.forEach((log, index) => {
      const start = isoDateTime(log.startTime ?? '', options.utcOffset);
      const end = isoDateTime(log.endTime ?? '', options.utcOffset);
      if (start === undefined || end === undefined || typeof log.minutesAsleep !== 'number') {
        throw new DeviceDataError(
          FORMAT,
          'a sleep log lacks startTime, endTime or minutesAsleep',
          at(`$.sleep[${index}]`),
        );
      }
      observations.push(
        vitalObservation({
          idNamespace: 'aegle-fitbit',
          idKey: ['sleep', log.logId ?? start],
          kind: 'sleep-duration',
          effective: { period: { start, end } },
          valueQuantity: vitalQuantity('sleep-duration', log.minutesAsleep) as NonNullable<
            ReturnType<typeof vitalQuantity>
          >,
          subject: options.subject,
          device,
        }),
      );
    });
    if ('summary' in json) skipped.push('the daily sleep summary is not converted (each log is)');
  }
  if (observations.length === 0 && skipped.length === 0) {
    throw new DeviceDataError(FORMAT, 'neither heart-rate intraday nor sleep data found', at('$'));
  }
  const resources = observations.length === 0 ? [] : [device, ...observations];
  return {
    bundle: transactionBundle(resources, `fitbit|${observations.map((o) => o.id).join('|')}`),
    skipped,
  };
}
