/**
 * The upgrade progress page (issue 18.2): one renderer of an UpgradeState into HTML, used by browser
 * mode's host (main/host/server.ts: the page polls /api/upgrade, which answers with this body) and by
 * the Electron window (main/app/upgrade-window.ts, which writes the body in). Both languages; every
 * value put into the markup is escaped, and no internal name (migration, phase code) is shown.
 */
import type { EncryptStep, UpgradePhase, UpgradeState } from '../../db/upgrade-progress';
import { storeText, type TextLang } from '../store-messages';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function parseTextLang(v: unknown): TextLang {
  return typeof v === 'string' && v.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

function duration(lang: TextLang, secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return storeText(lang, 'upgrade.seconds', { n: String(s) });
  return storeText(lang, 'upgrade.minutes', { m: String(Math.floor(s / 60)), s: String(s % 60) });
}

const pct = (f: number) => `${Math.floor(Math.max(0, Math.min(1, f)) * 100)}%`;

function bar(fraction: number | null, label: string): string {
  // An unmeasurable phase (the integrity check) gets a moving stripe instead of a width.
  const inner =
    fraction === null ? '<div class="fill busy"></div>' : `<div class="fill" style="width:${pct(fraction)}"></div>`;
  return `<div class="bar" role="progressbar" aria-label="${esc(label)}"${
    fraction === null ? '' : ` aria-valuenow="${Math.floor(fraction * 100)}" aria-valuemin="0" aria-valuemax="100"`
  }>${inner}</div>`;
}

const mib = (bytes: number) => String(Math.round(bytes / 2 ** 20));

/** What the conversion to the encrypted format is doing, with its own measure (tables, MB). */
export function encryptStepText(
  e: EncryptStep,
  t: (key: string, vars?: Record<string, string | null | undefined>) => string,
): string {
  const vars = {
    table: String(e.table ?? 0),
    tables: String(e.tables ?? 0),
    done: mib(e.done),
    total: mib(e.total),
  };
  return t(`encryptStep.${e.phase}`, vars);
}

/** The phases this start goes through, in order, ending with the open. */
const phasesOf = (s: UpgradeState): UpgradePhase[] => [...s.phases, 'open'];

/** The page's body for a state: heading, overall bar and estimate, each phase with its own state. */
export function upgradeBodyHtml(s: UpgradeState, lang: TextLang): string {
  const t = (key: string, vars: Record<string, string | null | undefined> = {}) =>
    storeText(lang, `upgrade.${key}`, vars);
  const out: string[] = [];
  out.push(`<h1>${esc(t('title'))}</h1>`);
  const versions = { from: String(s.from), to: String(s.to) };
  if (s.phase === 'failed' && s.failure) {
    const f = s.failure;
    if (s.to > 0) out.push(`<p class="intro">${esc(t('failedIntro', versions))}</p>`);
    out.push('<section class="failed" role="alert">');
    out.push(`<h2>${esc(t('phase.failed'))}</h2>`);
    out.push(`<p>${esc(t('failedLead'))}</p>`);
    // Where it failed, in words (a support call needs it; the error's code name is for the log).
    const at =
      f.version !== null ? t('failedAt', { version: String(f.version) }) : f.backup ? null : t('failedAtBackup');
    if (at) out.push(`<p>${esc(at)}</p>`);
    out.push(`<p class="path">${esc(f.backup ? t('failedBackup', { backup: f.backup }) : t('failedNoBackup'))}</p>`);
    out.push(`<h3>${esc(t('howBack'))}</h3><ol>`);
    out.push(`<li>${esc(t('back1'))}</li>`);
    if (f.backup) out.push(`<li>${esc(t('back2', { file: f.file }))}</li>`);
    out.push(`<li>${esc(t('back3'))}</li>`);
    out.push('</ol></section>');
    return out.join('');
  }
  if (s.to > 0) out.push(`<p class="intro">${esc(t('intro', versions))}</p>`);
  const current = s.phase === 'ready' ? 'open' : s.phase;
  const phases = phasesOf(s);
  const at = phases.indexOf(current);
  out.push('<section class="overall">');
  out.push(
    `<div class="row"><span class="label">${esc(t('overall'))}</span><span class="pct">${pct(s.fraction)}</span></div>`,
  );
  out.push(bar(s.fraction, t('overall')));
  const eta =
    s.phase === 'ready'
      ? t('phase.ready')
      : s.etaSeconds === null
        ? t('estimating')
        : t('eta', { time: duration(lang, s.etaSeconds) });
  out.push(
    `<div class="row muted"><span>${esc(eta)}</span><span>${esc(t('elapsed', { time: duration(lang, s.elapsedSeconds) }))}</span></div>`,
  );
  out.push('</section><ol class="phases">');
  phases.forEach((p, i) => {
    const state = s.phase === 'ready' || i < at ? 'done' : i === at ? 'running' : 'waiting';
    // A running phase with a measurable share says how far it is, next to its state.
    const own =
      state !== 'running'
        ? null
        : p === 'backup'
          ? s.backup.fraction
          : p === 'migrate' && s.step
            ? s.step.index / Math.max(1, s.step.count)
            : p === 'encrypt' || p === 'check'
              ? s.phaseFraction
              : null;
    out.push(`<li class="${state}"><div class="row"><span class="label">${esc(t(`phase.${p}`))}</span>`);
    out.push(`<span class="state">${esc(t(`state.${state}`))}${own === null ? '' : ` · ${pct(own)}`}</span></div>`);
    if (p === 'backup' && (state !== 'waiting' || s.backup.path)) {
      out.push(bar(s.backup.done ? 1 : s.backup.fraction, t('phase.backup')));
      if (s.backup.path) out.push(`<div class="path">${esc(t('backupTo', { path: s.backup.path }))}</div>`);
    } else if (p === 'check' && state === 'running') {
      out.push(bar(s.phaseFraction, t('phase.check')));
      out.push(
        `<div class="muted">${esc(
          s.check && s.phaseFraction !== null
            ? t('checkTables', { table: String(s.check.table), tables: String(s.check.tables) })
            : t('checkNote'),
        )}</div>`,
      );
    } else if (p === 'migrate' && state === 'running' && s.step) {
      out.push(bar(s.step.count > 0 ? s.step.index / s.step.count : 0, t('phase.migrate')));
      out.push(
        `<div class="muted">${esc(t('step', { index: String(s.step.index + 1), count: String(s.step.count) }))}</div>`,
      );
    } else if (p === 'encrypt' && state === 'running') {
      out.push(bar(s.phaseFraction, t('phase.encrypt')));
      if (s.encrypt) out.push(`<div class="muted">${esc(encryptStepText(s.encrypt, t))}</div>`);
    }
    out.push('</li>');
  });
  out.push('</ol>');
  if (s.refills.length > 0) out.push(`<p class="note">${esc(t('refillNote'))}</p>`);
  return out.join('');
}

const CSS = `
:root{--brand:#0b5c63;--text:#1c2a30;--muted:#5b6b72;--border:#d6dee1;--ok:#1e7a46;--danger:#b4262c;--danger-soft:#fbe9ea}
*{box-sizing:border-box}
body{margin:0;background:#f3f5f6;color:var(--text);font:14px/1.5 system-ui,"Segoe UI","Microsoft YaHei","PingFang SC","WenQuanYi Zen Hei","Noto Sans CJK SC",sans-serif}
main{max-width:680px;margin:40px auto;background:#fff;border:1px solid var(--border);border-radius:8px;padding:24px 28px;box-shadow:0 2px 8px rgba(16,42,48,.06)}
header{display:flex;justify-content:space-between;align-items:center;color:var(--brand);font-weight:600;margin-bottom:8px}
header button{border:1px solid var(--border);background:#fff;border-radius:5px;padding:2px 10px;cursor:pointer;color:var(--text)}
h1{font-size:20px;margin:4px 0 8px}
h2{font-size:16px;margin:0 0 8px;color:var(--danger)}
h3{font-size:14px;margin:12px 0 4px}
.intro,.note{color:var(--muted);margin:0 0 16px}
.note{margin:14px 0 0}
.row{display:flex;justify-content:space-between;gap:12px}
.label{font-weight:600}
.muted{color:var(--muted);font-size:13px}
.bar{height:10px;background:#e3e9eb;border-radius:5px;overflow:hidden;margin:6px 0}
.fill{height:100%;background:var(--brand);transition:width .3s}
.fill.busy{width:30%;animation:slide 1.4s ease-in-out infinite}
@keyframes slide{0%{margin-left:-30%}100%{margin-left:100%}}
.overall{margin-bottom:16px}
.overall .bar{height:14px}
.phases{list-style:none;padding:0;margin:0;border-top:1px solid var(--border)}
.phases li{padding:10px 0;border-bottom:1px solid var(--border)}
.phases li.waiting{color:var(--muted)}
.phases li.done .state{color:var(--ok)}
.phases li.running .state{color:var(--brand);font-weight:600}
.path{font-size:12px;color:var(--muted);word-break:break-all}
.failed{background:var(--danger-soft);border:1px solid var(--danger);border-radius:8px;padding:12px 16px}
.failed ol{margin:4px 0 0;padding-left:20px}
`;

/** A whole document with a state already in it (the Electron window; browser mode's first paint). */
export function upgradeDocumentHtml(s: UpgradeState, lang: TextLang, opts: { script?: string } = {}): string {
  const brand = lang === 'en' ? 'Branch CRM' : '网点客户关系管理';
  const other = storeText(lang, 'upgrade.language');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light"><title>${esc(storeText(lang, 'upgrade.title'))}</title><style>${CSS}</style></head><body><main><header><span>${esc(brand)}</span>${
    opts.script ? `<button type="button" id="lang">${esc(other)}</button>` : ''
  }</header><div id="upgrade" aria-live="polite">${upgradeBodyHtml(s, lang)}</div></main>${
    opts.script ? `<script src="${esc(opts.script)}"></script>` : ''
  }</body></html>`;
}

/**
 * Browser mode's page script: polls /api/upgrade with the launch token (from the URL's #token=, the
 * same URL the app opens at) every half second and writes the body the host rendered; once the store
 * is open it reloads into the app. The language is the app's (localStorage crm.lang) unless switched.
 */
export const UPGRADE_PAGE_SCRIPT = `(function(){
var token=(/token=([^&]+)/.exec(location.hash)||[])[1]||'';
var lang;try{lang=localStorage.getItem('crm.lang')}catch(e){}
var q=/[?&]lang=([^&]+)/.exec(location.search);if(q)lang=q[1];
lang=lang==='en'?'en':'zh-CN';
var root=document.getElementById('upgrade');var btn=document.getElementById('lang');
function draw(){fetch('/api/upgrade?lang='+lang,{headers:{'x-crm-token':token},cache:'no-store'}).then(function(r){return r.json()}).then(function(b){
if(b.ready){location.reload();return}
if(typeof b.html==='string')root.innerHTML=b.html;
document.documentElement.lang=lang;if(btn&&b.other)btn.textContent=b.other;
if(!b.failed)setTimeout(draw,500)}).catch(function(){setTimeout(draw,1000)})}
if(btn)btn.addEventListener('click',function(){lang=lang==='en'?'zh-CN':'en';try{localStorage.setItem('crm.lang',lang)}catch(e){}draw()});
draw()})();`;
