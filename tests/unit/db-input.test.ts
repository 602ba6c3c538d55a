import { describe, expect, it } from "vitest";
import { arrayLiteral, recordsetInput } from "../../functions/_shared/db-input.ts";

describe("arrayLiteral", () => {
  it("quotes every element, escapes backslashes and double quotes, writes NULL unquoted", () => {
    expect(arrayLiteral(["a", 'b"c', "d\\e", null, "NULL", "x,y", "{z}", ""])).toBe('{"a","b\\"c","d\\\\e",NULL,"NULL","x,y","{z}",""}');
    expect(arrayLiteral([])).toBe("{}");
  });
});

describe("recordsetInput: rows as typed columns through unnest", () => {
  const types = new Map([["id", "bigint"], ["tags", "text[]"], ["doc", "jsonb"], ["ok", "boolean"], ["at", "timestamp with time zone"], ["amount", "numeric(38,18)"]]);

  it("casts each column to its type and numbers the parameters from firstParam", () => {
    const { sql, params } = recordsetInput(types, ["id", "amount"], [{ id: 1, amount: "0.1" }], 3);
    expect(sql).toBe("(select t.id::bigint as id, t.amount::numeric(38,18) as amount from unnest($3::text[], $4::text[]) as t(id, amount))");
    expect(params).toEqual(['{"1"}', '{"0.1"}']);
  });

  it("writes JSON for jsonb, an array literal for array columns, t/f, ISO times, NULL for null and undefined", () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const { params } = recordsetInput(types, ["tags", "doc", "ok", "at", "amount"], [
      { tags: ["x", 'q"'], doc: [{ a: "1" }], ok: true, at, amount: "-1.5" },
      { tags: null, doc: null, ok: false, at: "2026-01-02T03:04:05.006Z", amount: undefined },
    ]);
    expect(params[0]).toBe('{"{\\"x\\",\\"q\\\\\\"\\"}",NULL}');
    expect(params[1]).toBe('{"[{\\"a\\":\\"1\\"}]",NULL}');
    expect(params[2]).toBe('{"t","f"}');
    expect(params[3]).toBe('{"2026-01-02T03:04:05.006Z","2026-01-02T03:04:05.006Z"}');
    expect(params[4]).toBe('{"-1.5",NULL}');
  });

  it("refuses a column the table does not have, and a non-array value for an array column", () => {
    expect(() => recordsetInput(types, ["nope"], [{ nope: 1 }])).toThrow(/no column nope/);
    expect(() => recordsetInput(types, ["tags"], [{ tags: "x" }])).toThrow(/must be an array/);
  });
});
