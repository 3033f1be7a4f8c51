// Message framing over a TCP byte stream: copy this file into a project.
//
// TCP delivers bytes, not messages: one 'data' chunk may hold part of a message, or the
// end of one and the start of the next. A framing puts the boundaries back:
//   - length prefix: a 4-byte big-endian length, then the message (any bytes allowed);
//   - delimiter: the message, then one delimiter byte ('\n'), which messages must not contain.
// Each decoder takes chunks as they come and returns the messages they complete.
// No dependencies; Node 18+.

const DEFAULT_MAX = 16 * 1024 * 1024; // refuse frames over 16 MiB: a corrupt or hostile peer

/** A message (Buffer or string) with its 4-byte big-endian length in front. */
export function encodeLengthPrefixed(message) {
  const body = Buffer.from(message);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

export class LengthPrefixDecoder {
  #parts = []; // chunks not consumed yet (joined only when a frame is complete: no quadratic copying)
  #size = 0;
  #frame; // the length of the frame being read, once its 4-byte header is in
  #maxLength;
  constructor({ maxLength = DEFAULT_MAX } = {}) {
    this.#maxLength = maxLength;
  }
  /** Feed one chunk; returns the messages it completed (maybe none). Throws on a bad length. */
  push(chunk) {
    this.#parts.push(chunk);
    this.#size += chunk.length;
    const messages = [];
    while (this.#size >= (this.#frame ?? 4)) {
      if (this.#frame === undefined) {
        const length = this.#take(4).readUInt32BE(0);
        if (length > this.#maxLength) {
          throw new RangeError(`frame length ${length} exceeds the limit of ${this.#maxLength} bytes`);
        }
        this.#frame = length;
      } else {
        messages.push(this.#take(this.#frame));
        this.#frame = undefined;
      }
    }
    return messages;
  }
  /** Bytes of an unfinished frame held back (non-zero at 'end': the peer stopped mid-frame). */
  get pendingBytes() {
    return this.#size + (this.#frame === undefined ? 0 : 4);
  }
  #take(n) {
    const all = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts);
    this.#parts = all.length > n ? [all.subarray(n)] : [];
    this.#size -= n;
    return all.subarray(0, n);
  }
}

/** A message followed by the delimiter byte; refuses a message that contains it. */
export function encodeDelimited(message, delimiter = 0x0a) {
  const body = Buffer.from(message);
  if (body.includes(delimiter)) {
    throw new RangeError(`message contains the delimiter byte 0x${delimiter.toString(16)}`);
  }
  return Buffer.concat([body, Buffer.from([delimiter])]);
}

export class DelimiterDecoder {
  #parts = []; // the unfinished message so far
  #size = 0;
  #delimiter;
  #maxLength;
  constructor({ delimiter = 0x0a, maxLength = DEFAULT_MAX } = {}) {
    this.#delimiter = delimiter;
    this.#maxLength = maxLength;
  }
  /** Feed one chunk; returns the messages it completed (maybe none). Throws if one grows too long. */
  push(chunk) {
    const messages = [];
    let start = 0;
    let at;
    while ((at = chunk.indexOf(this.#delimiter, start)) !== -1) {
      this.#parts.push(chunk.subarray(start, at));
      messages.push(Buffer.concat(this.#parts));
      this.#parts = [];
      this.#size = 0;
      start = at + 1;
    }
    if (start < chunk.length) {
      this.#parts.push(chunk.subarray(start));
      this.#size += chunk.length - start;
    }
    if (this.#size > this.#maxLength) {
      throw new RangeError(`no delimiter within ${this.#maxLength} bytes`);
    }
    return messages;
  }
  get pendingBytes() {
    return this.#size;
  }
}
