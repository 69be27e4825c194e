// DESIGN.md section 4: no column, template field or API name ever records a
// person's immigration or citizenship status, nationality, place of birth
// or alien number. Scans the migrated schema and the served pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { scratch, runHaven, sql, startServer, DB } from './lib.mjs';

const FORBIDDEN = /(immigration|citizen(ship)?)_?status|nationality|citizenship|birth_?place|place_?of_?birth|country_?of_?birth|alien_?(number|no|num|id)|a_?number|visa_?status|legal_?status|undocumented/i;

test('the schema has no forbidden column or table names', async () => {
  const s = scratch();
  try {
    const r = await runHaven(['migrate', ...s.args]);
    assert.equal(r.code, 0, r.stderr);
    const names = DB === 'postgres'
      ? sql(s.db, "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()")
      : sql(s.db, "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'");
    const list = names.trim().split('\n');
    assert.ok(list.length > 5, 'the scan saw the schema');
    for (const n of list) assert.doesNotMatch(n, FORBIDDEN, n);
  } finally { s.cleanup(); }
});

test('templates and served pages ask for no forbidden field', async () => {
  for (const f of readdirSync('web/templates')) {
    const t = readFileSync(`web/templates/${f}`, 'utf8');
    for (const m of t.matchAll(/name="([^"]+)"/g)) assert.doesNotMatch(m[1], FORBIDDEN, `${f}: ${m[1]}`);
  }
  const srv = await startServer();
  try {
    const html = await (await fetch(srv.url + '/')).text();
    for (const m of html.matchAll(/(?:name|id)="([^"]+)"/g)) assert.doesNotMatch(m[1], FORBIDDEN, m[1]);
  } finally { await srv.stop(); srv.cleanup(); }
});
