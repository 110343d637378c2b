/**
 * The app's own form validation messages. A form's built-in checks (required, min/max, maxLength,
 * pattern, a DateField's custom validity) stay, but the browser's bubble is replaced: its text follows
 * the browser's locale ("Please select an item in the list." on an English Windows under a zh-CN
 * screen). One capture listener on the document cancels the bubble and shows the app's message, in
 * the app's language, in a bubble of its own under the field; typing in the field or leaving it hides it.
 * Nothing in the pages changes: every form, present and future, gets the app's words.
 */
import i18n from 'i18next';
import { type FieldFacts, validityMessage } from './validation-text';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function factsOf(el: Field): FieldFacts {
  const kind = el instanceof HTMLSelectElement ? 'select' : el instanceof HTMLInputElement ? el.type : 'textarea';
  const facts: FieldFacts = { validity: el.validity, kind, custom: el.validationMessage };
  if (el instanceof HTMLInputElement) {
    if (el.min) facts.min = el.min;
    if (el.max) facts.max = el.max;
  }
  if (!(el instanceof HTMLSelectElement)) {
    if (el.minLength > 0) facts.minLength = el.minLength;
    if (el.maxLength > 0) facts.maxLength = el.maxLength;
  }
  return facts;
}

let bubble: HTMLDivElement | null = null;
let shownFor: Field | null = null;
let shownAt = 0;

function hide(): void {
  if (shownFor) {
    shownFor.removeAttribute('aria-invalid');
    shownFor.removeAttribute('aria-errormessage');
  }
  bubble?.remove();
  bubble = null;
  shownFor = null;
}

function show(el: Field): void {
  hide();
  const text = validityMessage((k, o) => i18n.t(k, o), factsOf(el));
  const b = document.createElement('div');
  b.className = 'app-invalid-bubble';
  b.id = 'app-invalid-bubble';
  b.setAttribute('role', 'alert');
  b.dataset.testid = 'invalid-bubble';
  b.textContent = text;
  // inside an open modal the bubble must join the dialog's top layer to be seen
  (el.closest('dialog[open]') ?? document.body).appendChild(b);
  const r = el.getBoundingClientRect();
  b.style.left = `${Math.max(4, Math.min(r.left, window.innerWidth - b.offsetWidth - 4))}px`;
  b.style.top = `${r.bottom + 4 + b.offsetHeight > window.innerHeight ? r.top - b.offsetHeight - 4 : r.bottom + 4}px`;
  el.setAttribute('aria-invalid', 'true');
  el.setAttribute('aria-errormessage', b.id);
  bubble = b;
  shownFor = el;
  shownAt = performance.now();
}

let installed = false;

/** Installs the document listeners once (main.tsx). */
export function installValidationMessages(): void {
  if (installed) return;
  installed = true;
  document.addEventListener(
    'invalid',
    (e) => {
      const el = e.target;
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement))
        return;
      e.preventDefault(); // no browser bubble in the browser's language
      // a form reports its fields in order: the first one gets the message and the focus
      if (shownFor && shownFor !== el && shownFor.form === el.form && !shownFor.validity.valid) return;
      if (performance.now() - shownAt > 50 || !shownFor) el.scrollIntoView({ block: 'nearest' });
      // a field that shows its own message under it (DateField) needs no bubble, only the focus
      if (el.dataset.ownMessage === 'true' && el.validity.customError) {
        hide();
        el.focus({ preventScroll: true });
        return;
      }
      show(el);
      // a form's check brings the user to the field; a value committed outside a form leaves the focus where it went
      if (el.form) el.focus({ preventScroll: true });
    },
    true,
  );
  const clear = (e: Event) => {
    // the focus change that committed a value (and showed the bubble) does not hide it
    if (shownFor && e.target === shownFor && (e.type === 'input' || performance.now() - shownAt > 300)) hide();
  };
  document.addEventListener('input', clear, true);
  document.addEventListener('focusout', clear, true);
  // a bounded number outside a form (久未联系 days) is never submitted, so the browser would say nothing:
  // when it is committed out of its bounds, the app says so
  document.addEventListener(
    'change',
    (e) => {
      clear(e);
      const el = e.target;
      if (el instanceof HTMLInputElement && el.type === 'number' && !el.form && !el.validity.valid) el.reportValidity();
    },
    true,
  );
  window.addEventListener('resize', hide);
  // scrolling moves the field away from its bubble; the scroll the focus itself causes does not count
  document.addEventListener('scroll', () => performance.now() - shownAt > 300 && hide(), true);
}
