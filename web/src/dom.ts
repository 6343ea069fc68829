type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined>;

/** Creates an element: attributes (`true` for a bare one, `false`/`undefined` to leave out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

let uniqueId = 0;
export function nextId(prefix: string): string {
  uniqueId += 1;
  return `${prefix}-${uniqueId}`;
}

/** Says `message` through the page's polite live region (screen readers read it out). */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A change of content is what gets read: clear, then set on the next frame.
  requestAnimationFrame(() => (region.textContent = message));
}

export interface Field {
  element: HTMLElement;
  input: HTMLInputElement;
  setError(message: string | null): void;
}

/** A labelled input with an optional hint and an error line, tied together by `aria-describedby`. */
export function field(options: {
  label: string;
  name: string;
  type?: string;
  hint?: string;
  attributes?: Attributes;
}): Field {
  const id = nextId(options.name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    'aria-describedby': options.hint ? hintId : undefined,
    ...options.attributes,
  });
  const hint = options.hint ? h('p', { id: hintId, class: 'hint' }, options.hint) : null;
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const element = h('div', { class: 'field' }, h('label', { for: id }, options.label), hint, input, error);
  return {
    element,
    input,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      const described = [options.hint ? hintId : '', message ? errorId : ''].filter(Boolean).join(' ');
      if (described) input.setAttribute('aria-describedby', described);
      else input.removeAttribute('aria-describedby');
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** The form's error message: an alert, so it is read out as soon as it is set. */
export function formAlert(): { element: HTMLElement; show(message: string | null): void } {
  const element = h('div', { class: 'form-alert', role: 'alert', tabindex: -1 });
  return {
    element,
    show(message) {
      element.textContent = message ?? '';
      element.classList.toggle('visible', Boolean(message));
    },
  };
}

/** Disables a submit button while `work` runs, so a double click sends one request. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
