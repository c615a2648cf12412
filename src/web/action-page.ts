// The second step of every lifecycle action: a page that says what the action will do, from the
// lifecycle model's own answer, and a POST form carrying the CSRF token. A refused action shows
// MAAS's reason instead of a form.
import { html, type SafeHtml } from './html.ts';
import type { ActionAvailability } from './actions.ts';
import { csrfField, layout, type Notice } from './layout.ts';
import type { MaasMachine } from './maas-json.ts';
import type { WebSession } from './session.ts';

/** The confirmation (or refusal) page of one action on one machine. */
export function actionPage(machine: MaasMachine, entry: ActionAvailability, session: WebSession, options: { notice?: Notice; version?: string } = {}): SafeHtml {
  const { action } = entry;
  const back = `/machines/${machine.system_id}`;
  const notice: Notice | undefined = options.notice ?? (entry.allowed ? undefined : { kind: 'error', text: entry.reason });
  return layout(
    { title: `${action.label} ${machine.hostname}`, section: 'machines', session, ...(notice ? { notice } : {}), ...(options.version ? { version: options.version } : {}) },
    html`<p class="crumbs"><a href="/">Machines</a> › <a href="${back}">${machine.hostname}</a> ›</p>
<section class="panel confirm">
<h1>${action.label} ${machine.hostname}?</h1>
${
  entry.allowed
    ? html`<p>The machine is <b>${machine.status_name}</b>${machine.status_name === entry.nextStatus ? html` and stays <b>${entry.nextStatus}</b>` : html` and will become <b class="next-status">${entry.nextStatus}</b>`}.</p>
<p>${action.explanation}</p>
<form method="post" action="${back}/actions/${action.name}">
  ${csrfField(session)}
  <input type="hidden" name="confirm" value="yes">
  <button type="submit" class="danger">${action.label}</button>
  <a href="${back}">Cancel</a>
</form>`
    : html`<p>This action is not possible now.</p><p><a href="${back}">Back to ${machine.hostname}</a></p>`
}
</section>`,
  );
}
