// The login page. Before there is a session, the login form's CSRF token is a double-submit: the
// same random value in an HttpOnly SameSite=Strict cookie and in the form.
import { html, type SafeHtml } from './html.ts';
import { layout, type Notice } from './layout.ts';

/** The login form; `next` is where to go after logging in (a local path). */
export function loginPage(options: { csrfToken: string; next: string; username?: string; notice?: Notice; version?: string }): SafeHtml {
  return layout(
    { title: 'Log in', section: 'login', ...(options.notice ? { notice: options.notice } : {}), ...(options.version ? { version: options.version } : {}) },
    html`<section class="login">
  <h1>Log in</h1>
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="${options.csrfToken}">
    <input type="hidden" name="next" value="${options.next}">
    <label>User name <input name="username" autocomplete="username" required autofocus value="${options.username ?? ''}"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Log in</button>
  </form>
  <p class="hint">Users are created on the command line: <code>redfish-enlist users add NAME --password-file FILE</code>.</p>
</section>`,
  );
}
