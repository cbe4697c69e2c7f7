/**
 * The page's only stylesheet, inline, and the Content-Security-Policy that allows exactly it: no
 * script, no fetch, no font, no image, no frame, nothing from anywhere. Colours meet WCAG AA
 * contrast in light and dark mode; every coloured state also has a word or a mark.
 */
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--link:#0550ae;
--ok:#116329;--ok-bg:#dafbe1;--info:#0550ae;--info-bg:#ddf4ff;--warn:#6c4400;--warn-bg:#fff8c5;--bad:#a0111f;--bad-bg:#ffebe9;
--unknown:#6639ba;--unknown-bg:#fbefff;--focus:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--link:#79c0ff;
--ok:#7ee787;--ok-bg:#0f2a1a;--info:#79c0ff;--info-bg:#0c2a45;--warn:#f2cc60;--warn-bg:#2e2209;--bad:#ffa198;--bad-bg:#3b1216;
--unknown:#d2a8ff;--unknown-bg:#2a1a45;--focus:#79c0ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;overflow-wrap:break-word;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
h4{font-size:1rem;margin:.2rem 0}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem 1rem}
.skip:focus{left:.5rem;z-index:1}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.4rem;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.5rem}
nav a{display:inline-block;padding:.25rem .6rem;border:1px solid var(--line);border-radius:1rem;text-decoration:none}
.meta{color:var(--muted);margin:.25rem 0}
.muted{color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.t{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-weight:600;white-space:nowrap}
.ok{color:var(--ok);background:var(--ok-bg)}.info{color:var(--info);background:var(--info-bg)}
.warn{color:var(--warn);background:var(--warn-bg)}.bad{color:var(--bad);background:var(--bad-bg)}
.unknown{color:var(--unknown);background:var(--unknown-bg)}.muted.t{background:var(--panel)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.25rem 0}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600;background:var(--panel)}
td{overflow-wrap:anywhere}
.counts{display:flex;flex-wrap:wrap;gap:.25rem}
.card{border:1px solid var(--line);border-radius:.5rem;padding:.5rem .75rem;margin:.5rem 0;background:var(--bg)}
.card.bad{border-left:.35rem solid var(--bad);background:var(--bg);color:var(--fg)}
.card.warn{border-left:.35rem solid var(--warn);background:var(--bg);color:var(--fg)}
.card.info{border-left:.35rem solid var(--info);background:var(--bg);color:var(--fg)}
.card.unknown{border-left:.35rem solid var(--unknown);background:var(--bg);color:var(--fg)}
.card p{margin:.25rem 0}
.chain{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;align-items:center;gap:.2rem}
.chain li{display:flex;align-items:center;gap:.2rem}
.chain li+li::before{content:"→";color:var(--muted);margin-right:.2rem}
.chain .t{font-weight:500}
.chain .first{outline:2px solid var(--bad);font-weight:700}
.fix{border:2px solid var(--bad);border-radius:.5rem;padding:.5rem .75rem;margin:.5rem 0}
.fix strong{color:var(--bad)}
.links{list-style:none;padding:0;margin:.25rem 0}
.links>li{padding:.4rem .5rem;border-bottom:1px solid var(--line)}
.links>li.first{border:2px solid var(--bad);border-radius:.4rem}
dl.ev{display:grid;grid-template-columns:max-content 1fr;gap:0 .75rem;margin:.25rem 0 0 1.5rem;font-size:.9em}
dl.ev dt{color:var(--muted)}dl.ev dd{margin:0;overflow-wrap:anywhere}
details{margin:.25rem 0}
summary{cursor:pointer;padding:.25rem 0}
.timeline{list-style:none;padding:0;margin:.5rem 0;border-left:3px solid var(--line)}
.timeline li{position:relative;margin:0 0 .75rem 0;padding-left:1rem}
.timeline li::before{content:"";position:absolute;left:-.5rem;top:.45rem;width:.7rem;height:.7rem;border-radius:50%;background:var(--muted)}
.timeline li.ok::before{background:var(--ok)}.timeline li.warn::before{background:var(--warn)}
.timeline li.ok,.timeline li.warn,.timeline li.muted{background:none;color:var(--fg)}
.timeline p{margin:.1rem 0}
footer{color:var(--muted);padding:2rem 1rem}
@media (max-width:40rem){
body{font-size:16px}
table.stack thead{position:absolute;left:-9999px}
table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}
table.stack td{display:block;border:0;padding:.1rem .25rem}
table.stack td[data-l]::before{content:attr(data-l) ": ";color:var(--muted)}
table.res td:nth-child(3)::before{content:"Reason: ";color:var(--muted)}
table.res td:nth-child(4)::before{content:"For: ";color:var(--muted)}
dl.ev{margin-left:.5rem}
}
`.trim();

/** The CSP hash source of the stylesheet (`'sha256-...'`). */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}'`;

/** Nothing loads, nothing runs: only the inline stylesheet above applies. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'none'`;
