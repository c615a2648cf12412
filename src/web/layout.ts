// The frame of every page: title, navigation, who is logged in and the logout form (a POST with
// the session's CSRF token, like every state-changing request).
import { html, type Interpolation, type SafeHtml } from './html.ts';
import type { WebSession } from './session.ts';

/** Where a page sits in the navigation. */
export type Section = 'machines' | 'bmcs' | 'login';

/** A notice shown above a page's content. */
export interface Notice {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** Path of the stylesheet (its content is versioned by ETag). */
export const STYLESHEET_PATH = '/static/style.css';

/** A hidden form field carrying the session's CSRF token. */
export function csrfField(session: WebSession): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${session.csrfToken}">`;
}

/** A whole page. */
export function layout(options: { title: string; section: Section; session?: WebSession; notice?: Notice; version?: string }, content: Interpolation): SafeHtml {
  const { title, section, session, notice } = options;
  const link = (target: Section, href: string, label: string) => html`<a href="${href}"${section === target ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · redfish-enlist</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header class="top">
  <span class="brand">redfish-enlist</span>
  ${session
    ? html`<nav>${link('machines', '/', 'Machines')}${link('bmcs', '/bmcs', 'BMCs')}</nav>
  <form class="logout" method="post" action="/logout">${csrfField(session)}<span class="user">${session.user.username}${session.user.isAdmin ? ' (admin)' : ''}</span> <button type="submit">Log out</button></form>`
    : ''}
</header>
<main>
${notice ? html`<p class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
${content}
</main>
<footer>${options.version ? html`redfish-enlist ${options.version} · ` : ''}embedded registry, MAAS API at <code>/MAAS/api/2.0/</code></footer>
</body>
</html>`;
}
