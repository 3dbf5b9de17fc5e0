import { describe, expect, it } from "vitest";
import { AES_CODEC_ID, aesGcmCodec, aesKeyId, parseKeyring } from "../../../src/codec/aes-gcm";
import {
  codecChain,
  envelopeBytes,
  envelopeCodecs,
  fromBase64,
  IDENTITY,
  type PayloadCodec,
  toBase64,
} from "../../../src/codec/codec";
import { engineCodec } from "../../../src/codec/payload-sql";
import { statementPlan } from "../../../src/codec/statement-plan";
import { engineSqlLiterals } from "./sql-literals.mjs";

const key = (byte: number) => toBase64(new Uint8Array(32).fill(byte));
const ring = (primary: string, ids: string[]) =>
  JSON.stringify({ primary, keys: Object.fromEntries(ids.map((id, i) => [id, key(i + 1)])) });

describe("AES-256-GCM codec", () => {
  const chain = engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k1", ["k1"]) });

  it("round-trips text (empty, unicode, 1 MB), with a fresh IV each time", () => {
    for (const text of ["", '{"a":"é😀"}', JSON.stringify("x".repeat(1024 * 1024))]) {
      const stored = chain.encode(text);
      expect(stored.startsWith(`~sd1.${AES_CODEC_ID}.`)).toBe(true);
      expect(chain.decode(stored)).toBe(text);
    }
    expect(chain.encode("same")).not.toBe(chain.encode("same"));
  });

  it("routes by key id: the primary encrypts, every key decrypts", () => {
    const old = chain.encode('"old"');
    const rotated = engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k2", ["k1", "k2"]) });
    expect(aesKeyId(envelopeBytes(old))).toBe("k1");
    expect(rotated.decode(old)).toBe('"old"');
    const fresh = rotated.encode('"new"');
    expect(aesKeyId(envelopeBytes(fresh))).toBe("k2");
    expect(rotated.decode(fresh)).toBe('"new"');
  });

  it("a missing key, a wrong key and altered bytes fail with a clear error", () => {
    const stored = chain.encode('"secret"');
    const withoutK1 = engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k2", ["k2"]) });
    expect(() => withoutK1.decode(stored)).toThrow(
      /encrypted with key "k1", which SUNDIAL_ENCRYPTION_KEYS does not hold \(it holds: k2\)/,
    );
    // Same id, other key material.
    const impostor = engineCodec({
      SUNDIAL_ENCRYPTION_KEYS: JSON.stringify({ primary: "k1", keys: { k1: key(9) } }),
    });
    expect(() => impostor.decode(stored)).toThrow(/fails authentication/);
    const bytes = envelopeBytes(stored);
    for (const at of [bytes.length - 1, bytes.length - 20, 2]) {
      const altered = bytes.slice();
      altered[at]! ^= 1;
      const text = `~sd1.${AES_CODEC_ID}.${toBase64(altered)}`;
      expect(() => chain.decode(text)).toThrow(/fails authentication|does not hold/);
    }
    expect(() => chain.decode(`~sd1.${AES_CODEC_ID}.AAAA`)).toThrow(
      /not an AES-GCM value|cut short/,
    );
  });

  it("refuses unusable key configurations, saying what is expected", () => {
    for (const bad of [
      "not json",
      "{}",
      JSON.stringify({ primary: "k1", keys: { k1: "c2hvcnQ=" } }),
      JSON.stringify({ primary: "k9", keys: { k1: key(1) } }),
      JSON.stringify({ primary: "bad id", keys: { "bad id": key(1) } }),
    ]) {
      expect(() => parseKeyring(bad)).toThrow(/^SUNDIAL_ENCRYPTION_KEYS .*expected \{"primary"/);
    }
  });
});

describe("codec chain", () => {
  const reverse: PayloadCodec = {
    id: "reverse",
    encode: (d) => d.slice().reverse(),
    decode: (d) => d.slice().reverse(),
  };

  it("applies user codecs before the built-in encryption and records them in the envelope", () => {
    const chain = engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k1", ["k1"]) }, [reverse]);
    const stored = chain.encode('{"x":1}');
    expect(envelopeCodecs(stored)).toEqual(["reverse", AES_CODEC_ID]);
    expect(chain.decode(stored)).toBe('{"x":1}');
    // Without keys, the user's codec alone.
    const plain = engineCodec({}, [reverse]);
    expect(envelopeCodecs(plain.encode("1"))).toEqual(["reverse"]);
    // A value needing a codec no longer configured names it.
    expect(() =>
      engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k1", ["k1"]) }).decode(stored),
    ).toThrow(/codec "reverse", which this deployment does not configure/);
  });

  it("with nothing configured stores as is, reads plaintext written before, refuses envelopes clearly", () => {
    expect(engineCodec({})).toBe(IDENTITY);
    expect(IDENTITY.encode('{"a":1}')).toBe('{"a":1}');
    const chain = engineCodec({ SUNDIAL_ENCRYPTION_KEYS: ring("k1", ["k1"]) });
    expect(chain.decode('{"written":"before keys"}')).toBe('{"written":"before keys"}');
    expect(() => IDENTITY.decode(chain.encode("1"))).toThrow(/configures none/);
  });

  it("checks codec ids", () => {
    expect(() => codecChain([{ ...reverse, id: "Bad.Id" }])).toThrow(/codec id/);
    expect(() => codecChain([reverse, reverse])).toThrow(/twice/);
  });

  it("base64 helpers round-trip", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(1000));
    expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes));
  });

  it("AES values carry their key id in clear (authenticated), 2 + id + 12 + n + 16 bytes", () => {
    const codec = aesGcmCodec(parseKeyring(ring("key-2026", ["key-2026"])));
    const out = codec.encode(new Uint8Array([1, 2, 3]));
    expect(out.length).toBe(2 + 8 + 12 + 3 + 16);
    expect(aesKeyId(out)).toBe("key-2026");
  });
});

