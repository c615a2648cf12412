// Public API of the web interface: the request handler `serve` mounts, and the pieces worth testing alone.
export { webInterface, type WebHandler, type WebOptions } from './interface.ts';
export type { ConfiguredBmc } from './bmcs-page.ts';
export { escapeHtml, html, isSafeHtml, trusted, type Interpolation, type SafeHtml } from './html.ts';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, serializeCookie } from './http.ts';
export { ACTIONS, actionNamed, availability, availableActions, performAction, type ActionAvailability, type ActionName, type ActionSpec } from './actions.ts';
export { cpuTopology, DEFAULT_QUERY, fleetSummary, listingPage, listingParams, parseListingQuery, SORT_KEYS, type FleetSummary, type ListingPage, type ListingQuery, type SortKey } from './listing.ts';
export { authenticate, createSession, csrfMatches, endSession, findSession, SESSION_HOURS, sessionCookieName, type WebSession } from './session.ts';
