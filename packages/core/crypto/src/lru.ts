/**
 * `map`'s value for `key`, made by `make` if it has none, keeping the `capacity` most recently
 * used entries: a Map iterates in insertion order, so a hit is moved to the end and the first
 * entry is the least recently used. Nothing is stored if `make` throws.
 */
export function lruGetOrMake<K, V>(map: Map<K, V>, capacity: number, key: K, make: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit);
    return hit;
  }
  const value = make();
  if (map.size >= capacity) map.delete(map.keys().next().value as K);
  map.set(key, value);
  return value;
}
