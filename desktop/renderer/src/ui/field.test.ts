import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Field, SelectField, TextField } from './field';
import { FormFooter } from './form-footer';
import { TableHead } from './table-head';

/** The rendered markup, parsed back so that assertions read attributes rather than strings. */
function render(element: ReturnType<typeof createElement>) {
  const html = renderToStaticMarkup(element);
  const attribute = (tag: string, name: string) =>
    new RegExp(`<${tag}\\b[^>]*\\s${name}="([^"]*)"`).exec(html)?.[1];
  return { html, attribute };
}

describe('ui: TextField', () => {
  it('points its label at the input and describes the input by nothing when valid', () => {
    const { html, attribute } = render(
      createElement(TextField, {
        id: 'runner-url',
        label: 'Runner URL',
        type: 'url',
        required: true,
      }),
    );
    expect(attribute('label', 'for')).toBe('runner-url');
    expect(attribute('input', 'id')).toBe('runner-url');
    expect(attribute('input', 'type')).toBe('url');
    expect(attribute('input', 'class')).toBe('input');
    expect(html).not.toContain('aria-describedby');
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('field-issues');
  });

  it('describes the input by its hint, and by its errors too, marking it invalid', () => {
    const { attribute, html } = render(
      createElement(TextField, {
        id: 'totp',
        label: 'Two-factor code',
        hint: 'The code from your app.',
        errors: 'The code is wrong.',
        inputClassName: 'mono',
      }),
    );
    expect(attribute('input', 'aria-describedby')).toBe('totp-hint totp-issues');
    expect(attribute('input', 'aria-invalid')).toBe('true');
    expect(attribute('input', 'class')).toBe('input mono');
    expect(attribute('p', 'id')).toBe('totp-hint');
    expect(attribute('ul', 'id')).toBe('totp-issues');
    expect(html).toContain('<li>The code is wrong.</li>');
    expect(attribute('div', 'class')).toBe('field has-issues');
  });

  it('lists every validator message and treats an empty list as valid', () => {
    const two = render(
      createElement(TextField, { id: 'url', label: 'URL', errors: ['first', 'second'] }),
    );
    expect(two.html).toContain('<li>first</li><li>second</li>');
    const none = render(createElement(TextField, { id: 'url', label: 'URL', errors: [] }));
    expect(none.html).not.toContain('aria-invalid');
    expect(none.html).not.toContain('<ul');
  });
});

describe('ui: SelectField and Field', () => {
  it('wires a select and a custom control the same way', () => {
    const select = render(
      createElement(
        SelectField,
        { id: 'invite-role', label: 'Role', errors: 'Pick a role.', dataField: 'role' },
        createElement('option', { value: 'member' }, 'Member'),
      ),
    );
    expect(select.attribute('select', 'id')).toBe('invite-role');
    expect(select.attribute('select', 'aria-describedby')).toBe('invite-role-issues');
    expect(select.attribute('div', 'data-field')).toBe('role');
    const custom = render(
      createElement(Field, {
        id: 'description',
        label: 'Description',
        hint: 'Shown in the list.',
        children: (control) => createElement('textarea', control),
      }),
    );
    expect(custom.attribute('textarea', 'id')).toBe('description');
    expect(custom.attribute('textarea', 'aria-describedby')).toBe('description-hint');
  });
});

describe('ui: FormFooter and TableHead', () => {
  it('shows the problem as an alert, then the submit button, disabled and relabelled while busy', () => {
    const idle = render(createElement(FormFooter, { problem: null, submitLabel: 'Sign in' }));
    expect(idle.html).not.toContain('role="alert"');
    expect(idle.html).toContain('<button type="submit" class="btn">Sign in</button>');
    const busy = render(
      createElement(FormFooter, {
        problem: 'Wrong password.',
        submitLabel: 'Sign in',
        busyLabel: 'Signing in…',
        busy: true,
        primary: true,
      }),
    );
    expect(busy.html).toContain('role="alert">Wrong password.</p>');
    expect(busy.html).toContain('class="btn btn-primary" disabled="">Signing in…</button>');
  });

  it('names the actions column for screen readers only when asked for', () => {
    expect(
      renderToStaticMarkup(createElement(TableHead, { columns: ['Email'], actions: true })),
    ).toBe(
      '<thead><tr><th scope="col">Email</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>',
    );
    expect(renderToStaticMarkup(createElement(TableHead, { columns: ['Email'] }))).toBe(
      '<thead><tr><th scope="col">Email</th></tr></thead>',
    );
  });
});
