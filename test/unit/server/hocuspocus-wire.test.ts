import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { MessageType, messageTypeOf } from '../../../server/collab/hocuspocus-wire.ts';

describe('messageTypeOf', () => {
  it('reads the type after any address, as lib0 wrote it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 0, max: 127 }), fc.uint8Array({ maxLength: 20 }), (address, type, rest) => {
        const encoder = encoding.createEncoder();
        encoding.writeVarString(encoder, address);
        encoding.writeVarUint(encoder, type);
        encoding.writeUint8Array(encoder, rest);
        expect(messageTypeOf(encoding.toUint8Array(encoder))).toBe(type);
      }),
    );
  });

  it('answers -1 for frames too short to hold a type', () => {
    expect(messageTypeOf(new Uint8Array([]))).toBe(-1);
    expect(messageTypeOf(new Uint8Array([0x80]))).toBe(-1);
    expect(messageTypeOf(new Uint8Array([3, 97, 98, 99]))).toBe(-1);
    expect(messageTypeOf(new Uint8Array([1, 97, MessageType.SyncStatus]))).toBe(MessageType.SyncStatus);
  });
});
