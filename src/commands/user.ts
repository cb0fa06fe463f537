import { parseArgs } from 'node:util';
import { generatePassword } from '../access/passwords.js';
import { checkRole } from '../access/user-rules.js';
import type { Config } from '../config.js';
import { UserService, type User } from '../access/users.js';
import { openDatabase } from '../storage/database.js';

export const USER_USAGE = `gui-docker-manager user list
gui-docker-manager user add NAME --role ROLE [--groups a,b] [--password-stdin]
gui-docker-manager user set-role NAME ROLE
gui-docker-manager user set-groups NAME a,b|default
gui-docker-manager user set-engines NAME e1,e2|default
gui-docker-manager user set-password NAME [--password-stdin]
gui-docker-manager user disable|enable|delete NAME
(without --password-stdin a password is generated and printed once)`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function show(u: User): string {
  return `${u.id}\t${u.username}\t${u.role}\t${u.groups?.join(',') ?? '(role default)'}\t${u.disabled ? 'disabled' : 'enabled'}`;
}

/** Manages local users in DATA_DIR's database (the server may be running: SQLite WAL). */
export async function userCommand(args: string[], config: Config): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string' }, groups: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
    strict: true,
  });
  const [action, name, arg] = positionals;
  const db = openDatabase(config.dataDir);
  try {
    const users = new UserService(db);
    const find = (username: string | undefined): User => {
      const u = users.list().find((x) => x.username.toLowerCase() === username?.toLowerCase());
      if (!u) throw new Error(`no user named ${JSON.stringify(username ?? '')}`);
      return u;
    };
    const password = async () => (values['password-stdin'] ? readStdin() : generatePassword());
    switch (action) {
      case 'list':
        for (const u of users.list()) console.log(show(u));
        return 0;
      case 'add': {
        if (!name) throw new Error(USER_USAGE);
        // The user service checks name, password, role and groups with the API's own rules.
        const role = checkRole(values.role);
        const secret = await password();
        const groups = values.groups ? values.groups.split(',').filter(Boolean) : null;
        console.log(show(await users.create({ username: name, password: secret, role, groups })));
        if (!values['password-stdin']) console.log(`password: ${secret}`);
        return 0;
      }
      case 'set-role':
        console.log(show(users.update(find(name).id, { role: checkRole(arg) })));
        return 0;
      case 'set-groups':
        if (!arg) throw new Error(USER_USAGE);
        console.log(show(users.update(find(name).id, { groups: arg === 'default' ? null : arg.split(',').filter(Boolean) })));
        return 0;
      case 'set-engines':
        if (!arg) throw new Error(USER_USAGE);
        console.log(show(users.update(find(name).id, { engines: arg === 'default' ? null : arg.split(',').filter(Boolean) })));
        return 0;
      case 'set-password': {
        const secret = await password();
        await users.setPassword(find(name).id, secret);
        console.log(values['password-stdin'] ? 'password changed' : `password: ${secret}`);
        return 0;
      }
      case 'disable':
      case 'enable':
        console.log(show(users.update(find(name).id, { disabled: action === 'disable' })));
        return 0;
      case 'delete':
        users.delete(find(name).id);
        console.log(`deleted ${name}`);
        return 0;
      default:
        throw new Error(USER_USAGE);
    }
  } finally {
    db.close();
  }
}
