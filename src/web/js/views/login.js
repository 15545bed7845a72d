/**
 * Login: the operator pastes an API key; it is checked against the API before it is kept, and a refusal says so
 * plainly (401) instead of failing later on every page.
 */
import { ApiError, describeError, setKey, verifyKey } from '../api.js';
import { field, h } from '../dom.js';

export function renderLogin(main, { message, onLogin }) {
  const input = h('input', {
    type: 'password',
    name: 'apiKey',
    id: 'api-key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'jk_…',
  });
  const status = h('p', { class: 'form-status', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'button primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'card login', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Operator login'),
    h('p', {}, 'Paste an operator API key. It is kept only in this browser tab and sent as a bearer token.'),
    message ? h('p', { class: 'notice info', role: 'status' }, message) : null,
    field('API key', input, 'Create one with “joule apikey create <name>” or use the key printed on the first start.'),
    status,
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    status.textContent = '';
    if (!key) {
      status.textContent = 'Enter an API key.';
      input.focus();
      return;
    }
    button.disabled = true;
    status.className = 'form-status';
    status.textContent = 'Checking the key…';
    try {
      await verifyKey(key);
      setKey(key);
      onLogin();
    } catch (error) {
      status.className = 'form-status error';
      status.textContent =
        error instanceof ApiError && error.status === 401
          ? 'This API key was refused (401 unauthorized): it is unknown, revoked or mistyped.'
          : `Could not check the key: ${describeError(error)}`;
      input.select();
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(h('div', { class: 'login-wrap' }, form));
  input.focus();
}
