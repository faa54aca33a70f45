import { R4Model } from './compile-model.ts';
import { loadR4Definitions } from './load-r4-definitions.ts';

let shared: R4Model | undefined;

/**
 * The one compiled R4 model of this process. The definitions are read on first use (a few hundred
 * milliseconds); each type is compiled the first time an instance needs it.
 */
export function r4Model(): R4Model {
  if (!shared) {
    const { structures, valueSets, codeSystems } = loadR4Definitions();
    shared = new R4Model(structures, { valueSets, codeSystems });
  }
  return shared;
}
