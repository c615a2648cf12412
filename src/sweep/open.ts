// Opens what a configuration names: the target machines go to, and the store where the collector
// keeps its per-BMC memory (the registry itself for the embedded target).
import { MaasTarget } from '../maas/target.ts';
import { Store } from '../registry/store.ts';
import type { TargetConfig } from './config.ts';
import { EmbeddedTarget } from './embedded-target.ts';
import type { Target } from './target.ts';

/** An opened target with its state store. */
export interface OpenedTarget {
  readonly target: Target;
  readonly state: Store;
  close(): Promise<void>;
}

/** Opens the target and state store of a configuration; a dry run's stores never write their files (nor create them). */
export function openTarget(config: TargetConfig, options: { readonly dryRun?: boolean } = {}): OpenedTarget {
  const storeOptions = options.dryRun ? { discardChanges: true } : {};
  if (config.kind === 'embedded') {
    const store = new Store(config.database, storeOptions);
    const target = new EmbeddedTarget(store);
    return { target, state: store, close: async () => store.close() };
  }
  const state = new Store(config.stateDatabase, storeOptions);
  const target = new MaasTarget({
    url: config.url,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...(config.credentialsDir ? { credentialsDir: config.credentialsDir } : {}),
    skipCheck: config.skipCheck,
    powerType: config.powerType,
  });
  return {
    target,
    state,
    close: async () => {
      await target.close();
      state.close();
    },
  };
}
