/**
 * HTML built from tagged templates that escape every interpolated value unless it is already
 * markup made by this module. Names, messages, ECS events and evidence come from specs and AWS and
 * may hold `<script>`: none of them can reach the page as markup, because the only way to insert
 * markup is a `Markup` value, and only `html` and `raw` make one.
 */

/** Markup made by `html` (or `raw` for constant text): inserted as it is. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What a template accepts: text (escaped), numbers, markup, lists of them, and nothing. */
export type Value = string | number | Markup | null | undefined | false | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an element's content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * @example
 * html`<td>${service.name}</td>` // a name `<b>` becomes `&lt;b&gt;`
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Markup(out);
}

/** Constant markup written in this module's own source (never data). */
export function raw(text: string): Markup {
  return new Markup(text);
}

/**
 * A fragment id from any text: letters, digits, `-` and `_` kept, everything else hex-encoded,
 * so two names never share an id and no name can break out of an attribute.
 */
export function anchorId(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `.${c.codePointAt(0)!.toString(16)}`)}`;
}
