// Sticky packets, case B: the first read returns part of data1, the next one the rest
// of data1 together with data2. A chunk can end anywhere inside a message.
//
// In the scene the cut comes from the MSS and the reader's timing. Here it comes from
// the reader's buffer: each read(2) takes at most 500 bytes, like recv(fd, buf, 500) in C
// (readWithBuffer, in messages.mjs beside this file).
import { messages, readWithBuffer } from './messages.mjs';

const [data1, data2] = messages(600, 300);
await readWithBuffer(data1, data2, 500);
