// Registry users and their API keys: `users add|list|remove|passwd` and `apikey`.
import type { Command } from 'commander';
import { RegistryError, type Store } from '../registry/store.ts';
import { apiKeysOf, createApiKey, createUser, findUser, formatApiKey, listApiKeys, listUsers, removeUser, revokeApiKey, setPassword, type User } from '../registry/users.ts';
import { databaseOption, existingStore, newOrExistingStore } from './database.ts';
import { table } from './format.ts';
import { CliError, EXIT, readSecret, say, type Io } from './io.ts';

interface PasswordFlags {
  passwordFile?: string;
  passwordEnv?: string;
}

const passwordOf = (io: Io, flags: PasswordFlags) =>
  readSecret(io, { ...(flags.passwordEnv ? { env: flags.passwordEnv } : {}), ...(flags.passwordFile ? { file: flags.passwordFile } : {}) }, 'password');

// The registry refusing a value (a short password, a bad name) is bad usage; a missing or
// conflicting user is a failed operation.
function registryCall<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RegistryError) throw new CliError(error.message, error.status === 400 ? EXIT.usage : EXIT.failed);
    throw error;
  }
}

function withStore<T>(store: Store, work: (store: Store) => T): T {
  try {
    return registryCall(() => work(store));
  } finally {
    store.close();
  }
}

/** Adds `users` and `apikey`. */
export function registerUsers(program: Command, io: Io): void {
  const users = program.command('users').description('Manage registry users (for the API and the web interface)');
  users
    .command('add <name>')
    .description('Create a user, optionally with a web password; an existing user is an error')
    .option(...databaseOption)
    .option('--admin', 'administrator')
    .option('--password-file <file>', 'web password, first line of this file')
    .option('--password-env <variable>', 'web password, from this environment variable')
    .addHelpText('after', '\nExamples:\n  redfish-enlist users add alice --admin --password-file alice.pw\n  WEB_PW=… redfish-enlist users add bob --password-env WEB_PW')
    .action((name: string, flags: PasswordFlags & { database?: string; admin?: boolean }) => {
      const password = passwordOf(io, flags);
      withStore(newOrExistingStore(flags.database), (store) => {
        if (findUser(store, name)) throw new CliError(`user ${name} already exists (users passwd ${name} sets its password)`);
        const user = createUser(store, name, { admin: flags.admin === true, ...(password ? { password } : {}) });
        say(io, `user ${user.username}${user.isAdmin ? ' (administrator)' : ''}${password ? ' can log in to the web interface' : ''}`);
      });
    });
  users
    .command('list')
    .description('List the users: administrator or not, web password set, API keys, machines owned')
    .option(...databaseOption)
    .addHelpText('after', '\nExamples:\n  redfish-enlist users list\n  redfish-enlist users list --database /var/lib/redfish-enlist/registry.db')
    .action((flags: { database?: string }) =>
      withStore(existingStore(flags.database), (store) => {
        const rows = listUsers(store);
        say(io, table(['USER', 'ADMIN', 'WEB LOGIN', 'API KEYS', 'MACHINES', 'CREATED'], rows.map((user) => [user.username, user.isAdmin ? 'yes' : 'no', user.hasPassword ? 'yes' : 'no', user.apiKeys, user.machines, user.createdAt.slice(0, 10)])));
        say(io, `\n${rows.length} user${rows.length === 1 ? '' : 's'}`);
      }),
    );
  users
    .command('remove <name>')
    .description('Remove a user with its API keys and web sessions (refused while it owns machines)')
    .option(...databaseOption)
    .addHelpText('after', '\nExamples:\n  redfish-enlist users remove bob\n  redfish-enlist users remove bob --database /var/lib/redfish-enlist/registry.db')
    .action((name: string, flags: { database?: string }) =>
      withStore(existingStore(flags.database), (store) => {
        removeUser(store, name);
        say(io, `removed user ${name}`);
      }),
    );
  users
    .command('passwd <name>')
    .description("Set a user's web password; its open web sessions end")
    .option(...databaseOption)
    .option('--password-file <file>', 'the password, first line of this file')
    .option('--password-env <variable>', 'the password, from this environment variable')
    .addHelpText('after', '\nExamples:\n  redfish-enlist users passwd alice --password-file alice.pw\n  WEB_PW=… redfish-enlist users passwd alice --password-env WEB_PW')
    .action((name: string, flags: PasswordFlags & { database?: string }) => {
      const password = passwordOf(io, flags);
      if (!password) throw new CliError('users passwd needs --password-file or --password-env', EXIT.usage);
      withStore(existingStore(flags.database), (store) => {
        setPassword(store, name, password);
        say(io, `user ${name} has a new web password; its web sessions were ended`);
      });
    });

  program
    .command('apikey')
    .description("A user's MAAS-style API keys (consumer:token:secret); as MAAS's `maas apikey`, one is made if the user has none")
    .option(...databaseOption)
    .option('--username <name>', 'whose keys (created if missing; the first user is an administrator); with --list, only theirs (default: admin)')
    .option('--admin', 'make a new user an administrator')
    .option('--generate', 'make a new key and print it')
    .option('--list', "list every user's keys by token, never their secrets")
    .option('--revoke <key>', 'revoke a key, given whole or by its token part; it stops working at once')
    .addHelpText(
      'after',
      '\nExamples:\n  redfish-enlist apikey > admin.key\n  redfish-enlist apikey --username ops --admin --generate\n  redfish-enlist apikey --list\n  redfish-enlist apikey --revoke Zx3mD2v8yTq9NwKpRa',
    )
    .action((flags: { database?: string; username?: string; admin?: boolean; generate?: boolean; list?: boolean; revoke?: string }) => {
      if ([flags.generate, flags.list, flags.revoke !== undefined].filter(Boolean).length > 1) throw new CliError('apikey: use one of --generate, --list, --revoke', EXIT.usage);
      if (flags.list) {
        return withStore(existingStore(flags.database), (store) => {
          const keys = listApiKeys(store).filter((key) => flags.username === undefined || key.username === flags.username);
          say(io, table(['TOKEN', 'USER', 'NAME', 'CREATED'], keys.map((key) => [key.tokenKey, key.username, key.name, key.createdAt.replace('T', ' ').slice(0, 19)])));
          say(io, `\n${keys.length} API key${keys.length === 1 ? '' : 's'}`);
        });
      }
      if (flags.revoke !== undefined) {
        const key = flags.revoke;
        return withStore(existingStore(flags.database), (store) => {
          const revoked = revokeApiKey(store, key);
          say(io, `revoked API key ${revoked.tokenKey} of ${revoked.username}`);
        });
      }
      withStore(newOrExistingStore(flags.database), (store) => {
        const username = flags.username ?? 'admin';
        const user: User = findUser(store, username) ?? createUser(store, username, { admin: flags.admin === true });
        // One key, so `apikey > admin.key` writes one: the user's first, or a new one with --generate.
        const [first] = flags.generate ? [] : apiKeysOf(store, user);
        say(io, formatApiKey(first ?? createApiKey(store, user, 'cli')));
      });
    });
}
