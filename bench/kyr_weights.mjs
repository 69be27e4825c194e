// What a phone downloads for the public Know-Your-Rights pages, per
// language: the topic page's HTML and kyr.css as served gzip-compressed, and
// the web font the page preloads (WOFF2, sent as is); and the language
// chooser with the names font. Starts its own server on the demo
// city (tests/api/lib.mjs) and prints a Markdown table for docs/kyr.md.
//
//   node bench/kyr_weights.mjs [topic-slug]      (default: at-the-door)
import { gzipSync } from 'node:zlib';
import { startServer } from '../tests/api/lib.mjs';

const slug = process.argv[2] || 'at-the-door';
const srv = await startServer();
try {
  const get = async (p) => {
    const r = await fetch(`${srv.url}${p}`, { headers: { 'Accept-Encoding': 'gzip' } });
    if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
    return Buffer.from(await r.arrayBuffer());
  };
  // fetch() decompresses; what travels is the gzip form the server made
  // at level 9, which this reproduces to within a few bytes.
  const wire = (buf) => gzipSync(buf, { level: 9 }).length;
  const chooser = (await get('/kyr')).toString();
  const cssHref = chooser.match(/<link rel="stylesheet" href="([^"]+)">/)[1];
  const css = await get(cssHref);
  const base = cssHref.replace(/kyr\.css$/, '');
  const rows = [];
  const langs = [...chooser.matchAll(/<a href="\/kyr\/choose\/([A-Za-z-]+)" lang=/g)].map((m) => m[1]);
  for (const tag of langs) {
    const html = await get(`/kyr/${tag}/${slug}`);
    const pre = html.toString().match(/<link rel="preload" href="([^"]+)" as="font"/);
    const font = pre ? (await get(pre[1])).length : 0;
    rows.push([tag, wire(html), wire(css), font, pre ? pre[1].replace(/.*\//, '') : '(system fonts)']);
  }
  const names = [...css.toString().matchAll(/url\((kyr\/fonts\/names\.woff2)\)/g)];
  let namesBytes = 0;
  for (const m of names) namesBytes += (await get(base + m[1])).length;
  rows.push(['/kyr (English chooser)', wire(Buffer.from(chooser)), wire(css), namesBytes, names.length ? 'names.woff2' : '(none)']);
  console.log(`| page | HTML (gzip) | kyr.css (gzip) | font | total | font file |`);
  console.log(`|---|---:|---:|---:|---:|---|`);
  for (const [tag, h, c, f, name] of rows) {
    const label = tag.startsWith('/') ? tag : `/kyr/${tag}/${slug}`;
    console.log(`| ${label} | ${h} | ${c} | ${f} | ${h + c + f} | ${name} |`);
  }
} finally {
  await srv.stop();
  srv.cleanup();
}
