#!/usr/bin/env node
// The training benchmark's data (bench/training.sh): a City roster of N
// employees (default 50,000) over the demo city's departments, a few units
// each, and M completions (default 500,000) of the benchmark's five courses
// spread over the last four years, as the City's learning system would
// export them. Deterministic (a fixed-seed generator), so runs compare.
//
//   node bench/training_gen.mjs OUTDIR [EMPLOYEES] [COMPLETIONS] [TODAY]
//
// Writes OUTDIR/roster.csv and OUTDIR/completions.csv. Employee numbers are
// E0000001...; nothing about a person but a number, a made-up name and a unit.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [out, nEmp = '50000', nDone = '500000', todayArg] = process.argv.slice(2);
if (!out) { console.error('usage: training_gen.mjs OUTDIR [EMPLOYEES] [COMPLETIONS] [TODAY]'); process.exit(2); }
const employees = Number(nEmp), completions = Number(nDone);
const today = todayArg ? Date.parse(`${todayArg}T12:00:00Z`) : Date.now();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const depts = readFileSync(path.join(root, 'data/demo/departments.tsv'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[0]);
// mulberry32: 32-bit state, exact in JavaScript's integers
let seed = 12345;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const UNITS = ['Administration', 'Field Operations', 'Customer Service', 'Facilities', 'Planning', 'Branch A', 'Branch B', 'Branch C'];
const FIRST = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jae', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya'];
const LAST = ['Alvarez', 'Brown', 'Cho', 'Diaz', 'Evans', 'Flores', 'Garcia', 'Ha', 'Ito', 'Jones', 'Kim', 'Lopez', 'Martin', 'Nguyen', 'Ortiz', 'Park'];
const COURSES = ['ED12', 'ORD188441', 'KYR-STAFF', 'AB450', 'SENSITIVE-PLACES'];

const roster = ['employee_number,name,department,unit,active'];
for (let i = 1; i <= employees; i++) {
  const d = depts[Math.floor(rnd() * depts.length)];
  const u = UNITS[Math.floor(rnd() * UNITS.length)];
  const name = `${FIRST[Math.floor(rnd() * FIRST.length)]} ${LAST[Math.floor(rnd() * LAST.length)]}`;
  roster.push(`E${String(i).padStart(7, '0')},${name},${d},${u},${rnd() < 0.97 ? 'yes' : 'no'}`);
}
writeFileSync(path.join(out, 'roster.csv'), roster.join('\n') + '\n');

const done = new Set();
const rows = ['employee_number,course,completed_on'];
while (rows.length - 1 < completions) {
  const e = 1 + Math.floor(rnd() * employees);
  const c = COURSES[Math.floor(rnd() * COURSES.length)];
  const day = new Date(today - (1 + Math.floor(rnd() * 4 * 365)) * 86400000).toISOString().slice(0, 10);
  const k = `${e}/${c}/${day}`;
  if (done.has(k)) continue;
  done.add(k);
  rows.push(`E${String(e).padStart(7, '0')},${c},${day}`);
}
writeFileSync(path.join(out, 'completions.csv'), rows.join('\n') + '\n');
console.log(`${employees} employees over ${depts.length} departments, ${completions} completions`);
