// The BSON MAAS serves a machine's probed details in (`op=details`): one document whose values are
// null or binary (subtype 0), as `bson.BSON.encode({name: None | bson.Binary(data)})` writes it.

/** Encodes a flat document of null and binary values, keys in the given order. */
export function encodeBsonDocument(entries: readonly (readonly [string, Buffer | null])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of entries) {
    if (key.includes('\0')) throw new Error(`BSON keys cannot hold NUL: ${JSON.stringify(key)}`);
    const name = Buffer.from(`${key}\0`, 'utf8');
    if (value === null) {
      parts.push(Buffer.from([0x0a]), name);
    } else {
      const length = Buffer.alloc(4);
      length.writeInt32LE(value.length);
      parts.push(Buffer.from([0x05]), name, length, Buffer.from([0x00]), value);
    }
  }
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32LE(body.length + 5);
  return Buffer.concat([size, body, Buffer.from([0x00])]);
}
