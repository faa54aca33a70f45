import type { Resource } from '../fhir-types.ts';
import { deterministicUuid } from '../ids.ts';

export type DeviceDescription = {
  name: string;
  manufacturer?: string | undefined;
  model?: string | undefined;
  version?: string | undefined;
};

/** A Device for the app or wearable that recorded readings; the same description gives the same id. */
export function deviceResource(description: DeviceDescription): Resource {
  const device: Resource = {
    resourceType: 'Device',
    id: deterministicUuid(
      'aegle-device',
      description.name,
      description.manufacturer ?? '',
      description.model ?? '',
      description.version ?? '',
    ),
    deviceName: [{ name: description.name, type: 'user-friendly-name' }],
  };
  if (description.manufacturer !== undefined) device.manufacturer = description.manufacturer;
  if (description.model !== undefined) device.modelNumber = description.model;
  if (description.version !== undefined) device.version = [{ value: description.version }];
  return device;
}