describe("statement plans: which bindings are payloads", () => {
  it("maps INSERT and UPDATE placeholders to payload columns", () => {
    expect(
      statementPlan(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
      ),
    ).toEqual([5]);
    expect(
      statementPlan(
        "UPDATE runs SET status = ?, close_ms = ?, result = ?, failure = ?, next_run_id = ? WHERE run_id = ?",
      ),
    ).toEqual([2, 3]);
    expect(
      statementPlan(
        "UPDATE activities SET heartbeat_details = coalesce(?, heartbeat_details), last_heartbeat_ms = ? WHERE run_id = ? AND seq = ?",
      ),
    ).toEqual([0]);
    expect(
      statementPlan("INSERT INTO updates (update_id, run_id, state) VALUES (?, ?, 'Accepted')"),
    ).toEqual([]);
    expect(
      statementPlan("UPDATE runs SET wft_attempt = 0, wft_failure = NULL WHERE run_id = ?"),
    ).toEqual([]);
    expect(statementPlan("SELECT * FROM events WHERE run_id = ?")).toEqual([]);
    expect(statementPlan("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")).toEqual([]);
  });

  it("refuses a payload write it cannot see through (fail closed)", () => {
    for (const sql of [
      "UPDATE runs SET result = upper(?) WHERE run_id = ?",
      "INSERT INTO events SELECT * FROM other",
      "UPDATE runs SET result = ?1 WHERE run_id = ?2",
    ]) {
      expect(() => statementPlan(sql)).toThrow(/payload column/);
    }
  });

  it("understands every SQL statement literal of the engine", () => {
    let seen = 0;
    for (const { file, sql } of engineSqlLiterals()) {
      if (sql.includes("${")) continue; // built per column list: covered below
      seen++;
      expect(() => statementPlan(sql), `${file}: ${sql}`).not.toThrow();
    }
    expect(seen).toBeGreaterThan(15);
    expect(
      statementPlan(
        "UPDATE activities SET attempt = ?, state = ?, last_failure = ?, heartbeat_details = ? WHERE run_id = ? AND seq = ?",
      ),
    ).toEqual([2, 3]);
  });
});
