// What every BMC serving the same mockup shares: serialised bodies and facts read from the service
// root. Computed once per Mockup object, so a fleet of thousands holds each tree once.
import { mockupKey, type Mockup } from '../mockup.ts';
import { isRecord } from './check.ts';
import { compileIdentity, type IdentityTemplate } from './identity.ts';

/** Shared, read-only serving state of one mockup. */
export interface PreparedTree {
  readonly mockup: Mockup;
  /** The root has `Oem.Dell`: session-limit errors look like iDRAC's. */
  readonly isDell: boolean;
  /** The root advertises `ProtocolFeaturesSupported.ExpandQuery`. */
  readonly expandAdvertised: boolean;
  /** Mockup key of the Sessions collection (`Links.Sessions`, else the DMTF default). */
  readonly sessionsKey: string;
  /** The compact JSON text of a resource's body, serialised on first use. */
  text(key: string): string | undefined;
  /** The text split at its identity tokens, compiled on first use. */
  template(key: string): IdentityTemplate | undefined;
  /** The tree's own copy of a path string, so per-path counters of many BMCs share one string. */
  intern(key: string): string;
}

const cache = new WeakMap<Mockup, PreparedTree>();

/** The prepared state of a mockup, built on first use and shared afterwards. */
export function prepareTree(mockup: Mockup): PreparedTree {
  let tree = cache.get(mockup);
  if (tree === undefined) {
    tree = build(mockup);
    cache.set(mockup, tree);
  }
  return tree;
}

function build(mockup: Mockup): PreparedTree {
  const root = mockup.get('/redfish/v1')?.body;
  const oem = isRecord(root) ? root.Oem : undefined;
  const sessions = isRecord(root) && isRecord(root.Links) && isRecord(root.Links.Sessions) ? root.Links.Sessions['@odata.id'] : undefined;
  const texts = new Map<string, string>();
  const templates = new Map<string, IdentityTemplate>();
  const keys = new Map<string, string>([...mockup.keys()].map((key) => [key, key]));
  return {
    mockup,
    isDell: isRecord(oem) && 'Dell' in oem,
    expandAdvertised: advertisesExpand(root),
    sessionsKey: typeof sessions === 'string' && sessions.startsWith('/') ? mockupKey(sessions) : '/redfish/v1/SessionService/Sessions',
    text(key) {
      let text = texts.get(key);
      if (text === undefined) {
        const resource = mockup.get(key);
        if (resource === undefined) return undefined;
        text = JSON.stringify(resource.body ?? null);
        texts.set(key, text);
      }
      return text;
    },
    template(key) {
      let template = templates.get(key);
      if (template === undefined) {
        const text = this.text(key);
        if (text === undefined) return undefined;
        template = compileIdentity(text);
        templates.set(key, template);
      }
      return template;
    },
    intern: (key) => keys.get(key) ?? key,
  };
}

// An ExpandQuery object with every capability false (OpenBMC stock) advertises nothing.
function advertisesExpand(root: unknown): boolean {
  const features = isRecord(root) ? root.ProtocolFeaturesSupported : undefined;
  const expand = isRecord(features) ? features.ExpandQuery : undefined;
  return isRecord(expand) && ['ExpandAll', 'Levels', 'Links', 'NoLinks'].some((name) => expand[name] === true);
}
